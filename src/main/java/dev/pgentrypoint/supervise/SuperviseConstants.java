package dev.pgentrypoint.supervise;

final class SuperviseConstants {

    static final String ENVIRONMENT = "SuperviseEnvironment";
    static final String REMOVE_ENVIRONMENT = "SuperviseRemoveEnvironment";
    static final String PID = "SupervisePid";
    static final String NAME = "SuperviseName";
    static final String RUNNING = "SuperviseRunning";
    static final String STOPPED = "SuperviseStopped";
    static final String EXIT_CODE = "SuperviseExitCode";
    static final String FORCED = "SuperviseForced";
    static final String LAST_OUTPUT = "SuperviseLastOutput";

    private SuperviseConstants() {
    }
}
