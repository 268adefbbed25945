package dev.pgentrypoint.supervise;

import java.io.File;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts, stops or queries the child named by its endpoint. */
final class SuperviseProducer extends DefaultProducer {

    enum Action { START, STOP, STATUS }

    private static final Logger LOG = LoggerFactory.getLogger(SuperviseProducer.class);

    private final Action action;
    private final StopPolicy stopPolicy;

    SuperviseProducer(SuperviseEndpoint endpoint, Action action, StopPolicy stopPolicy) {
        super(endpoint);
        this.action = action;
        this.stopPolicy = stopPolicy;
    }

    @Override
    public SuperviseEndpoint getEndpoint() {
        return (SuperviseEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        switch (action) {
            case START -> start(exchange.getIn());
            case STOP -> stop(exchange.getIn());
            case STATUS -> status(exchange.getIn());
        }
    }

    private void start(Message in) throws Exception {
        SuperviseEndpoint endpoint = getEndpoint();
        String name = endpoint.getName();
        Set<StartGuard> guards = endpoint.getCamelContext().getRegistry().findByType(StartGuard.class);
        for (StartGuard guard : guards) {
            guard.checkStart(name);
        }
        List<String> command = in.getMandatoryBody(List.class).stream().map(String::valueOf).toList();
        ProcessBuilder builder = new ProcessBuilder(command);
        Collection<?> remove = in.getHeader(SuperviseConstants.REMOVE_ENVIRONMENT, Collection.class);
        if (remove != null) {
            remove.forEach(variable -> builder.environment().remove(String.valueOf(variable)));
        }
        Map<?, ?> environment = in.getHeader(SuperviseConstants.ENVIRONMENT, Map.class);
        if (environment != null) {
            environment.forEach((key, value) -> builder.environment().put(String.valueOf(key), String.valueOf(value)));
        }
        String workingDir = endpoint.options().workingDir();
        if (workingDir != null) {
            builder.directory(new File(workingDir));
        }
        LOG.debug("Starting child '{}': {}", name, command);
        Child child = endpoint.getComponent().launch(name, builder, stopPolicy);
        try {
            awaitReady(child, guards);
        } catch (InterruptedException e) {
            child.requestStop();
            child.process().destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SuperviseException("Interrupted while waiting for child '" + name + "' to become ready; killed it", e);
        }
        in.setHeader(SuperviseConstants.PID, child.pid());
    }

    private void awaitReady(Child child, Set<StartGuard> guards) throws InterruptedException {
        SuperviseOptions options = getEndpoint().options();
        ReadinessCheck check = options.readyCheck();
        Duration poll = Duration.ofMillis(Math.max(1, options.readyPollMillis()));
        long deadline = System.nanoTime() + Duration.ofSeconds(options.readyTimeout()).toNanos();
        Exception lastFailure = null;
        while (true) {
            if (child.stopRequested()) {
                throw stoppedWhileStarting(child);
            }
            checkGuards(child, guards);
            if (!child.isAlive()) {
                child.awaitOutput();
                child.endWatch();
                if (child.stopRequested()) {
                    throw stoppedWhileStarting(child);
                }
                throw new ChildStartException("Child '" + child.name() + "' (pid " + child.pid() + ") exited with code "
                        + child.process().exitValue() + " before it became ready" + lastOutput(child));
            }
            try {
                if ((check == null || check.isReady(child.pid())) && child.markRunning()) {
                    return;
                }
            } catch (Exception e) {
                lastFailure = e;
                LOG.debug("Readiness check of child '{}' failed", child.name(), e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw timedOut(child, options.readyTimeout(), lastFailure);
            }
            child.waitFor(poll);
        }
    }

    /** A guard that refuses now (a shutdown began) ends the start: the child is stopped gracefully first. */
    private void checkGuards(Child child, Set<StartGuard> guards) throws InterruptedException {
        for (StartGuard guard : guards) {
            try {
                guard.checkStart(child.name());
            } catch (RuntimeException refused) {
                StopResult result = getEndpoint().getComponent().stop(child, stopPolicy);
                LOG.info("Child '{}' (pid {}) stopped while starting, exit code {}", child.name(), child.pid(),
                        result.exitCode());
                throw refused;
            }
        }
    }

    private SuperviseException timedOut(Child child, long timeoutSeconds, Exception lastFailure)
            throws InterruptedException {
        StopResult result = getEndpoint().getComponent().stop(child, stopPolicy);
        String cause = lastFailure == null ? "" : "; last readiness check failure: " + lastFailure;
        return new ChildStartException("Child '" + child.name() + "' (pid " + child.pid()
                + ") timed out: not ready within " + timeoutSeconds + " s, stopped it with exit code "
                + result.exitCode() + cause + lastOutput(child));
    }

    private static SuperviseException stoppedWhileStarting(Child child) {
        return new SuperviseException("Child '" + child.name() + "' (pid " + child.pid() + ") was stopped while starting");
    }

    private static String lastOutput(Child child) {
        String output = child.lastOutput();
        return output.isEmpty() ? "; no output" : "; last output:\n" + output;
    }

    private void stop(Message in) throws InterruptedException {
        Child child = getEndpoint().getComponent().child(getEndpoint().getName());
        if (child == null || !child.isAlive()) {
            in.setHeader(SuperviseConstants.STOPPED, false);
            return;
        }
        StopResult result = getEndpoint().getComponent().stop(child, stopPolicy);
        in.setHeader(SuperviseConstants.STOPPED, true);
        in.setHeader(SuperviseConstants.EXIT_CODE, result.exitCode());
        in.setHeader(SuperviseConstants.FORCED, result.forced());
    }

    private void status(Message in) {
        Child child = getEndpoint().getComponent().child(getEndpoint().getName());
        boolean running = child != null && child.isAlive();
        in.setHeader(SuperviseConstants.RUNNING, running);
        if (running) {
            in.setHeader(SuperviseConstants.PID, child.pid());
        }
    }
}
