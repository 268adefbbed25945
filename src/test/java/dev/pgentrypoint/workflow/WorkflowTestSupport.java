package dev.pgentrypoint.workflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.MainAccess;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.lifecycle.Lifecycle;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.mock.InterceptSendToMockEndpointStrategy;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the real Camel Main (Main.wire, application.properties) over the real workflows/ and
 * routes/, with every step that would touch the system replaced by a mock that records it and
 * skips the real endpoint: the module steps the workflow calls, exec: and supervise:. What stays
 * real is what these tests pin: the workflow's order and choices, the phase error policy
 * (routes/utils/errors), the cleanup sequence, the shutdown route, the startup branch
 * (runtime-startup-main), the dry-run plan, and the lifecycle's exit code. No process is started.
 */
abstract class WorkflowTestSupport {
    static final Path PROJECT = Path.of("").toAbsolutePath();
    /** The module steps, plus exec and supervise: recorded and skipped. */
    static final String SKIPPED = "direct:(init|security)-.*|direct:util-(?!plan-print).*"
            + "|direct:runtime-startup-(validate|direct|patroni|sleep|cleanup)|direct:runtime-(backup|patroni|upgrade|credentials|collation)-.*|exec:.*|supervise:.*";
    /** The cleanup sequence of workflows/entrypoint.camel.yaml, in reverse order of the modules. */
    static final List<String> CLEANUP_ORDER = List.of("runtime-backup-cleanup", "runtime-startup-cleanup", "init-scripts-cleanup",
            "init-backup-cleanup", "init-patroni-cleanup", "init-config-cleanup", "init-database-cleanup", "init-upgrade-cleanup", "util-lock-cleanup");

    @TempDir
    Path tmp;

    org.apache.camel.main.Main main;
    CamelContext context;
    Lifecycle lifecycle;
    final CountDownLatch exited = new CountDownLatch(1);
    final List<Integer> halted = Collections.synchronizedList(new ArrayList<>());
    /** Every skipped step in the order it was reached: a route id, or exec:/supervise: with the URI. */
    final List<String> steps = Collections.synchronizedList(new ArrayList<>());

    /** Wires and starts Camel Main over {@code workflows} and {@code routes}; the workflow is not started yet. */
    void boot(Map<String, String> extraEnv, Path workflows, Path routes) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("WORKFLOWS_DIR", workflows.toString());
        env.put("ROUTES_DIR", routes.toString());
        env.put("STATE_FILE", tmp.resolve("state.json").toString());
        env.put("LOCK_FILE", tmp.resolve("lock").toString());
        env.put("PGDATA", tmp.resolve("data").toString());
        env.put("POSTGRES_PASSWORD", "route-test");
        env.put("SHUTDOWN_TIMEOUT", "1");
        env.put("MANAGEMENT_ENABLED", "false");
        env.putAll(extraEnv);
        MainAccess.Wired wired = MainAccess.wire(env, PROJECT.resolve("src/main/dist"), halted::add);
        main = wired.main();
        lifecycle = wired.lifecycle();
        main.addOverrideProperty("camel.main.autoStartupExcludePattern", "entrypoint,runtime-healthcheck-poll");
        main.addOverrideProperty("camel.main.shutdownTimeout", "1");
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport m) {
                m.getCamelContext().getCamelContextExtension()
                        .registerEndpointCallback(new InterceptSendToMockEndpointStrategy(SKIPPED, true));
                lifecycle.attach(m.getCamelContext(), exited::countDown);
            }
        });
        main.start();
        context = main.getCamelContext();
    }

    void boot(Map<String, String> extraEnv) throws Exception {
        boot(extraEnv, PROJECT.resolve("workflows"), PROJECT.resolve("routes"));
    }

    /** The mock that stands for a skipped step: a route id, or the exec:/supervise: URI. */
    MockEndpoint step(String name) {
        for (var endpoint : context.getEndpoints()) {
            if (endpoint instanceof MockEndpoint mock && name.equals(nameOf(mock))) {
                return mock;
            }
        }
        throw new AssertionError("no step " + name + " is replaced; replaced: "
                + context.getEndpoints().stream().filter(e -> e instanceof MockEndpoint).map(e -> nameOf((MockEndpoint) e)).toList());
    }

    static String nameOf(MockEndpoint mock) {
        String uri = mock.getEndpointUri().replaceFirst("^mock:(//)?", "");
        if (uri.startsWith("direct:")) {
            return uri.replaceFirst("^direct:(//)?", "").replaceFirst("\\?.*", "");
        }
        return uri;
    }

    /** Records every skipped step in {@link #steps}; call after boot, before the workflow runs. */
    void recordSteps() {
        for (var endpoint : context.getEndpoints()) {
            if (endpoint instanceof MockEndpoint mock) {
                String name = nameOf(mock);
                mock.whenAnyExchangeReceived(exchange -> steps.add(name));
            }
        }
    }

    /** Makes {@code routeId}'s step do {@code action} when the workflow reaches it (after recording it). */
    void onStep(String name, Processor action) {
        step(name).whenAnyExchangeReceived(exchange -> {
            steps.add(name);
            action.process(exchange);
        });
    }

    /** Starts the workflow (the entrypoint route) and waits until it ends the entrypoint; returns the exit code. */
    ExitCode runWorkflow() throws Exception {
        context.getRouteController().startRoute("entrypoint");
        return awaitExit();
    }

    ExitCode awaitExit() throws InterruptedException {
        assertTrue(exited.await(20, TimeUnit.SECONDS), "the workflow did not end the entrypoint; steps: " + steps);
        return lifecycle.exitCode();
    }

    /** Waits until the workflow's exchange has completed (the workflow ran to its end without exiting). */
    void awaitWorkflowEnd() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (context.getInflightRepository().size("entrypoint") > 0 || !steps.contains("runtime-backup-start")) {
            assertTrue(System.nanoTime() < deadline, "the workflow did not reach its end; steps: " + steps);
            Thread.sleep(5);
        }
    }

    /** The steps reached, without the validate steps (they run first, always). */
    List<String> stepsAfterValidation() {
        List<String> copy = new ArrayList<>(steps);
        copy.removeIf(s -> s.endsWith("-validate") || s.equals("util-validation-report"));
        return copy;
    }

    /** The recorded state-file state. */
    State fileState() {
        return StateMachine.read(tmp.resolve("state.json")).map(r -> r.state()).orElse(null);
    }

    static void fail(Exchange exchange, String why) {
        throw new IllegalStateException(why);
    }

    Path copyOfYaml() throws Exception {
        Path copy = tmp.resolve("yaml");
        for (String dir : List.of("workflows", "routes")) {
            try (var files = Files.walk(PROJECT.resolve(dir))) {
                for (Path file : files.toList()) {
                    Path target = copy.resolve(PROJECT.relativize(file));
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(file, target);
                    }
                }
            }
        }
        return copy;
    }

    @AfterEach
    void stopCamel() {
        if (main != null) {
            context.getShutdownStrategy().setTimeUnit(TimeUnit.MILLISECONDS);
            context.getShutdownStrategy().setTimeout(200);
            main.stop();
        }
    }
}
