package dev.pgentrypoint.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignalsTest {

    private static Process sleeper(String... prefix) throws IOException {
        String[] command = new String[prefix.length + 2];
        System.arraycopy(prefix, 0, command, 0, prefix.length);
        command[prefix.length] = "sleep";
        command[prefix.length + 1] = "60";
        return new ProcessBuilder(command).start();
    }

    @Test
    void killSendsTheNamedSignal() throws Exception {
        Process p = sleeper();
        try {
            Signals.Outcome outcome = Signals.kill(p.pid(), "USR1");
            assertTrue(outcome.sent(), outcome.output());
            assertTrue(p.waitFor(5, TimeUnit.SECONDS));
            assertEquals(128 + 10, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void killOfAProcessThatIsGoneSaysSoWithoutThrowing() throws Exception {
        Process p = sleeper();
        p.destroyForcibly().waitFor();
        Signals.Outcome outcome = Signals.kill(p.pid(), "TERM");
        assertFalse(outcome.sent());
        assertNotEquals("", outcome.output());
        Signals.send(p.pid(), "TERM");
    }

    @Test
    void sendNeverSignalsInitOrTheProcessGroupZero() {
        Signals.send(1, "KILL");
        Signals.send(0, "KILL");
        Signals.sendGroup(1, "KILL");
        assertTrue(ProcessHandle.current().isAlive());
    }

    @Test
    void aGroupLeaderAndItsGroupAreSignalled() throws Exception {
        Process p = sleeper("setsid");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!Signals.leadsGroup(p.pid()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Signals.leadsGroup(p.pid()));
            assertFalse(Signals.leadsGroup(Long.MAX_VALUE));
            Signals.sendGroup(p.pid(), "TERM");
            assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
    }
}
