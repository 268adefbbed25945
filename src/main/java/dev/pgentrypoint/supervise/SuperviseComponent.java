package dev.pgentrypoint.supervise;

import dev.pgentrypoint.camel.NamedComponent;
import java.io.IOException;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.spi.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Camel component {@code supervise:<name>} that owns all supervised children of one Camel context. */
@Component("supervise")
public class SuperviseComponent extends NamedComponent {

    private static final Logger LOG = LoggerFactory.getLogger(SuperviseComponent.class);

    private final ConcurrentMap<String, Child> children = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, SuperviseConsumer> consumers = new ConcurrentHashMap<>();

    private final PropertyConfigurer optionsConfigurer = new SuperviseOptionsConfigurer();

    public SuperviseComponent() {
        super("supervise endpoint needs a child name: supervise:<name>", SuperviseEndpoint::new);
    }

    /** Binds an endpoint's URI options to its {@link SuperviseOptions}. */
    @Override
    public PropertyConfigurer getEndpointPropertyConfigurer() {
        return optionsConfigurer;
    }

    /** Names of children whose process is currently alive. */
    public Set<String> running() {
        Set<String> names = new TreeSet<>();
        children.forEach((name, child) -> {
            if (child.isAlive()) {
                names.add(name);
            }
        });
        return names;
    }

    /** PIDs of the watchers that stop the children should this JVM die (not to be signalled as commands). */
    public Set<Long> watchers() {
        Set<Long> pids = new java.util.HashSet<>();
        children.values().forEach(c -> c.watcherPid().ifPresent(pids::add));
        return pids;
    }

    /** PID of the named child if it is alive. */
    public OptionalLong pid(String name) {
        Child child = children.get(name);
        return child != null && child.isAlive() ? OptionalLong.of(child.pid()) : OptionalLong.empty();
    }

    synchronized Child launch(String name, ProcessBuilder builder, StopPolicy stopPolicy) {
        Child existing = children.get(name);
        if (existing != null && existing.isAlive()) {
            throw new SuperviseException("Child '" + name + "' is already running (pid " + existing.pid() + ")");
        }
        Child child;
        try {
            child = Child.launch(name, builder, stopPolicy);
        } catch (IOException e) {
            throw new SuperviseException("Cannot start child '" + name + "': " + e.getMessage(), e);
        }
        children.put(name, child);
        // the JDK's process reaper already waits for the child: its exit is handled on a thread made then
        child.process().onExit().thenRunAsync(() -> awaitExit(child), task -> {
            Thread exited = new Thread(task, "supervise-" + name + "-exited");
            exited.setDaemon(true);
            exited.start();
        });
        LOG.info("Started child '{}' (pid {})", name, child.pid());
        return child;
    }

    Child child(String name) {
        return children.get(name);
    }

    StopResult stop(Child child, StopPolicy policy) throws InterruptedException {
        StopResult result = policy.stop(child);
        LOG.info("Stopped child '{}' (pid {}) with exit code {}{}", child.name(), child.pid(), result.exitCode(),
                result.forced() ? " after escalation" : "");
        return result;
    }

    void register(SuperviseConsumer consumer) {
        String name = consumer.getEndpoint().getName();
        if (consumers.putIfAbsent(name, consumer) != null) {
            throw new SuperviseException("Only one route may consume supervise:" + name);
        }
    }

    void unregister(SuperviseConsumer consumer) {
        consumers.remove(consumer.getEndpoint().getName(), consumer);
    }

    private void awaitExit(Child child) {
        int exitCode;
        try {
            exitCode = child.process().waitFor();
            child.awaitOutput();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        child.endWatch();
        boolean unexpected = child.markExited();
        children.remove(child.name(), child);
        if (!unexpected) {
            return;
        }
        SuperviseConsumer consumer = consumers.get(child.name());
        if (consumer == null) {
            LOG.warn("Child '{}' (pid {}) exited unexpectedly with code {} and no route consumes supervise:{}",
                    child.name(), child.pid(), exitCode, child.name());
        } else {
            consumer.childExited(child, exitCode);
        }
    }

    @Override
    protected void doStop() throws Exception {
        for (Child child : children.values()) {
            if (child.isAlive()) {
                LOG.warn("Camel context stopping while child '{}' (pid {}) is still running; stopping it",
                        child.name(), child.pid());
                try {
                    stop(child, child.stopPolicy());
                } catch (SuperviseException e) {
                    LOG.error("Could not stop child '{}' (pid {})", child.name(), child.pid(), e);
                }
            }
        }
        super.doStop();
    }
}
