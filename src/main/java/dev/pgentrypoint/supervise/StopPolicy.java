package dev.pgentrypoint.supervise;

import dev.pgentrypoint.os.Signals;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signal escalation used to stop a child: stop signal, then escalation signal, then SIGKILL to the child
 * and every process below it. With an {@link EscalationTarget} the escalation signal goes to the process
 * it names (the postmaster a Patroni child runs), so the child sees it stop and can finish its own shutdown.
 */
record StopPolicy(String stopSignal, Duration stopTimeout, String escalateSignal, Duration escalateTimeout,
        EscalationTarget escalateTarget) {

    private static final Logger LOG = LoggerFactory.getLogger(StopPolicy.class);
    private static final Pattern SIGNAL_NAME = Pattern.compile("[A-Z][A-Z0-9+-]*|[0-9]+");
    private static final String KILL = "KILL";
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    StopPolicy {
        stopSignal = normalize(stopSignal);
        escalateSignal = normalize(escalateSignal);
    }

    StopResult stop(Child child) throws InterruptedException {
        child.requestStop();
        boolean forced = false;
        if (!signalAndWait(child, stopSignal, stopTimeout)) {
            forced = true;
            LOG.warn("Child '{}' (pid {}) still running {} s after SIG{}, sending SIG{}",
                    child.name(), child.pid(), stopTimeout.toSeconds(), stopSignal, escalateSignal);
            if (!escalate(child)) {
                LOG.warn("Child '{}' (pid {}) still running {} s after SIG{}, sending SIGKILL",
                        child.name(), child.pid(), escalateTimeout.toSeconds(), escalateSignal);
                if (!signalAndWait(child, KILL, KILL_TIMEOUT)) {
                    throw new SuperviseException("Child '" + child.name() + "' (pid " + child.pid()
                            + ") did not exit within " + KILL_TIMEOUT.toSeconds() + " s after SIGKILL");
                }
            }
        }
        child.awaitOutput();
        return new StopResult(child.process().exitValue(), forced);
    }

    private boolean escalate(Child child) throws InterruptedException {
        OptionalLong target = escalateTarget == null ? OptionalLong.empty() : escalateTarget.pid(child.pid());
        if (target.isEmpty()) {
            return signalAndWait(child, escalateSignal, escalateTimeout);
        }
        LOG.warn("Sending SIG{} to pid {} for child '{}'", escalateSignal, target.getAsLong(), child.name());
        sendSignal(child, target.getAsLong(), escalateSignal);
        return child.waitFor(escalateTimeout);
    }

    private static boolean signalAndWait(Child child, String signal, Duration timeout) throws InterruptedException {
        if (child.isAlive()) {
            if (KILL.equals(signal)) {
                List<ProcessHandle> below = child.process().descendants().toList();
                child.process().destroyForcibly();
                below.forEach(ProcessHandle::destroyForcibly);
            } else {
                sendSignal(child, child.pid(), signal);
            }
        }
        return child.waitFor(timeout);
    }

    private static void sendSignal(Child child, long pid, String signal) throws InterruptedException {
        Signals.Outcome kill;
        try {
            kill = Signals.kill(pid, signal);
        } catch (IOException e) {
            LOG.warn("Cannot run kill to send SIG{} to pid {} of child '{}': {}", signal, pid, child.name(),
                    e.getMessage());
            return;
        }
        if (!kill.sent() && child.isAlive()) {
            LOG.warn("kill -{} {} for child '{}' failed with code {}: {}", signal, pid, child.name(), kill.exitCode(),
                    kill.output());
        }
    }

    private static String normalize(String signal) {
        String name = signal.strip().toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (!SIGNAL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid signal name: " + signal);
        }
        return name;
    }
}
