package dev.pgentrypoint.health;

import dev.pgentrypoint.os.PostmasterPid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** The supervised postmaster is alive, is ours, and its postmaster.pid says ready (or standby). */
final class ProcessCheck extends BaseCheck {
    private final Path pgdata;
    private final Path pidFile;
    private final Supplier<OptionalLong> supervisedPid;

    /** @param supervisedPid the pid of the child the entrypoint supervises, empty when none */
    ProcessCheck(Path pgdata, Supplier<OptionalLong> supervisedPid) {
        super("process", false, true);
        this.pgdata = pgdata;
        this.pidFile = PostmasterPid.in(pgdata);
        this.supervisedPid = supervisedPid;
    }

    @Override
    public CheckResult check() {
        OptionalLong ours = supervisedPid.get();
        if (ours.isEmpty()) {
            return CheckResult.down(name(), "no supervised postgres process");
        }
        long pid = ours.getAsLong();
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return CheckResult.down(name(), "postgres pid " + pid + " is not running");
        }
        PostmasterPid file;
        try {
            file = PostmasterPid.read(pgdata);
        } catch (IOException e) {
            return CheckResult.down(name(), "cannot read " + pidFile + " of postgres pid " + pid);
        }
        if (!file.names(pid)) {
            return CheckResult.down(name(), pidFile + " names another process than our postgres pid " + pid);
        }
        String status = file.status().orElse("unknown");
        if ("ready".equals(status) || "standby".equals(status)) {
            return CheckResult.up(name(), "postgres pid " + pid + " " + status);
        }
        return CheckResult.down(name(), "postgres pid " + pid + " is " + status);
    }
}
