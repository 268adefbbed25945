package dev.pgentrypoint.health;

import dev.pgentrypoint.collation.CollationDrift;
import dev.pgentrypoint.collation.Drift;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The collation drift found at this start: DEGRADED while a database's collation version differs from
 * the one recorded at its creation, with each drifted collation and the commands that fix it in the details.
 * Part of "all" only: the server serves, but indexes on text may be corrupt.
 */
final class CollationCheck extends BaseCheck {
    private final Supplier<Optional<CollationDrift.Findings>> findings;

    CollationCheck(Supplier<Optional<CollationDrift.Findings>> findings) {
        super("collation", false, false);
        this.findings = findings;
    }

    @Override
    public CheckResult check() {
        Optional<CollationDrift.Findings> found = findings.get();
        if (found.isEmpty()) {
            return CheckResult.up(name(), "not compared at this start (a new cluster, Patroni mode, PostgreSQL before "
                    + "10, or the server has not started yet)");
        }
        if (!found.get().failure().isEmpty()) {
            return CheckResult.up(name(), "the collation versions could not be compared at this start ("
                    + found.get().failure() + ")");
        }
        List<Drift> drifts = found.get().drifts();
        if (drifts.isEmpty()) {
            return CheckResult.up(name(), "no database's collation version changed");
        }
        List<Map<String, Object>> databases = drifts.stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("database", d.database());
            if (!d.ofDatabase()) {
                m.put("collation", d.collation());
            }
            m.put("recorded", d.recorded());
            m.put("actual", d.actual());
            m.put("fix", d.fixes());
            return m;
        }).toList();
        return CheckResult.degraded(name(), "the collation version changed in database(s) "
                + String.join(", ", drifts.stream().map(Drift::database).distinct().toList())
                + ": indexes on text may be corrupt; in each, run REINDEX DATABASE, then refresh the recorded "
                + "version (see details)").withDetails(Map.of("drifted", databases));
    }
}
