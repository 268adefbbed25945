package dev.pgentrypoint.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import java.io.ByteArrayInputStream;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.exec.ExecException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    private static final String CAMEL = "The command ExecCommand [args=[check, --stanza=main], "
            + "executable=/usr/bin/pgbackrest, timeout=600000, exitValues=[0], outFile=null, "
            + "workingDir=null, commandLogLevel=DEBUG, useStderrOnEmptyStdout=false] had exit value 82";

    private static ExecException exec() {
        return new ExecException(CAMEL, new ByteArrayInputStream(new byte[0]),
                new ByteArrayInputStream("ERROR: [082]: WAL segment was not archived\n".getBytes()), 82);
    }

    @Test
    void ourExceptionOverAFailedCommandCarriesTheCommandItself() {
        ExecException exec = exec();
        EntrypointException e = new EntrypointException("runtime-backup-start", ExitCode.INIT_FAILED,
                "pgBackRest is not usable: " + Failures.reason(exec), exec);
        assertEquals("pgBackRest is not usable: command /usr/bin/pgbackrest check --stanza=main failed (exit value 82)"
                + "\nERROR: [082]: WAL segment was not archived", Failures.reason(e));
    }

    @Test
    void aCommandFailureWithoutOurExceptionIsDescribedFromTheCommand() {
        String reason = Failures.reason(new RuntimeCamelException("wrapped", exec()));
        assertTrue(reason.startsWith("command /usr/bin/pgbackrest check --stanza=main failed (exit value 82)"), reason);
        assertFalse(reason.contains("ExecCommand"), reason);
        assertEquals(" (exit value 82)\nERROR: [082]: WAL segment was not archived", Failures.commandOutput(exec()));
        assertEquals("", Failures.commandOutput(new IllegalStateException("no command")));
    }
}
