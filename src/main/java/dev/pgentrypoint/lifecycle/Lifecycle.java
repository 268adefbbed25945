package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import dev.pgentrypoint.supervise.StartGuard;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.IntConsumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code lifecycle} bean: what the routes, the signal handlers and {@code Main} call about the
 * entrypoint's life. It only delegates, each concern to its own class: {@link Exit} (the exit code, decided
 * once, and the exit), {@link Shutdown} (stop requests and the shutdown route's steps), {@link Children}
 * (supervised pids, interrupting one-shot commands, reload), {@link WorkflowEnd} (failures and the init
 * workflow's end) and {@link Failures} (a failure's exit code and reason). State transitions go to STATE_FILE.
 */
public final class Lifecycle implements StartGuard {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.lifecycle");

    /** The watchdogs' last resort: kill what is left of the children, then halt the JVM with the code. */
    public static final IntConsumer HALT_JVM = code -> {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        Runtime.getRuntime().halt(code);
    };

    private final StateMachine state;
    private final Exit exit;
    private final Children children = new Children();
    private final Shutdown shutdown;
    private final WorkflowEnd workflowEnd;

    public Lifecycle(StateMachine state, int shutdownTimeoutSeconds) {
        this(state, shutdownTimeoutSeconds, HALT_JVM);
    }

    /**
     * With another last resort than killing the children and halting the JVM (route tests record it).
     * The normal end is {@link #exit()}: it runs the completer given to {@link #attach}.
     */
    public Lifecycle(StateMachine state, int shutdownTimeoutSeconds, IntConsumer halt) {
        this.state = state;
        this.exit = new Exit(halt);
        this.shutdown = new Shutdown(state, exit, children, shutdownTimeoutSeconds);
        this.workflowEnd = new WorkflowEnd(state, exit, shutdown, children);
    }

    public void attach(CamelContext context, Runnable completer) {
        children.attach(context);
        exit.attach(completer);
    }

    // ---- signals (EarlySignals, then the JVM's signal thread)

    /** SIGTERM and SIGINT: stop. */
    public void onSignal(String signal) {
        shutdown.request(signal);
    }

    /**
     * SIGHUP: like the official image, PostgreSQL reloads its configuration; in Patroni mode Patroni reloads its
     * own (and has PostgreSQL reload). Nothing is re-read by the entrypoint itself.
     */
    public void onReload() {
        if (!children.reload()) {
            LOG.info("signal=HUP ignored: no server runs (state={})", state.current());
        }
    }

    /** Signals whose default action would end the JVM and that mean nothing here: logged, never fatal. */
    public void onIgnoredSignal(String signal) {
        LOG.info("signal={} ignored (SIGTERM or SIGINT stop the entrypoint, SIGHUP reloads PostgreSQL)", signal);
    }

    // ---- supervised children

    /** The pid of a supervised child, empty when it is not running. */
    public OptionalLong supervisedPid(String name) {
        return children.supervisedPid(name);
    }

    // ---- stop coordination

    public boolean isStopping() {
        return shutdown.isStopping();
    }

    /** Between init steps: a stop requested meanwhile ends the init phase here (the marker stays). */
    public void checkNotStopping() {
        shutdown.checkNotStopping();
    }

    @Override
    public void checkStart(String name) {
        shutdown.checkStart(name);
    }

    /** Shutdown route: STOPPING, unless the failure that led here already set ERROR. */
    public void beginShutdown() {
        shutdown.begin();
    }

    /** Records the outcome of stopping one supervised child; null means it was not running. */
    public void recordStop(Boolean childForced) {
        shutdown.recordStop(childForced);
    }

    /** Shutdown route: everything is down; 0, or 4 when a stop had to be forced, unless a failure decided first. */
    public void stopped() {
        shutdown.stopped();
    }

    /** The privileged run is done: hand over to the unprivileged one, unless a stop was requested meanwhile. */
    public void reexecUnprivileged() {
        shutdown.handOver();
    }

    // ---- failures and the workflow's end

    /** Error handler of the init phase: exit 2 unless the exception names its own code. */
    public void failInit(Exchange exchange) {
        workflowEnd.fail(exchange, ExitCode.INIT_FAILED.code());
    }

    /** Error handler of the runtime phase: exit 3 unless the exception names its own code. */
    public void failRuntime(Exchange exchange) {
        workflowEnd.fail(exchange, ExitCode.RUNTIME_FAILED.code());
    }

    /** The init workflow's exchange completed, however it ended (see {@link WorkflowEnd#workflowEnded}). */
    public void workflowEnded(Exchange exchange) {
        workflowEnd.workflowEnded(exchange);
    }

    /** Whether the entrypoint has failed (exit code 1, 2 or 3 decided): liveness is down from then on. */
    public boolean failed() {
        return exit.failed();
    }

    /** The state for health checks: ERROR once the entrypoint failed, even if STATE_FILE could not say so. */
    public State effectiveState() {
        return failed() ? State.ERROR : state.current();
    }

    // ---- state transitions

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

    // ---- the exit code and the exit

    /** Sets the exit code unless one was decided before: the first reason to end wins. */
    public void decide(ExitCode code) {
        exit.decide(code);
    }

    public ExitCode exitCode() {
        return exit.code();
    }

    public boolean decided() {
        return exit.decided();
    }

    /** The decided exit code as a number, for logs. */
    public int exitStatus() {
        return exitCode().code();
    }

    /**
     * Ends Camel Main (and so the JVM) with the decided exit code. Should Camel's own shutdown hang, the
     * process halts with that code after {@link Exit#EXIT_LIMIT_SECONDS}.
     */
    public void exit() {
        exit.exit();
    }
}
