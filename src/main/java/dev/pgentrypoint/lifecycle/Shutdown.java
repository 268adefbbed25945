package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop coordination: a stop request (SIGTERM, SIGINT) and what it leads to. While the init workflow runs,
 * its current command is interrupted and the workflow's error handler runs the shutdown route; afterwards
 * a thread of its own runs that route. The shutdown ends with 0, 4 when a stop had to be forced, or 2 when
 * it interrupted the first initialization.
 */
final class Shutdown {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.lifecycle");
    /** Beyond SHUTDOWN_TIMEOUT: the immediate-shutdown wait (5 s), the kill, and the cleanups. */
    static final int WATCHDOG_MARGIN_SECONDS = 20;

    private final StateMachine state;
    private final Exit exit;
    private final Children children;
    private final int shutdownTimeoutSeconds;
    private boolean stopping;
    private boolean workflowActive = true;
    private boolean watchdogStarted;
    private boolean interruptedInit;
    private volatile boolean forced;

    Shutdown(StateMachine state, Exit exit, Children children, int shutdownTimeoutSeconds) {
        this.state = state;
        this.exit = exit;
        this.children = children;
        this.shutdownTimeoutSeconds = shutdownTimeoutSeconds;
    }

    /** A stop was requested (on the JVM's signal thread for SIGTERM and SIGINT). */
    void request(String signal) {
        boolean runShutdown;
        synchronized (this) {
            if (stopping) {
                LOG.info("signal={} received again; shutdown already in progress", signal);
                return;
            }
            stopping = true;
            runShutdown = !workflowActive;
        }
        LOG.info("signal={} received state={} action=shutdown", signal, state.current());
        if (runShutdown) {
            Thread t = new Thread(this::run, "shutdown");
            t.start();
        } else {
            Thread t = new Thread(this::interruptUntilWorkflowEnds, "interrupt-commands");
            t.setDaemon(true);
            t.start();
        }
    }

    synchronized boolean isStopping() {
        return stopping;
    }

    /**
     * The init workflow has ended: from now on a stop runs the shutdown route itself. Whether the end still
     * has to be seen to: nothing decided the exit code yet, and the workflow failed or a stop came meanwhile.
     */
    synchronized boolean workflowEnded(boolean failed) {
        workflowActive = false;
        return !exit.decided() && (failed || stopping);
    }

    /** Between init steps: a stop requested meanwhile ends the init phase here (the marker stays). */
    void checkNotStopping() {
        if (isStopping()) {
            throw new EntrypointException("init", ExitCode.SUCCESS, "stop requested during initialization");
        }
    }

    /** No supervised child starts once a stop was requested. */
    void checkStart(String name) {
        if (isStopping()) {
            throw new EntrypointException("supervise-" + name, ExitCode.SUCCESS, "not starting " + name
                    + ": shutdown in progress");
        }
    }

    /** The privileged run is done: hand over to the unprivileged one, unless a stop was requested meanwhile. */
    void handOver() {
        synchronized (this) {
            if (!stopping) {
                exit.decide(ExitCode.REEXEC_UNPRIVILEGED);
                return;
            }
        }
        throw new EntrypointException("util-security-drop-privileges", ExitCode.SUCCESS,
                "stop requested during the privileged run: not handing over");
    }

    /** Runs the shutdown route; should it fail, the end is forced (4). */
    void run() {
        try {
            children.context().createProducerTemplate().sendBody("direct:runtime-shutdown-main", null);
        } catch (Throwable e) {
            LOG.error("shutdown route failed: {}", e.toString());
            exit.decide(ExitCode.SHUTDOWN_FORCED);
            exit.exit();
        }
    }

    /** Shutdown route: STOPPING, unless the failure that led here already set ERROR. */
    void begin() {
        synchronized (this) {
            stopping = true;
            if (!watchdogStarted) {
                watchdogStarted = true;
                startWatchdog();
                interruptedInit = state.current() == State.INITIALIZING;
            }
        }
        if (state.canTransition(State.STOPPING)) {
            state.transition(State.STOPPING);
        }
    }

    /** The outcome of stopping one supervised child; null means it was not running. */
    void recordStop(Boolean childForced) {
        if (Boolean.TRUE.equals(childForced)) {
            forced = true;
        }
    }

    /** Shutdown route: everything is down; 0, or 4 when a stop had to be forced, unless a failure decided first. */
    void stopped() {
        if (interruptedInit) {
            LOG.error("the first initialization was interrupted: exit 2; the next start sets the unfinished cluster "
                    + "aside and initializes again");
            exit.decide(ExitCode.INIT_FAILED);
        }
        exit.decide(forced ? ExitCode.SHUTDOWN_FORCED : ExitCode.SUCCESS);
        if (state.canTransition(State.STOPPED)) {
            state.transition(State.STOPPED, Map.of("exit", String.valueOf(exit.code().code())));
        }
    }

    /**
     * Interrupts the one-shot commands until the workflow has ended: again every half second for
     * what they start meanwhile (a background job of a script keeps the command's output open), and
     * with SIGKILL once SHUTDOWN_TIMEOUT has passed.
     */
    private void interruptUntilWorkflowEnds() {
        long deadline = System.nanoTime() + shutdownTimeoutSeconds * 1_000_000_000L;
        while (workflowActive()) {
            children.interruptCommands(System.nanoTime() < deadline ? "TERM" : "KILL");
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized boolean workflowActive() {
        return workflowActive;
    }

    /**
     * Last resort: if the process has not ended long after the stop began (the shutdown route's own
     * escalation included), kill what is left and halt with exit code 4.
     */
    private void startWatchdog() {
        long limitMillis = (shutdownTimeoutSeconds + WATCHDOG_MARGIN_SECONDS) * 1000L;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limitMillis);
            } catch (InterruptedException e) {
                return;
            }
            LOG.error("shutdown did not finish within {} s; killing what is left and exiting with 4", limitMillis / 1000);
            exit.halt(ExitCode.SHUTDOWN_FORCED.code());
        }, "shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
