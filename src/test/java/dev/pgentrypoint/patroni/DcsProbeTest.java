package dev.pgentrypoint.patroni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DcsProbeTest {

    @Test
    void returnsTheFirstHostThatAccepts() throws Exception {
        try (ServerSocket etcd = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String down = "127.0.0.1:" + closed.getLocalPort();
            closed.close();
            String up = "127.0.0.1:" + etcd.getLocalPort();
            assertEquals(up, new DcsProbe(Clock.systemUTC()).await(List.of(down, up), Duration.ofSeconds(5)));
        }
    }

    @Test
    void givesUpAfterTheTimeoutNamingEveryHost() throws Exception {
        String down;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            down = "127.0.0.1:" + closed.getLocalPort();
        }
        long begin = System.nanoTime();
        EntrypointException e = assertThrows(EntrypointException.class, () -> new DcsProbe(Clock.systemUTC())
                .await(List.of(down, "no-such-host.invalid:2379"), Duration.ofSeconds(2)));
        assertTrue(System.nanoTime() - begin >= Duration.ofSeconds(2).toNanos(), "gave up before DCS_TIMEOUT");
        assertEquals(ExitCode.RUNTIME_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith("no etcd host answered within 2 s (DCS_TIMEOUT); tried " + down
                + " (Connection refused), no-such-host.invalid:2379 (unknown host)"), e.getMessage());
    }
}
