package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.core.ExitCode;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exit code, decided once (the first reason to end wins), and the end of the process with it: Camel
 * Main's completer, with the halt as a last resort should Camel's own shutdown hang.
 */
final class Exit {
    /** Seconds Camel Main may take to end after the exit was decided. */
    static final int EXIT_LIMIT_SECONDS = 15;
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.lifecycle");

    private volatile ExitCode exitCode;
    private volatile Runnable completer;
    private boolean watchdogStarted;
    private final IntConsumer halt;

    Exit(IntConsumer halt) {
        this.halt = halt;
    }

    void attach(Runnable completer) {
        this.completer = completer;
    }

    /** Sets the exit code unless one was decided before. */
    synchronized void decide(ExitCode code) {
        if (exitCode == null) {
            exitCode = code;
        }
    }

    ExitCode code() {
        ExitCode code = exitCode;
        return code == null ? ExitCode.SUCCESS : code;
    }

    boolean decided() {
        return exitCode != null;
    }

    /** Whether exit code 1, 2 or 3 was decided. */
    boolean failed() {
        ExitCode code = exitCode;
        return code == ExitCode.INVALID_INPUT || code == ExitCode.INIT_FAILED || code == ExitCode.RUNTIME_FAILED;
    }

    /** The last resort of every watchdog: halt with {@code code} (the JVM's halt, or what a test records). */
    void halt(int code) {
        halt.accept(code);
    }

    /**
     * Ends Camel Main (and so the JVM) with the decided exit code, SUCCESS when none was. Should Camel's
     * own shutdown hang, the process halts with that code after {@link #EXIT_LIMIT_SECONDS}.
     */
    void exit() {
        decide(ExitCode.SUCCESS);
        synchronized (this) {
            if (!watchdogStarted) {
                watchdogStarted = true;
                Thread watchdog = new Thread(() -> {
                    try {
                        Thread.sleep(EXIT_LIMIT_SECONDS * 1000L);
                    } catch (InterruptedException e) {
                        return;
                    }
                    LOG.error("the exit did not finish within {} s; halting with {}", EXIT_LIMIT_SECONDS, code().code());
                    halt.accept(code().code());
                }, "exit-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
            }
        }
        Runnable c = completer;
        if (c != null) {
            new Thread(c, "exit").start();
        }
    }
}
