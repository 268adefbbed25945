package dev.pgentrypoint.lifecycle;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Sends a named signal to a process with kill(1); Java's Process API knows only TERM and KILL. */
final class Signals {
    private Signals() {
    }

    static void send(long pid, String signal) {
        if (pid <= 1) {
            return;
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the process is gone or kill is missing; nothing else to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
