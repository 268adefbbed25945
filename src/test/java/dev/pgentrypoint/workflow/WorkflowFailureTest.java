package dev.pgentrypoint.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.state.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A failure in any init step: the steps after it do not run, the cleanups run in reverse order, exit 2, state ERROR. */
class WorkflowFailureTest extends WorkflowTestSupport {
    static final List<String> DIRECT_INIT = List.of("util-lock-acquire", "init-directories-main", "init-backup-directories",
            "util-security-drop-privileges", "init-upgrade-main", "init-database-main", "init-config-main", "init-backup-main",
            "init-scripts-main", "init-credentials-main", "init-collation-main", "init-database-complete");
    static final List<String> PATRONI_INIT = List.of("util-lock-acquire", "init-directories-main", "init-backup-directories",
            "util-security-drop-privileges", "init-patroni-main", "init-backup-main");

    @ParameterizedTest
    @ValueSource(strings = {"util-lock-acquire", "init-directories-main", "init-backup-directories", "util-security-drop-privileges",
        "init-upgrade-main", "init-database-main", "init-config-main", "init-backup-main", "init-scripts-main",
        "init-credentials-main", "init-collation-main", "init-database-complete"})
    void directModeAnInitStepFailsTheCleanupsRunInReverseOrderAndTheExitIs2(String failing) throws Exception {
        assertFailure(Map.of("STARTUP_MODE", "direct"), DIRECT_INIT, failing);
    }

    @ParameterizedTest
    @ValueSource(strings = {"init-patroni-main", "init-backup-main"})
    void patroniModeAnInitStepFailsTheCleanupsRunInReverseOrderAndTheExitIs2(String failing) throws Exception {
        assertFailure(Map.of("STARTUP_MODE", "patroni"), PATRONI_INIT, failing);
    }

    private void assertFailure(Map<String, String> env, List<String> init, String failing) throws Exception {
        boot(env);
        recordSteps();
        onStep(failing, exchange -> fail(exchange, failing + " failed"));

        assertEquals(ExitCode.INIT_FAILED, runWorkflow());

        List<String> expected = new ArrayList<>(init.subList(0, init.indexOf(failing) + 1));
        expected.addAll(CLEANUP_ORDER);
        assertEquals(expected, stepsAfterValidation());
        assertEquals(State.ERROR, fileState());
        assertEquals(List.of(), halted);
    }
}
