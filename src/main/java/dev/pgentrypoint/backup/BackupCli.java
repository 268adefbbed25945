package dev.pgentrypoint.backup;

import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pg-entrypoint backup [--type=full|diff|incr] [--repo=N]}: asks the running entrypoint, over its
 * control socket, to run the backup route now, waits for it and prints its outcome. A server that
 * has only just started opens the socket after its stanza and check: the command waits for it,
 * up to {@code BACKUP_TIMEOUT}, while the entrypoint's state says it is on its way. Exit 0 when
 * the backup succeeded, 1 when it failed, was skipped, backups are off, or no entrypoint answered.
 */
public final class BackupCli {
    static final String USAGE = """
            Usage: pg-entrypoint backup [--type=full|diff|incr] [--repo=N]

            Asks the running entrypoint (BACKUP_ENABLED=true, server RUNNING) to take a pgBackRest backup
            now, over its control socket next to STATE_FILE, waits for it and prints its outcome.
            Exit codes: 0 the backup succeeded, 1 it failed, was skipped, or no entrypoint answered.

            --type=TYPE  full, diff or incr (default incr; pgBackRest makes it full when no full backup exists)
            --repo=N     back up to repository N only (default: pgBackRest's default, repository 1)
            --help, -h   this text

            Variables: STATE_FILE (the same as the entrypoint's).
            Docs: docs/backup.md""";

    private BackupCli() {
    }

    public static void main(String[] args) {
        String type = "incr";
        String repo = "";
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (arg.startsWith("--type=") && BackupSettings.TYPES.contains(arg.substring("--type=".length()))) {
                type = arg.substring("--type=".length());
            } else if (arg.matches("--repo=\\d{1,3}")) {
                repo = " repo" + arg.substring("--repo=".length());
            } else {
                System.out.println("failed: unknown argument " + arg + " (use --type=full|diff|incr, --repo=N, or --help)");
                System.exit(1);
            }
        }
        Settings settings = new Settings(System.getenv(), List.of(), Path.of("."));
        BackupSettings backup = new BackupSettings(settings);
        if (!backup.enabled()) {
            System.out.println("failed: backups are off (BACKUP_ENABLED is not true in this environment); "
                    + "start the container with BACKUP_ENABLED=true");
            System.exit(1);
        }
        String answer = awaitAndRequest(backup.controlSocket(), "backup " + type + repo, settings.stateFile(),
                Duration.ofSeconds(backup.timeoutSeconds()));
        System.out.println(answer);
        System.exit(answer.startsWith("ok ") ? 0 : 1);
    }

    /** States in which the entrypoint will still open its control socket. */
    private static final Set<String> ON_ITS_WAY = Set.of("UNINITIALIZED", "INITIALIZING", "READY", "STARTING", "RUNNING");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z]+)\"");

    /**
     * {@link #request}, retried every 250 ms while nothing listens on the socket yet and the state file says the
     * entrypoint is starting or running, up to {@code wait}.
     */
    static String awaitAndRequest(Path socket, String line, Path stateFile, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String answer = request(socket, line);
            if (!answer.startsWith(NO_ANSWER)) {
                return answer;
            }
            String state = state(stateFile);
            if (!ON_ITS_WAY.contains(state)) {
                return answer + " (state: " + (state.isEmpty() ? "no entrypoint has written " + stateFile : state) + ")";
            }
            if (System.nanoTime() > deadline) {
                return answer + " (still " + state + " after waiting " + wait.toSeconds() + " s, BACKUP_TIMEOUT)";
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer;
            }
        }
    }

    /** The state in the state file, or empty when there is none. */
    static String state(Path stateFile) {
        try {
            Matcher m = STATE.matcher(Files.readString(stateFile, StandardCharsets.UTF_8));
            return m.find() ? m.group(1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static final String NO_ANSWER = "failed: no running entrypoint with backups answers on ";

    static String request(Path socket, String line) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            String answer = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8).strip();
            return answer.isEmpty() ? "failed: the entrypoint closed the connection without an answer" : answer;
        } catch (IOException e) {
            return NO_ANSWER + socket + " (" + e.getMessage()
                    + "): is BACKUP_ENABLED=true, the server RUNNING, and STATE_FILE the same as the entrypoint's?";
        }
    }
}
