package dev.pgentrypoint.backup;

import dev.pgentrypoint.settings.Settings;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code pg-entrypoint backup [--type=full|diff|incr] [--repo=N]}: asks the running entrypoint, over its
 * control socket, to run the backup route now, waits for it and prints its outcome. Exit 0 when
 * the backup succeeded, 1 when it failed, was skipped, or no entrypoint with backups answered.
 */
public final class BackupCli {
    private BackupCli() {
    }

    public static void main(String[] args) {
        String type = "incr";
        String repo = "";
        for (String arg : args) {
            if (arg.startsWith("--type=") && BackupSettings.TYPES.contains(arg.substring("--type=".length()))) {
                type = arg.substring("--type=".length());
            } else if (arg.matches("--repo=\\d{1,3}")) {
                repo = " repo" + arg.substring("--repo=".length());
            } else {
                System.out.println("failed: unknown argument " + arg + " (use --type=full|diff|incr and --repo=N)");
                System.exit(1);
            }
        }
        Path socket = new BackupSettings(new Settings(System.getenv(), List.of(), Path.of("."))).controlSocket();
        String answer = request(socket, "backup " + type + repo);
        System.out.println(answer);
        System.exit(answer.startsWith("ok ") ? 0 : 1);
    }

    static String request(Path socket, String line) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            String answer = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8).strip();
            return answer.isEmpty() ? "failed: the entrypoint closed the connection without an answer" : answer;
        } catch (IOException e) {
            return "failed: no running entrypoint with backups answers on " + socket + " (" + e.getMessage()
                    + "): is PGBACKREST_ENABLED=true, the server RUNNING, and STATE_FILE the same as the entrypoint's?";
        }
    }
}
