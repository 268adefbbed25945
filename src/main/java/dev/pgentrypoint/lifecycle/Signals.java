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
        run("kill", "-" + signal, Long.toString(pid));
    }

    /** Signals the whole process group led by pid, which reaches background jobs a script left behind. */
    static void sendGroup(long pid, String signal) {
        if (pid <= 1) {
            return;
        }
        run("kill", "-" + signal, "--", "-" + pid);
    }

    /** Whether the process leads its own process group (commands started through setsid do). */
    static boolean leadsGroup(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]) == pid;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the process is gone or kill is missing; nothing else to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
