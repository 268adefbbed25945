package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationException;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the workflow ends when something fails: the error policy's failure (logged once with its step and
 * reason, the exit code decided, ERROR in STATE_FILE), and the init workflow's end, however it came.
 * Invalid input (1) leaves STATE_FILE alone: nothing was changed, and the file may be another entrypoint's
 * (a second one refused by the lock).
 */
record WorkflowEnd(StateMachine state, Exit exit, Shutdown shutdown, Children children) {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.lifecycle");

    /** The error policy's failure: exit with {@code phaseCode} unless the exception names its own code. */
    void fail(Exchange exchange, int phaseCode) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String step = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        ExitCode code = Failures.codeOf(e, phaseCode);
        if (e instanceof EntrypointException ee && ee.step() != null) {
            step = ee.step();
        }
        String reason = Failures.reason(e);
        if (e instanceof ValidationException) {
            LOG.error("validation failed exit={}: {}", code.code(), reason);
        } else {
            LOG.error("step={} failed exit={} reason={}", step, code.code(), reason);
        }
        exit.decide(code);
        markError(step, code);
    }

    /**
     * The init workflow's exchange completed, however it ended. When a stop was requested meanwhile
     * and nothing decided the end yet, the shutdown route runs now. When it ended with an exception that
     * nothing handled (the error path itself failed), the process still ends: cleanup, then exit with the
     * phase's code, so nothing waits forever with liveness up.
     */
    void workflowEnded(Exchange exchange) {
        // an exception a doTry/doCatch recovered from (a local fallback) is no failure; one the error
        // policy handled counts, in case the policy itself did not decide the end
        Throwable failure = exchange == null ? null : exchange.getException() != null ? exchange.getException()
                : Boolean.TRUE.equals(exchange.getProperty(ExchangePropertyKey.FAILURE_HANDLED, Boolean.class))
                ? exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class) : null;
        if (!shutdown.workflowEnded(failure != null)) {
            return;
        }
        if (failure != null && !shutdown.isStopping()) {
            State now = state.current();
            ExitCode code = Failures.codeOf(failure, now == State.STARTING || now == State.RUNNING
                    ? ExitCode.RUNTIME_FAILED.code() : ExitCode.INIT_FAILED.code());
            LOG.error("the error handling itself failed: {}; cleaning up and exiting with {}", failure.getMessage(),
                    code.code());
            exit.decide(code);
            markError("entrypoint", code);
            new Thread(() -> {
                try {
                    children.context().createProducerTemplate().sendBody("direct:entrypoint-cleanup", null);
                } catch (Throwable e) {
                    LOG.error("cleanup failed: {}", e.toString());
                }
                exit.exit();
            }, "exit-after-failure").start();
            return;
        }
        LOG.info("a stop was requested during startup; shutting down");
        new Thread(shutdown::run, "shutdown").start();
    }

    /** ERROR in the state file if it can be written; liveness reports the failure either way. */
    private void markError(String step, ExitCode code) {
        try {
            if (code != ExitCode.INVALID_INPUT && state.canTransition(State.ERROR)) {
                state.transition(State.ERROR, Map.of("step", String.valueOf(step), "exit", String.valueOf(code.code())));
            }
        } catch (RuntimeException e) {
            LOG.error("cannot record state ERROR: {}", e.getMessage());
        }
    }
}
