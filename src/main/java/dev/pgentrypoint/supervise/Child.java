package dev.pgentrypoint.supervise;

import dev.pgentrypoint.logging.Masking;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One running child process: its output pumps (each line logged with the process's secrets masked), the tail of
 * its output and its lifecycle state.
 */
final class Child {

    private static final int TAIL_LINES = 50;
    private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(2);

    private final String name;
    private final Process process;
    private final StopPolicy stopPolicy;
    private final OutputTail tail = new OutputTail(TAIL_LINES);
    private final List<Thread> pumps;
    private boolean ready;
    private boolean stopRequested;
    private boolean exited;
    private volatile Process watcher;

    private Child(String name, Process process, StopPolicy stopPolicy) {
        this.name = name;
        this.process = process;
        this.stopPolicy = stopPolicy;
        Logger output = LoggerFactory.getLogger("child." + name);
        this.pumps = List.of(
                pump(output, "stdout", process.getInputStream()),
                pump(output, "stderr", process.getErrorStream()));
    }

    static Child launch(String name, ProcessBuilder builder, StopPolicy stopPolicy) throws IOException {
        Child child = new Child(name, builder.start(), stopPolicy);
        child.pumps.forEach(Thread::start);
        try {
            child.watcher = OrphanWatcher.start(name, child.pid(), stopPolicy);
        } catch (IOException e) {
            LoggerFactory.getLogger(Child.class).warn("Cannot start the watcher of child '{}' (pid {}): {}; it would "
                    + "outlive a killed entrypoint", name, child.pid(), e.getMessage());
        }
        return child;
    }

    /** The watcher's pid, if one runs. */
    java.util.OptionalLong watcherPid() {
        Process w = watcher;
        return w != null && w.isAlive() ? java.util.OptionalLong.of(w.pid()) : java.util.OptionalLong.empty();
    }

    /** The child has exited: its watcher has nothing left to guard. */
    void endWatch() {
        Process w = watcher;
        if (w != null) {
            w.destroyForcibly();
            try {
                // Reaped before the exit is reported, so no one sees a watcher outlive what it watched.
                w.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    StopPolicy stopPolicy() {
        return stopPolicy;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    boolean waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    String lastOutput() {
        return tail.joined();
    }

    /** Waits (bounded) until both output streams are drained so the final lines are logged and buffered. */
    void awaitOutput() throws InterruptedException {
        long deadline = System.nanoTime() + OUTPUT_DRAIN.toNanos();
        for (Thread pump : pumps) {
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining > 0) {
                pump.join(remaining);
            }
        }
    }

    /** @return false if a stop was requested or the child exited before it became ready */
    synchronized boolean markRunning() {
        if (stopRequested || exited) {
            return false;
        }
        ready = true;
        return true;
    }

    synchronized void requestStop() {
        stopRequested = true;
    }

    synchronized boolean stopRequested() {
        return stopRequested;
    }

    /** @return true if the exit was unexpected: the child had become ready and no stop was requested */
    synchronized boolean markExited() {
        exited = true;
        return ready && !stopRequested;
    }

    private Thread pump(Logger output, String stream, InputStream in) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, Charset.defaultCharset()))) {
                String raw;
                while ((raw = reader.readLine()) != null) {
                    String line = Masking.masked(raw);
                    tail.add(line);
                    try (MDC.MDCCloseable source = MDC.putCloseable("source", name);
                            MDC.MDCCloseable kind = MDC.putCloseable("stream", stream)) {
                        output.info("{}", line);
                    }
                }
            } catch (IOException e) {
                output.debug("{} of child '{}' closed: {}", stream, name, e.toString());
            }
        }, "supervise-" + name + "-" + stream);
        thread.setDaemon(true);
        return thread;
    }
}
