package dev.pgentrypoint.lifecycle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.exec.ExecException;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** A failing command's output reaches the log and the failure's reason with the secrets of the process masked. */
class FailureMaskingTest {

    private static final String SECRET = "cipher-Pa55-for-a-test";

    @TempDir
    Path dir;

    private static ExecException failedCommand(String stderr) {
        return new ExecException("The command ExecCommand [args=[--stanza=main, backup], executable=/usr/bin/pgbackrest, "
                + "timeout=600000, exitValues=[0], outFile=null, workingDir=null, commandLogLevel=DEBUG, "
                + "useStderrOnEmptyStdout=false] had exit value 41", new ByteArrayInputStream(new byte[0]),
                new ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8)), 41);
    }

    @Test
    void theReasonOfAFailedCommandMasksItsOutput() {
        Masking.register(List.of(SECRET));
        String reason = Failures.reason(new RuntimeCamelException("wrapped",
                failedCommand("ERROR: [041]: unable to decrypt with passphrase '" + SECRET + "'\n")));
        assertTrue(reason.contains("unable to decrypt with passphrase '****'"), reason);
        assertFalse(reason.contains(SECRET), reason);

        String ours = Failures.reason(new EntrypointException("init-backup-recover", ExitCode.INIT_FAILED,
                "psql exit 2: password " + SECRET + " refused"));
        assertTrue(ours.endsWith("psql exit 2: password **** refused"), ours);
    }

    @Test
    void theFailureLineInTheLogMasksTheCommandsOutput() throws Exception {
        Masking.register(List.of(SECRET));
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger logger = (Logger) LoggerFactory.getLogger("pg-entrypoint.lifecycle");
        logger.addAppender(log);
        StateMachine state = new StateMachine(dir.resolve("state"), Clock.systemUTC());
        state.transition(State.INITIALIZING);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new RuntimeCamelException("wrapped",
                    failedCommand("stanza-create: repo1-cipher-pass=" + SECRET + " is not valid\n")));
            exchange.setProperty(Exchange.FAILURE_ROUTE_ID, "init-backup-main");
            new Lifecycle(state, 30, code -> { }).failInit(exchange);
        } finally {
            logger.detachAppender(log);
        }
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("step=init-backup-main failed")
                && l.contains("repo1-cipher-pass=**** is not valid")), lines::toString);
        assertTrue(lines.stream().noneMatch(l -> l.contains(SECRET)), lines::toString);
    }
}
