package dev.pgentrypoint.health;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A protocol-level answer from PostgreSQL, like pg_isready: a startup message on the Unix socket.
 * An authentication request or any error other than "cannot connect now" (57P03: starting up,
 * shutting down, in recovery) means the server accepts connections.
 */
final class ConnectivityCheck extends BaseCheck {
    private final Path socket;
    private final String user;
    private final long timeoutMillis;

    ConnectivityCheck(String socketDir, int port, String user, long timeoutMillis) {
        super("connectivity", false, true);
        this.socket = Path.of(socketDir, ".s.PGSQL." + port);
        this.user = user;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public CheckResult check() {
        if (!Files.exists(socket)) {
            return CheckResult.down(name(), "no server socket " + socket);
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(startupMessage()));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer head = ByteBuffer.allocate(512);
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (head.position() < 5) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline) {
                    return CheckResult.down(name(), "no answer from " + socket + " within " + timeoutMillis + " ms");
                }
                selector.selectedKeys().clear();
                if (channel.read(head) < 0) {
                    return CheckResult.down(name(), "the server closed the connection without answering");
                }
            }
            return interpret(head.flip());
        } catch (IOException e) {
            return CheckResult.down(name(), "cannot connect to " + socket + ": " + e.getMessage());
        }
    }

    private CheckResult interpret(ByteBuffer answer) {
        byte type = answer.get();
        if (type == 'R') {
            return CheckResult.up(name(), "accepting connections");
        }
        if (type == 'E') {
            String code = field(answer, 'C');
            String message = field(answer, 'M');
            if ("57P03".equals(code)) {
                return CheckResult.down(name(), "rejecting connections: " + message);
            }
            return CheckResult.up(name(), "accepting connections (" + message + ")");
        }
        return CheckResult.down(name(), "unexpected answer of type '" + (char) type + "'");
    }

    private static String field(ByteBuffer answer, char wanted) {
        answer.position(5);
        while (answer.hasRemaining()) {
            byte tag = answer.get();
            if (tag == 0) {
                break;
            }
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            for (byte b = answer.hasRemaining() ? answer.get() : 0; b != 0; b = answer.hasRemaining() ? answer.get() : 0) {
                value.write(b);
            }
            if (tag == wanted) {
                return value.toString(StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private byte[] startupMessage() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String s : new String[] {"user", user, "database", "postgres", "application_name", "pg-entrypoint-health"}) {
            body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            body.write(0);
        }
        body.write(0);
        byte[] payload = body.toByteArray();
        return ByteBuffer.allocate(8 + payload.length).putInt(8 + payload.length).putInt(196608).put(payload).array();
    }
}
