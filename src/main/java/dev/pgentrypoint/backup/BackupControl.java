package dev.pgentrypoint.backup;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket of {@code pg-entrypoint backup}: a Unix domain socket (mode 0600, in the
 * 0700 run directory, so only the postgres user and root reach it). A request is one line,
 * {@code backup <type>}; it is handed to {@code direct:runtime-backup-manual}, the same route the
 * schedules use, and the answer is that route's one-line outcome.
 */
public final class BackupControl {
    static final String ROUTE = "direct:runtime-backup-manual";
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.backup");

    private final Path socket;
    private volatile ServerSocketChannel server;

    public BackupControl(Path socket) {
        this.socket = socket;
    }

    /** Starts listening; the backup routes are ready by then. */
    public synchronized void open(Exchange exchange) throws IOException {
        if (server != null) {
            return;
        }
        Files.deleteIfExists(socket);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        server = channel;
        CamelContext context = exchange.getContext();
        Thread thread = new Thread(() -> accept(channel, context), "backup-control");
        thread.setDaemon(true);
        thread.start();
        LOG.info("manual backups: pg-entrypoint backup [--type=full|diff|incr] [--repo=N] (socket {})", socket);
    }

    /** Each request on a thread of its own, so a second one is told at once that a backup runs. */
    private void accept(ServerSocketChannel channel, CamelContext context) {
        ProducerTemplate template = context.createProducerTemplate();
        while (channel.isOpen()) {
            try {
                SocketChannel client = channel.accept();
                Thread worker = new Thread(() -> serve(client, template), "backup-request");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                if (channel.isOpen()) {
                    LOG.warn("control socket: {}", e.getMessage());
                }
            }
        }
    }

    private static void serve(SocketChannel client, ProducerTemplate template) {
        try (client) {
            String answer = answer(readLine(client), template);
            client.write(ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            LOG.warn("control socket request failed: {}", e.getMessage());
        }
    }

    static String readLine(SocketChannel client) throws IOException {
        byte[] line = Channels.newInputStream(client).readNBytes(64);
        String text = new String(line, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }

    /**
     * Only {@code backup full|diff|incr}, optionally followed by {@code repo<N>}, is understood; anything else
     * is refused before it reaches a route (the repository number is checked by the route).
     */
    static String answer(String request, ProducerTemplate template) {
        String[] words = request.toLowerCase(Locale.ROOT).split("\\s+");
        if (words.length < 2 || words.length > 3 || !words[0].equals("backup") || !BackupSettings.TYPES.contains(words[1])
                || words.length == 3 && !words[2].matches("repo\\d{1,3}")) {
            return "failed: unknown request '" + request + "': send 'backup full', 'backup diff' or 'backup incr', "
                    + "optionally followed by repo<N>";
        }
        return template.requestBody(ROUTE, words.length == 3 ? words[1] + ":" + words[2].substring(4) : words[1], String.class);
    }

    /** Stops listening and removes the socket. Idempotent. */
    public synchronized void close() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        Files.deleteIfExists(socket);
    }
}
