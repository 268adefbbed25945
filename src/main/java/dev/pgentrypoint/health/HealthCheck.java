package dev.pgentrypoint.health;

import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.state.State;
import dev.pgentrypoint.state.StateMachine;
import dev.pgentrypoint.state.StateRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The basic health checks: the entrypoint's state, the postmaster process (postmaster.pid names a
 * live process that says "ready"), and connectivity (pg_isready, a protocol-level answer).
 */
public final class HealthCheck {
    /** The outcome of a check. */
    public record Result(boolean healthy, String reason) {
    }

    private final Settings settings;
    private final Optional<PgBinaries> binaries;

    public HealthCheck(Settings settings, Optional<PgBinaries> binaries) {
        this.settings = settings;
        this.binaries = binaries;
    }

    public Result run(String type) {
        return switch (type) {
            case "state" -> state();
            case "process" -> process();
            case "connectivity" -> connectivity();
            case "all" -> all();
            default -> new Result(false, "unknown check type " + type + " (use connectivity|process|state|all)");
        };
    }

    private Result all() {
        Result s = state();
        if (!s.healthy() || s.reason().contains("sleep")) {
            return s;
        }
        for (Result r : List.of(process(), connectivity())) {
            if (!r.healthy()) {
                return r;
            }
        }
        return new Result(true, "state RUNNING, postmaster ready, accepting connections on port " + settings.port());
    }

    Result state() {
        Optional<StateRecord> record = StateMachine.read(settings.stateFile());
        if (record.isEmpty()) {
            return new Result(false, "no state in STATE_FILE " + settings.stateFile() + ": the entrypoint is not running");
        }
        State s = record.get().state();
        if (s == State.RUNNING) {
            return new Result(true, "state RUNNING since " + record.get().since());
        }
        if (s == State.READY && "sleep".equals(settings.startupMode())) {
            return new Result(true, "state READY (sleep mode, no server)");
        }
        return new Result(false, "state " + s + " since " + record.get().since());
    }

    Result process() {
        Path pidFile = Path.of(settings.pgdata(), "postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            long pid = Long.parseLong(lines.get(0).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                String status = lines.size() >= 8 ? lines.get(7).trim() : "unknown";
                return "ready".equals(status) ? new Result(true, "postmaster pid " + pid + " ready")
                        : new Result(false, "postmaster pid " + pid + " status " + status);
            }
            return new Result(false, "postmaster pid " + pid + " from " + pidFile + " is not running");
        } catch (IOException | RuntimeException e) {
            return new Result(false, "no postmaster: cannot read " + pidFile);
        }
    }

    Result connectivity() {
        if (binaries.isEmpty()) {
            return new Result(false, "no PostgreSQL binaries found to run pg_isready");
        }
        try {
            // -U: without it libpq asks the OS for the user name, which an arbitrary uid may not have
            Process p = new ProcessBuilder(binaries.get().tool("pg_isready").toString(), "-q", "-h", settings.socketDir(),
                    "-p", String.valueOf(settings.port()), "-U", settings.superuser(), "-t", "3")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(false, "pg_isready did not answer within 5 s");
            }
            return switch (p.exitValue()) {
                case 0 -> new Result(true, "accepting connections");
                case 1 -> new Result(false, "server is rejecting connections (starting up or shutting down)");
                case 2 -> new Result(false, "no response from the server on " + settings.socketDir() + " port " + settings.port());
                default -> new Result(false, "pg_isready failed with exit code " + p.exitValue());
            };
        } catch (IOException e) {
            return new Result(false, "cannot run pg_isready: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        }
    }
}
