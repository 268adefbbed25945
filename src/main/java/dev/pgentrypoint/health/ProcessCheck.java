package dev.pgentrypoint.health;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/** The supervised postmaster is alive, is ours, and its postmaster.pid says ready (or standby). */
final class ProcessCheck extends BaseCheck {
    private final Path pidFile;
    private final Supplier<OptionalLong> supervisedPid;

    /** @param supervisedPid the pid of the child the entrypoint supervises, empty when none */
    ProcessCheck(Path pgdata, Supplier<OptionalLong> supervisedPid) {
        super("process", false, true);
        this.pidFile = pgdata.resolve("postmaster.pid");
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
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return CheckResult.down(name(), "cannot read " + pidFile + " of postgres pid " + pid);
        }
        if (lines.isEmpty() || !lines.get(0).trim().equals(Long.toString(pid))) {
            return CheckResult.down(name(), pidFile + " names another process than our postgres pid " + pid);
        }
        String status = lines.size() >= 8 ? lines.get(7).trim() : "unknown";
        if ("ready".equals(status) || "standby".equals(status)) {
            return CheckResult.up(name(), "postgres pid " + pid + " " + status);
        }
        return CheckResult.down(name(), "postgres pid " + pid + " is " + status);
    }
}
