package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationException;
import dev.pgentrypoint.os.Signals;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import dev.pgentrypoint.supervise.StartGuard;
import dev.pgentrypoint.supervise.SuperviseComponent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.IntConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.component.exec.ExecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates the end of the entrypoint: signals, failures and the exit code. The first reason to
 * end wins: a failure sets 1, 2 or 3; a signal leads to the shutdown route (0, or 4 when forced).
 * Invalid input (1) leaves STATE_FILE alone: nothing was changed, and the file may be another
 * entrypoint's (a second one refused by the lock).
 * While the init workflow runs, a signal interrupts its current command and the workflow's error
 * handler runs the shutdown route; afterwards the signal thread runs it.
 */
public final class Lifecycle implements StartGuard {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.lifecycle");

    private final StateMachine state;
    private volatile ExitCode exitCode;
    private volatile boolean forced;
    private boolean watchdogStarted;
    private final int shutdownTimeoutSeconds;
    /** Beyond SHUTDOWN_TIMEOUT: the immediate-shutdown wait (5 s), the kill, and the cleanups. */
    static final int WATCHDOG_MARGIN_SECONDS = 20;
    private boolean stopping;
    private boolean interruptedInit;
    private boolean exitWatchdogStarted;
    /** Seconds Camel Main may take to end after the exit was decided. */
    static final int EXIT_LIMIT_SECONDS = 15;
    private boolean workflowActive = true;
    private volatile CamelContext context;
    private volatile Runnable completer;

    /** The watchdog's last resort: kill what is left of the children, then halt the JVM with the code. */
    public static final IntConsumer HALT_JVM = code -> {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        Runtime.getRuntime().halt(code);
    };
    private final IntConsumer halt;

    public Lifecycle(StateMachine state, int shutdownTimeoutSeconds) {
        this(state, shutdownTimeoutSeconds, HALT_JVM);
    }

    /**
     * With another last resort than killing the children and halting the JVM (route tests record it).
     * The normal end is {@link #exit()}: it runs the completer given to {@link #attach}.
     */
    public Lifecycle(StateMachine state, int shutdownTimeoutSeconds, IntConsumer halt) {
        this.state = state;
        this.shutdownTimeoutSeconds = shutdownTimeoutSeconds;
        this.halt = halt;
    }

    public void attach(CamelContext context, Runnable completer) {
        this.context = context;
        this.completer = completer;
    }

    /** Called on the JVM's signal thread for SIGTERM and SIGINT. */
    public void onSignal(String signal) {
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
            Thread t = new Thread(this::runShutdown, "shutdown");
            t.start();
        } else {
            Thread t = new Thread(this::interruptUntilWorkflowEnds, "interrupt-commands");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * SIGHUP: like the official image, PostgreSQL reloads its configuration; in Patroni mode Patroni reloads its
     * own (and has PostgreSQL reload). Nothing is re-read by the entrypoint itself.
     */
    public void onReload() {
        for (String name : java.util.List.of("postgres", "patroni")) {
            OptionalLong pid = supervisedPid(name);
            if (pid.isPresent()) {
                LOG.info("signal=HUP action=reload target={} pid={}", name, pid.getAsLong());
                Signals.send(pid.getAsLong(), "HUP");
                return;
            }
        }
        LOG.info("signal=HUP ignored: no server runs (state={})", state.current());
    }

    /** Signals whose default action would end the JVM and that mean nothing here: logged, never fatal. */
    public void onIgnoredSignal(String signal) {
        LOG.info("signal={} ignored (SIGTERM or SIGINT stop the entrypoint, SIGHUP reloads PostgreSQL)", signal);
    }

    /**
     * Interrupts the one-shot commands until the workflow has ended: again every half second for
     * what they start meanwhile (a background job of a script keeps the command's output open), and
     * with SIGKILL once SHUTDOWN_TIMEOUT has passed.
     */
    private void interruptUntilWorkflowEnds() {
        long deadline = System.nanoTime() + shutdownTimeoutSeconds * 1_000_000_000L;
        while (workflowActive()) {
            interruptCommands(System.nanoTime() < deadline ? "TERM" : "KILL");
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

    private void runShutdown() {
        try {
            context.createProducerTemplate().sendBody("direct:runtime-shutdown", null);
        } catch (Throwable e) {
            LOG.error("shutdown route failed: {}", e.toString());
            decide(ExitCode.SHUTDOWN_FORCED);
            exit();
        }
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
            halt.accept(ExitCode.SHUTDOWN_FORCED.code());
        }, "shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /**
     * Sends SIGTERM to one-shot commands (initdb, psql, scripts and what they started) so the workflow
     * stops at its current step; initdb then removes what it created. SIGTERM rather than SIGINT:
     * a shell script waiting for a command carries on after its child dies of SIGINT.
     */
    void interruptCommands(String signal) {
        Set<Long> supervised = new HashSet<>();
        SuperviseComponent supervise = context == null ? null : context.getComponent("supervise", SuperviseComponent.class);
        if (supervise != null) {
            supervise.running().forEach(n -> supervise.pid(n).ifPresent(supervised::add));
            supervised.addAll(supervise.watchers());
        }
        ProcessHandle.current().children()
                .filter(p -> !supervised.contains(p.pid()))
                .filter(p -> !p.info().command().map(c -> c.endsWith("/kill")).orElse(false))
                .forEach(child -> {
                    if (Signals.leadsGroup(child.pid())) {
                        Signals.sendGroup(child.pid(), signal);
                    }
                    Signals.send(child.pid(), signal);
                    child.descendants().forEach(d -> Signals.send(d.pid(), signal));
                });
    }

    /** The pid of a supervised child, empty when it is not running. */
    public OptionalLong supervisedPid(String name) {
        CamelContext c = context;
        if (c == null) {
            return OptionalLong.empty();
        }
        SuperviseComponent supervise = c.getComponent("supervise", SuperviseComponent.class);
        return supervise == null ? OptionalLong.empty() : supervise.pid(name);
    }

    /**
     * The init workflow's exchange completed, however it ended. When a stop was requested meanwhile
     * and nothing decided the end yet, the shutdown route runs now. When it ended with an exception that
     * nothing handled (the error path itself failed), the process still ends: cleanup, then exit with the
     * phase's code, so nothing waits forever with liveness up.
     */
    public void workflowEnded(Exchange exchange) {
        // an exception a doTry/doCatch recovered from (a local fallback) is no failure; one the error
        // policy handled counts, in case the policy itself did not decide the end
        Throwable failure = exchange == null ? null : exchange.getException() != null ? exchange.getException()
                : Boolean.TRUE.equals(exchange.getProperty(ExchangePropertyKey.FAILURE_HANDLED, Boolean.class))
                ? exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class) : null;
        synchronized (this) {
            workflowActive = false;
            if (decided()) {
                return;
            }
            if (failure == null && !stopping) {
                return;
            }
        }
        if (failure != null && !isStopping()) {
            State now = state.current();
            ExitCode code = codeOf(failure, now == State.STARTING || now == State.RUNNING
                    ? ExitCode.RUNTIME_FAILED.code() : ExitCode.INIT_FAILED.code());
            LOG.error("the error handling itself failed: {}; cleaning up and exiting with {}", failure.getMessage(),
                    code.code());
            decide(code);
            markError("entrypoint", code);
            new Thread(() -> {
                try {
                    context.createProducerTemplate().sendBody("direct:entrypoint-cleanup", null);
                } catch (Throwable e) {
                    LOG.error("cleanup failed: {}", e.toString());
                }
                exit();
            }, "exit-after-failure").start();
            return;
        }
        LOG.info("a stop was requested during startup; shutting down");
        new Thread(this::runShutdown, "shutdown").start();
    }

    /** ERROR in the state file if it can be written; liveness reports the failure either way ({@link #failed}). */
    private void markError(String step, ExitCode code) {
        try {
            if (code != ExitCode.INVALID_INPUT && state.canTransition(State.ERROR)) {
                state.transition(State.ERROR, Map.of("step", String.valueOf(step), "exit", String.valueOf(code.code())));
            }
        } catch (RuntimeException e) {
            LOG.error("cannot record state ERROR: {}", e.getMessage());
        }
    }

    /** Whether the entrypoint has failed (exit code 1, 2 or 3 decided): liveness is down from then on. */
    public boolean failed() {
        ExitCode code = exitCode;
        return code == ExitCode.INVALID_INPUT || code == ExitCode.INIT_FAILED || code == ExitCode.RUNTIME_FAILED;
    }

    /** The state for health checks: ERROR once the entrypoint failed, even if STATE_FILE could not say so. */
    public State effectiveState() {
        return failed() ? State.ERROR : state.current();
    }

    public synchronized boolean isStopping() {
        return stopping;
    }

    /** Between init steps: a stop requested meanwhile ends the init phase here (the marker stays). */
    public void checkNotStopping() {
        if (isStopping()) {
            throw new EntrypointException("init", ExitCode.SUCCESS, "stop requested during initialization");
        }
    }

    @Override
    public void checkStart(String name) {
        if (isStopping()) {
            throw new EntrypointException("supervise-" + name, ExitCode.SUCCESS, "not starting " + name
                    + ": shutdown in progress");
        }
    }

    /** Error handler of the init phase: exit 2 unless the exception names its own code. */
    public void failInit(Exchange exchange) {
        fail(exchange, ExitCode.INIT_FAILED.code());
    }

    /** Error handler of the runtime phase: exit 3 unless the exception names its own code. */
    public void failRuntime(Exchange exchange) {
        fail(exchange, ExitCode.RUNTIME_FAILED.code());
    }

    void fail(Exchange exchange, int phaseCode) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String step = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        ExitCode code = codeOf(e, phaseCode);
        if (e instanceof EntrypointException ee && ee.step() != null) {
            step = ee.step();
        }
        String reason = reason(e);
        if (e instanceof ValidationException) {
            LOG.error("validation failed exit={}: {}", code.code(), reason);
        } else {
            LOG.error("step={} failed exit={} reason={}", step, code.code(), reason);
        }
        decide(code);
        markError(step, code);
    }

    static ExitCode codeOf(Throwable e, int phaseCode) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EntrypointException ee) {
                return ee.exitCode();
            }
            if (t instanceof dev.pgentrypoint.state.LockHeldException) {
                return ExitCode.INVALID_INPUT;
            }
        }
        for (ExitCode c : ExitCode.values()) {
            if (c.code() == phaseCode) {
                return c;
            }
        }
        return ExitCode.INIT_FAILED;
    }

    /** camel-exec's message: "The command ExecCommand [args=[..], executable=.., timeout=.., ...] had exit value N". */
    private static final java.util.regex.Pattern EXEC_MESSAGE = java.util.regex.Pattern.compile(
            "ExecCommand \\[args=\\[(.*?)], executable=(.*?), timeout=.*", java.util.regex.Pattern.DOTALL);

    /**
     * Why a step failed: the exception's message; for a command, the command line (secrets masked), its
     * exit value and the end of its output, never camel-exec's description of its own settings.
     */
    public static String reason(Throwable e) {
        if (e == null) {
            return "unknown";
        }
        // our own exceptions already say what failed and why (their cause's command included)
        if (e instanceof EntrypointException && e.getMessage() != null && !e.getMessage().contains("ExecCommand [")) {
            return e.getMessage();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ExecException exec) {
                return command(exec) + commandOutput(exec);
            }
        }
        return e.getMessage();
    }

    /** "command X args failed" from an ExecException's message, or its message without camel-exec's internals. */
    static String command(ExecException exec) {
        String message = String.valueOf(exec.getMessage());
        java.util.regex.Matcher m = EXEC_MESSAGE.matcher(message);
        if (!m.find()) {
            return message;
        }
        List<String> line = new java.util.ArrayList<>();
        line.add(m.group(2));
        if (!m.group(1).isEmpty()) {
            line.addAll(dev.pgentrypoint.logging.Masking.maskArgs(List.of(m.group(1).split(", "))));
        }
        return "command " + String.join(" ", line) + " failed";
    }

    /** The exit value and the end of stderr and stdout of the failed command behind {@code e}, or empty. */
    public static String commandOutput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ExecException exec) {
                return " (exit value " + exec.getExitValue() + ")" + tail(exec.getStderr()) + tail(exec.getStdout());
            }
        }
        return "";
    }

    private static String tail(InputStream in) {
        if (in == null) {
            return "";
        }
        try {
            in.reset();
        } catch (IOException ignored) {
            // not resettable: read what is left
        }
        try {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                return "";
            }
            return "\n" + (text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text);
        } catch (IOException ex) {
            return "";
        }
    }

    /** Shutdown route: STOPPING, unless the failure that led here already set ERROR. */
    public void beginShutdown() {
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

    /** Records the outcome of stopping one supervised child; null means it was not running. */
    public void recordStop(Boolean childForced) {
        if (Boolean.TRUE.equals(childForced)) {
            forced = true;
        }
    }

    /** Shutdown route: everything is down; 0, or 4 when a stop had to be forced, unless a failure decided first. */
    public void stopped() {
        if (interruptedInit) {
            LOG.error("the first initialization was interrupted: exit 2; the next start sets the unfinished cluster "
                    + "aside and initializes again");
            decide(ExitCode.INIT_FAILED);
        }
        decide(forced ? ExitCode.SHUTDOWN_FORCED : ExitCode.SUCCESS);
        if (state.canTransition(State.STOPPED)) {
            state.transition(State.STOPPED, Map.of("exit", String.valueOf(exitCode().code())));
        }
    }

    /** The privileged run is done: hand over to the unprivileged one, unless a stop was requested meanwhile. */
    public void reexecUnprivileged() {
        synchronized (this) {
            if (!stopping) {
                decide(ExitCode.REEXEC_UNPRIVILEGED);
                return;
            }
        }
        throw new EntrypointException("security-drop-privileges", ExitCode.SUCCESS,
                "stop requested during the privileged run: not handing over");
    }

    public void transition(String next) {
        state.transition(State.valueOf(next));
    }

    public void transition(String next, String key, String value) {
        state.transition(State.valueOf(next), Map.of(key, value));
    }

    /** A transition with two facts (Patroni mode's RUNNING records the REST API and the member). */
    public void transition(String next, String key, String value, String key2, String value2) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put(key, value);
        facts.put(key2, value2);
        state.transition(State.valueOf(next), facts);
    }

    /** Sets the exit code unless one was decided before: the first reason to end wins. */
    public synchronized void decide(ExitCode code) {
        if (exitCode == null) {
            exitCode = code;
        }
    }

    public ExitCode exitCode() {
        ExitCode code = exitCode;
        return code == null ? ExitCode.SUCCESS : code;
    }

    public boolean decided() {
        return exitCode != null;
    }

    /** The decided exit code as a number, for logs. */
    public int exitStatus() {
        return exitCode().code();
    }

    /**
     * Ends Camel Main (and so the JVM) with the decided exit code. Should Camel's own shutdown hang, the
     * process halts with that code after {@link #EXIT_LIMIT_SECONDS}.
     */
    public void exit() {
        decide(ExitCode.SUCCESS);
        synchronized (this) {
            if (!exitWatchdogStarted) {
                exitWatchdogStarted = true;
                Thread watchdog = new Thread(() -> {
                    try {
                        Thread.sleep(EXIT_LIMIT_SECONDS * 1000L);
                    } catch (InterruptedException e) {
                        return;
                    }
                    LOG.error("the exit did not finish within {} s; halting with {}", EXIT_LIMIT_SECONDS, exitStatus());
                    halt.accept(exitStatus());
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
