package dev.pgentrypoint;

import dev.pgentrypoint.lifecycle.Lifecycle;
import java.util.ArrayList;
import java.util.List;

/**
 * The signal handlers, installed before anything else so that no signal whose default would end the JVM
 * finds it unprotected: SIGTERM and SIGINT stop, SIGHUP reloads, SIGUSR1, SIGUSR2 and SIGALRM are ignored.
 * What arrives before the lifecycle exists is replayed to it once it does (a stop stays a stop).
 */
final class EarlySignals {
    static final List<String> STOP = List.of("TERM", "INT");
    static final List<String> IGNORED = List.of("USR1", "USR2", "ALRM");

    private final List<String> early = new ArrayList<>();
    private Lifecycle lifecycle;

    private EarlySignals() {
    }

    static EarlySignals install() {
        EarlySignals signals = new EarlySignals();
        for (String name : List.of("TERM", "INT", "HUP", "USR1", "USR2", "ALRM")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signals.received(name));
        }
        return signals;
    }

    private void received(String name) {
        Lifecycle target;
        synchronized (this) {
            target = lifecycle;
            if (target == null) {
                early.add(name);
                return;
            }
        }
        dispatch(target, name);
    }

    synchronized void attach(Lifecycle target) {
        lifecycle = target;
        early.forEach(name -> dispatch(target, name));
        early.clear();
    }

    private static void dispatch(Lifecycle lifecycle, String name) {
        if (STOP.contains(name)) {
            lifecycle.onSignal(name);
        } else if (name.equals("HUP")) {
            lifecycle.onReload();
        } else {
            lifecycle.onIgnoredSignal(name);
        }
    }
}
