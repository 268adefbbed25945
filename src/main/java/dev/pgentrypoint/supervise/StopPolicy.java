package dev.pgentrypoint.supervise;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Signal escalation used to stop a child: stop signal, then escalation signal, then SIGKILL. */
record StopPolicy(String stopSignal, Duration stopTimeout, String escalateSignal, Duration escalateTimeout) {

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
            if (!signalAndWait(child, escalateSignal, escalateTimeout)) {
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

    private static boolean signalAndWait(Child child, String signal, Duration timeout) throws InterruptedException {
        if (child.isAlive()) {
            if (KILL.equals(signal)) {
                child.process().destroyForcibly();
            } else {
                sendSignal(child, signal);
            }
        }
        return child.waitFor(timeout);
    }

    private static void sendSignal(Child child, String signal) throws InterruptedException {
        Process kill;
        try {
            kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            LOG.warn("Cannot run kill to send SIG{} to child '{}' (pid {}): {}", signal, child.name(), child.pid(),
                    e.getMessage());
            return;
        }
        String output;
        try (InputStream in = kill.getInputStream()) {
            output = new String(in.readAllBytes(), Charset.defaultCharset()).strip();
        } catch (IOException e) {
            output = e.toString();
        }
        int code = kill.waitFor();
        if (code != 0 && child.isAlive()) {
            LOG.warn("kill -{} {} for child '{}' failed with code {}: {}", signal, child.pid(), child.name(), code, output);
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
