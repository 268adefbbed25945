package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.os.Signals;
import dev.pgentrypoint.supervise.SuperviseComponent;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entrypoint's child processes: the servers the {@code supervise} component runs, and the one-shot
 * commands (initdb, psql, scripts) that a stop interrupts.
 */
final class Children {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.lifecycle");
    /** The supervised servers, in the order SIGHUP looks for one. */
    private static final List<String> SERVERS = List.of("postgres", "patroni");

    private volatile CamelContext context;

    void attach(CamelContext context) {
        this.context = context;
    }

    CamelContext context() {
        return context;
    }

    /** The pid of a supervised child, empty when it is not running. */
    OptionalLong supervisedPid(String name) {
        SuperviseComponent supervise = supervise();
        return supervise == null ? OptionalLong.empty() : supervise.pid(name);
    }

    /** SIGHUP to the server that runs (PostgreSQL, or Patroni); false when none does. */
    boolean reload() {
        for (String name : SERVERS) {
            OptionalLong pid = supervisedPid(name);
            if (pid.isPresent()) {
                LOG.info("signal=HUP action=reload target={} pid={}", name, pid.getAsLong());
                Signals.send(pid.getAsLong(), "HUP");
                return true;
            }
        }
        return false;
    }

    /**
     * Sends the signal to one-shot commands (initdb, psql, scripts and what they started), never to the
     * supervised children or their watchers: with SIGTERM the workflow stops at its current step and initdb
     * removes what it created (SIGTERM rather than SIGINT: a shell script waiting for a command carries on
     * after its child dies of SIGINT).
     */
    void interruptCommands(String signal) {
        Set<Long> supervised = new HashSet<>();
        SuperviseComponent supervise = supervise();
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

    private SuperviseComponent supervise() {
        CamelContext c = context;
        return c == null ? null : c.getComponent("supervise", SuperviseComponent.class);
    }
}
