package dev.pgentrypoint.supervise;

import java.io.IOException;
import java.util.List;

/**
 * A tiny shell process per supervised child that stops the child should this JVM die without stopping it
 * (SIGKILL, the OOM killer, a crash). It reads a pipe whose only writer is this JVM: the kernel closes it when
 * the JVM dies, the read ends, and the watcher sends the child's stop signal (SIGINT: PostgreSQL's fast
 * shutdown; SIGTERM for Patroni), then after the stop timeout the escalation signal, then SIGKILL. While the
 * JVM lives, the watcher does nothing; the JVM kills it when the child exits. It ignores the stop signals, so a
 * signal sent to the whole process group (Ctrl-C) does not end it, and its environment holds only PATH.
 * No prctl(PR_SET_PDEATHSIG): that fires when the thread that started the process ends, not the JVM.
 */
final class OrphanWatcher {
    static final String SCRIPT = """
            trap '' INT TERM HUP QUIT USR1 USR2 ALRM
            while read -r _; do :; done
            kill -0 "$1" 2>/dev/null || exit 0
            echo "pg-entrypoint watcher: the entrypoint is gone; sending SIG$3 to $2 (pid $1)" >&2
            kill -"$3" "$1" 2>/dev/null
            i=0
            while kill -0 "$1" 2>/dev/null; do
              if [ "$i" -eq "$4" ]; then echo "pg-entrypoint watcher: sending SIG$5 to $2 (pid $1)" >&2; kill -"$5" "$1"; fi
              if [ "$i" -eq "$6" ]; then echo "pg-entrypoint watcher: sending SIGKILL to $2 (pid $1)" >&2; kill -KILL "$1"; fi
              sleep 0.2
              i=$((i+1))
            done
            """;

    private OrphanWatcher() {
    }

    static Process start(String name, long pid, StopPolicy policy) throws IOException {
        long escalateAfter = policy.stopTimeout().toMillis() / 200;
        long killAfter = escalateAfter + policy.escalateTimeout().toMillis() / 200;
        ProcessBuilder builder = new ProcessBuilder(List.of("/bin/sh", "-c", SCRIPT, "pg-entrypoint-watcher",
                Long.toString(pid), name, policy.stopSignal(), Long.toString(escalateAfter), policy.escalateSignal(),
                Long.toString(killAfter)));
        String path = builder.environment().getOrDefault("PATH", "/usr/bin:/bin");
        builder.environment().clear();
        builder.environment().put("PATH", path);
        builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        return builder.start();
    }
}
