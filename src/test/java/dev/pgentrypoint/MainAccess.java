package dev.pgentrypoint;

import dev.pgentrypoint.lifecycle.Lifecycle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/** Main's wiring for tests in other packages (the route tests). */
public final class MainAccess {
    private MainAccess() {
    }

    /** What the route tests use of the wiring. */
    public record Wired(org.apache.camel.main.Main main, Lifecycle lifecycle) {
    }

    public static Wired wire(Map<String, String> env, Path home, IntConsumer halt) {
        Main.Wiring wiring = Main.wire(env, List.of(), home, halt);
        return new Wired(wiring.main(), wiring.lifecycle());
    }
}
