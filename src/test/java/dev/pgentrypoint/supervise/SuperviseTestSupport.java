package dev.pgentrypoint.supervise;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Camel context with bash children in a temp dir; every process started by a test is killed afterwards. */
abstract class SuperviseTestSupport {

    static final List<String> CHILDREN = List.of("graceful", "quitter", "stubborn", "exiter", "early", "slow", "tree");
    static final String READY_CHECK = "readyCheck=#readyFile&readyPollMillis=20";

    @TempDir
    Path dir;
    Path readyFile;
    DefaultCamelContext context;
    ProducerTemplate template;
    SuperviseComponent component;
    final Set<Long> checkedPids = ConcurrentHashMap.newKeySet();
    final BlockingQueue<Exchange> exits = new LinkedBlockingQueue<>();
    final ListAppender<ILoggingEvent> childLog = new ListAppender<>();

    @BeforeAll
    static void quietLogging() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.INFO);
    }

    @BeforeEach
    void startContext() throws Exception {
        readyFile = dir.resolve("ready");
        childLog.start();
        for (String name : CHILDREN) {
            Logger logger = (Logger) LoggerFactory.getLogger("child." + name);
            logger.setLevel(Level.INFO);
            logger.addAppender(childLog);
        }
        context = new DefaultCamelContext();
        context.getRegistry().bind("readyFile", ReadinessCheck.class, (ReadinessCheck) pid -> {
            checkedPids.add(pid);
            return Files.exists(readyFile);
        });
        context.getRegistry().bind("serverPid", EscalationTarget.class, (EscalationTarget) childPid -> {
            try {
                return OptionalLong.of(Long.parseLong(Files.readString(dir.resolve("server.pid")).strip()));
            } catch (IOException | NumberFormatException e) {
                return OptionalLong.empty();
            }
        });
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String name : List.of("graceful", "exiter", "slow")) {
                    from("supervise:" + name).routeId("exit-" + name).process(exits::add);
                }
            }
        });
        context.start();
        template = context.createProducerTemplate();
        component = context.getComponent("supervise", SuperviseComponent.class);
    }

    @AfterEach
    void stopEverything() {
        try {
            context.stop();
        } finally {
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
            for (String name : CHILDREN) {
                ((Logger) LoggerFactory.getLogger("child." + name)).detachAppender(childLog);
            }
            childLog.stop();
        }
    }

    /** Writes an executable bash script whose body runs after the shebang. */
    Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name + ".sh");
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** Bash body ending in a loop that keeps the child alive and lets traps run between short sleeps. */
    static String loopForever() {
        return "while :; do sleep 0.05; done";
    }

    Exchange start(String uri, Path script) {
        return start(uri, List.of(script.toString()), Map.of(), List.of());
    }

    Exchange start(String uri, List<String> command, Map<String, String> environment, List<String> removeEnvironment) {
        Map<String, String> env = new HashMap<>(environment);
        env.put("READY_FILE", readyFile.toString());
        return template.request(uri, exchange -> {
            exchange.getIn().setBody(command);
            exchange.getIn().setHeader("SuperviseEnvironment", env);
            exchange.getIn().setHeader("SuperviseRemoveEnvironment", removeEnvironment);
        });
    }

    Exchange call(String uri) {
        return template.request(uri, exchange -> { });
    }

    static long pidOf(Exchange exchange) {
        return exchange.getMessage().getHeader("SupervisePid", Long.class);
    }

    static void assertAlive(long pid) {
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " should be alive");
    }

    static void assertGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " should be gone");
    }

    List<ILoggingEvent> childEvents(String name) {
        synchronized (childLog) {
            return new ArrayList<>(childLog.list).stream().filter(e -> e.getLoggerName().equals("child." + name)).toList();
        }
    }
}
