package dev.pgentrypoint.os;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Sends a named signal to a process with kill(1); Java's Process API knows only TERM and KILL. */
public final class Signals {
    /** How long kill(1) itself may take. */
    private static final long KILL_SECONDS = 5;

    private Signals() {
    }

    /** What kill(1) answered: its exit status (-1 when it did not end in time) and its output. */
    public record Outcome(int exitCode, String output) {
        public boolean sent() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code kill -SIGNAL pid}.
     *
     * @throws IOException when kill(1) cannot be started
     */
    public static Outcome kill(long pid, String signal) throws IOException, InterruptedException {
        return run("kill", "-" + signal, Long.toString(pid));
    }

    /** Sends the signal, quietly: a process already gone or a missing kill(1) is nothing to report. Pids 0 and 1 are never signalled. */
    public static void send(long pid, String signal) {
        if (pid <= 1) {
            return;
        }
        quietly("kill", "-" + signal, Long.toString(pid));
    }

    /** Signals the whole process group led by pid, which reaches background jobs a script left behind. */
    public static void sendGroup(long pid, String signal) {
        if (pid <= 1) {
            return;
        }
        quietly("kill", "-" + signal, "--", "-" + pid);
    }

    /** Whether the process leads its own process group (commands started through setsid do). */
    public static boolean leadsGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]) == pid;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException e) {
            // the process is gone or kill is missing; nothing else to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Outcome run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), Charset.defaultCharset()).strip();
        } catch (IOException e) {
            output = e.toString();
        }
        if (!p.waitFor(KILL_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Outcome(-1, output);
        }
        return new Outcome(p.exitValue(), output);
    }
}
