package dev.pgentrypoint.upgrade;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.logging.Audit;
import dev.pgentrypoint.os.Trees;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ShellWords;
import dev.pgentrypoint.settings.StartupMode;
import dev.pgentrypoint.settings.ValidationReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Module init-upgrade: with {@code POSTGRES_UPGRADE=auto}, a PGDATA of an older major is upgraded with
 * pg_upgrade before the server starts. The routes run the commands; this bean validates, builds their
 * arguments, keeps the journal and does the directory swap.
 */
public final class Upgrade {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.upgrade");
    static final List<String> OLD_TOOLS = List.of("postgres", "pg_ctl", "pg_controldata", "pg_resetwal");
    static final List<String> NEW_TOOLS = List.of("initdb", "pg_upgrade", "psql", "vacuumdb");
    static final List<String> MODES = List.of("link", "copy", "clone");
    /** What an empty new cluster and pg_upgrade's dumps and logs take, beyond the relation files. */
    static final long NEW_CLUSTER_BYTES = 64L << 20;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|kB|KB|MB|GB|TB)?");

    private final Settings settings;
    private final DataDirectory data;
    private final Optional<PgBinaries> binaries;
    private final Database database;
    private final Path versionsRoot;
    private final Clock clock;
    private volatile Journal journal;
    private volatile OldCluster old;
    private volatile long beganMillis;
    private volatile double upgradeSeconds = Double.NaN;
    private volatile double analyzeSeconds = Double.NaN;
    private volatile long analyzeBegan;
    private volatile boolean analyzing;
    private Counter analyzeFailures;

    public Upgrade(Settings settings, DataDirectory data, Optional<PgBinaries> binaries, Database database,
            Path versionsRoot, Clock clock) {
        this.settings = settings;
        this.data = data;
        this.binaries = binaries;
        this.database = database;
        this.versionsRoot = versionsRoot;
        this.clock = clock;
    }

    // ---- settings

    /** {@code POSTGRES_UPGRADE=auto}. */
    public boolean requested() {
        return "auto".equals(settings.raw("POSTGRES_UPGRADE").orElse("").toLowerCase(Locale.ROOT));
    }

    String mode() {
        return settings.raw("POSTGRES_UPGRADE_MODE").orElse("link").toLowerCase(Locale.ROOT);
    }

    boolean keepOld() {
        return settings.raw("POSTGRES_UPGRADE_KEEP_OLD").map(v -> !List.of("0", "false", "no", "off")
                .contains(v.toLowerCase(Locale.ROOT))).orElse(true);
    }

    /** The old major's bin directory: {@code PG_OLD_BIN_DIR}, else {@code /usr/lib/postgresql/<major>/bin}. */
    Path oldBinDir(String oldVersion) {
        return settings.raw("PG_OLD_BIN_DIR").map(Path::of).orElse(versionsRoot.resolve(oldVersion).resolve("bin"));
    }

    Path newBinDir() {
        return binaries.map(PgBinaries::binDir).orElse(Path.of("/nonexistent"));
    }

    /** Properties the route file reads: the timeout of pg_upgrade and the analysis, in milliseconds. */
    public Map<String, String> properties() {
        long seconds = parseLong(settings.raw("POSTGRES_UPGRADE_TIMEOUT").orElse(""), 86400);
        return Map.of("entrypoint.upgrade.timeout", String.valueOf(seconds * 1000L));
    }

    // ---- what to do

    /** Whether an upgrade stopped earlier (a journal next to PGDATA). */
    public boolean pending() {
        return settings.startupMode() != StartupMode.SLEEP && Files.exists(data.upgradeJournal());
    }

    /** Whether PGDATA holds an older major than the binaries and the upgrade was requested. */
    public boolean needed() {
        return requested() && settings.startupMode() != StartupMode.SLEEP && !pending() && olderOnDisk().isPresent();
    }

    /** The version in PG_VERSION when it is an older major than the binaries'. */
    Optional<String> olderOnDisk() {
        if (data.status() != DataDirectory.Status.INITIALIZED) {
            return Optional.empty();
        }
        Optional<String> onDisk = data.version();
        Optional<Integer> binary = binaries.flatMap(PgBinaries::majorVersion);
        if (onDisk.isEmpty() || binary.isEmpty()) {
            return Optional.empty();
        }
        return major(onDisk.get()) < binary.get() ? onDisk : Optional.empty();
    }

    static int major(String version) {
        try {
            return Integer.parseInt(version.contains(".") ? version.substring(0, version.indexOf('.')) : version);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    // ---- validation: before anything changes

    public void validate(ValidationReport report) {
        String value = settings.raw("POSTGRES_UPGRADE").orElse("off").toLowerCase(Locale.ROOT);
        if (!List.of("off", "auto").contains(value)) {
            report.invalid("POSTGRES_UPGRADE", "'" + value + "' is not supported: use auto to upgrade an older major "
                    + "with pg_upgrade on start, or leave it unset (off)");
        }
        if (!MODES.contains(mode())) {
            report.invalid("POSTGRES_UPGRADE_MODE", "'" + mode() + "' is not supported: use link (default), copy or clone");
        }
        if (!settings.isBooleanOrUnset("POSTGRES_UPGRADE_KEEP_OLD")) {
            report.invalid("POSTGRES_UPGRADE_KEEP_OLD", "use true (default: keep the old cluster) or false");
        }
        if (settings.raw("POSTGRES_UPGRADE_FREE_MARGIN").isPresent() && bytes(settings.raw("POSTGRES_UPGRADE_FREE_MARGIN").get()) < 0) {
            report.invalid("POSTGRES_UPGRADE_FREE_MARGIN", "use a size such as 256MB or 2GB");
        }
        if (settings.raw("POSTGRES_UPGRADE_TIMEOUT").isPresent() && parseLong(settings.raw("POSTGRES_UPGRADE_TIMEOUT").get(), -1) <= 0) {
            report.invalid("POSTGRES_UPGRADE_TIMEOUT", "use a number of seconds greater than 0");
        }
        if (pending()) {
            try {
                Journal.read(data.upgradeJournal());
            } catch (IOException e) {
                report.invalid("PGDATA", "an upgrade was interrupted but its journal cannot be read: " + e.getMessage()
                        + ". Inspect " + data.upgradeJournal() + " and docs/upgrade.md before starting again");
            }
            return;
        }
        if (!needed()) {
            return;
        }
        String oldVersion = olderOnDisk().orElseThrow();
        if (settings.startupMode() == StartupMode.PATRONI) {
            report.invalid("POSTGRES_UPGRADE", "an upgrade on start is not supported with STARTUP_MODE=patroni: upgrade "
                    + "the cluster with Patroni's own procedure, or unset POSTGRES_UPGRADE");
            return;
        }
        Path oldBin = oldBinDir(oldVersion);
        List<String> missingOld = OLD_TOOLS.stream().filter(t -> !Files.isExecutable(oldBin.resolve(t))).toList();
        if (!missingOld.isEmpty()) {
            report.invalid(settings.raw("PG_OLD_BIN_DIR").isPresent() ? "PG_OLD_BIN_DIR" : "POSTGRES_UPGRADE",
                    "upgrading PGDATA from PostgreSQL " + oldVersion + " needs that version's binaries, but " + oldBin
                    + " lacks " + String.join(", ", missingOld) + ": install PostgreSQL " + oldVersion
                    + " there (the image's build argument, see docs/upgrade.md) or set PG_OLD_BIN_DIR to its bin directory");
        }
        List<String> missingNew = NEW_TOOLS.stream().filter(t -> !Files.isExecutable(newBinDir().resolve(t))).toList();
        if (!missingNew.isEmpty()) {
            report.invalid("PG_BIN_DIR", newBinDir() + " lacks " + String.join(", ", missingNew) + ", needed to upgrade");
        }
        checkPlace(report);
    }

    /** PGDATA must be renameable (a subdirectory of the volume) and its filesystem must have room for the mode. */
    private void checkPlace(ValidationReport report) {
        Path pgdata = data.path();
        Path parent = pgdata.getParent();
        try {
            if (parent == null || !Files.getFileStore(parent).equals(Files.getFileStore(pgdata))) {
                report.invalid("PGDATA", pgdata + " is a mount point: an upgrade keeps the old cluster aside under a "
                        + "dated name next to PGDATA, so PGDATA must be a subdirectory of the volume (e.g. mount the "
                        + "volume at " + pgdata + "-volume and set PGDATA to a directory inside it)");
                return;
            }
            if (!writableByServerUser(parent)) {
                report.invalid("PGDATA", parent + " (the parent of PGDATA) is not writable by the server's user: an "
                        + "upgrade builds the new cluster and keeps the old one there");
                return;
            }
            long margin = bytes(settings.raw("POSTGRES_UPGRADE_FREE_MARGIN").orElse("256MB"));
            long needed = requiredBytes() + Math.max(margin, 0);
            long free = Files.getFileStore(parent).getUsableSpace();
            if (free < needed) {
                report.invalid("PGDATA", "not enough free space to upgrade in " + mode() + " mode: " + mib(free)
                        + " free on the filesystem of " + parent + ", " + mib(needed) + " needed (" + mib(requiredBytes())
                        + " estimated + POSTGRES_UPGRADE_FREE_MARGIN " + mib(Math.max(margin, 0)) + "). Free space, use "
                        + "POSTGRES_UPGRADE_MODE=link, or lower the margin. Nothing was changed");
            }
        } catch (IOException e) {
            report.invalid("PGDATA", "cannot inspect " + pgdata + " for the upgrade: " + e.getMessage());
        }
    }

    private boolean writableByServerUser(Path dir) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Files.isWritable(dir);
        }
        var perms = Files.getPosixFilePermissions(dir);
        return Files.getOwner(dir).getName().equals(settings.osUser())
                || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
    }

    /** The bytes the upgrade writes next to PGDATA: the new cluster, plus a copy of the relation files in copy mode. */
    long requiredBytes() throws IOException {
        return NEW_CLUSTER_BYTES + ("copy".equals(mode()) ? ClusterFiles.relationBytes(data.path()) : 0);
    }

    // ---- the steps, in the order of routes/init/02-upgrade.camel.yaml

    /** Chooses the work directory and the dated name of the old cluster; writes the journal (PLANNED). */
    public void begin() {
        beganMillis = System.currentTimeMillis();
        String oldVersion = olderOnDisk().orElseThrow(() -> new EntrypointException("init-upgrade-main",
                ExitCode.INIT_FAILED, "PGDATA no longer holds an older major"));
        String stamp = STAMP.format(clock.instant());
        Path pgdata = data.path();
        String name = pgdata.getFileName().toString();
        Path work = pgdata.resolveSibling(name + ".upgrade-" + stamp);
        Path aside = pgdata.resolveSibling(name + ".pg" + oldVersion + "-" + stamp);
        try {
            Files.createDirectory(work);
            Files.createDirectories(upgradeSocketDir());
            Files.setPosixFilePermissions(upgradeSocketDir(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw failed("cannot create the work directory " + work + ": " + e.getMessage(), e);
        }
        journal = new Journal(Phase.PLANNED, oldVersion, binaries.flatMap(PgBinaries::majorVersion).orElse(0), pgdata,
                work, aside, mode(), "", clock.instant().toString());
        save();
        Audit.event("upgrade-begin", Map.of("pgdata", pgdata.toString(), "from", oldVersion,
                "to", String.valueOf(journal.newMajor()), "mode", mode(), "work", work.toString()));
    }

    /** {@code setsid} arguments of the old {@code postgres --single}, reading template0's settings. */
    public List<String> inspectArgs() {
        return List.of(oldBinDir(journal.oldVersion()).resolve("postgres").toString(), "--single", "-D",
                data.path().toString(), "template1");
    }

    public String inspectInput() {
        return OldCluster.query(major(journal.oldVersion()));
    }

    /** The old backend's printout; records the superuser in the journal. */
    public void inspected(String output) {
        try {
            old = OldCluster.parse(output);
        } catch (IllegalArgumentException e) {
            throw failed(e.getMessage(), e);
        }
        journal = journal.withSuperuser(old.superuser());
        save();
        LOG.info("old cluster: version={} encoding={} lc_collate={} lc_ctype={} provider={} checksums={} superuser={}",
                journal.oldVersion(), old.encoding(), old.collate(), old.ctype(), old.provider(), old.checksums(),
                old.superuser());
    }

    /** Records a phase in the journal (the routes call it before each command). */
    public void phase(String next) {
        journal = journal.at(Phase.valueOf(next));
        save();
        LOG.info("upgrade phase={}", next);
    }

    /** {@code setsid} arguments of the new initdb: the old cluster's encoding, locale, checksums and superuser. */
    public List<String> initdbArgs() {
        List<String> args = new ArrayList<>(List.of(newBinDir().resolve("initdb").toString(),
                "--pgdata=" + journal.newCluster(), "--username=" + old.superuser(), "--auth=trust"));
        args.addAll(old.initdbOptions());
        return args;
    }

    /** {@code setsid} arguments of pg_upgrade, with {@code --check} or for the upgrade itself. */
    public List<String> pgUpgradeArgs(boolean check) throws IOException {
        List<String> args = new ArrayList<>(List.of("/usr/bin/env"));
        Optional<Path> pgpass = database.pgpass();
        pgpass.ifPresent(p -> args.add("PGPASSFILE=" + p));
        args.addAll(pgUpgradeCommand(journal, check));
        return args;
    }

    private List<String> pgUpgradeCommand(Journal j, boolean check) {
        List<String> args = new ArrayList<>(List.of(newBinDir().resolve("pg_upgrade").toString(),
                "--old-bindir=" + oldBinDir(j.oldVersion()), "--new-bindir=" + newBinDir(),
                "--old-datadir=" + j.pgdata(), "--new-datadir=" + j.newCluster(),
                "--username=" + (j.superuser().isEmpty() ? "<old superuser>" : j.superuser()),
                "--old-port=" + settings.port(), "--new-port=" + settings.port(), "--socketdir=" + upgradeSocketDir(),
                "--jobs=" + Math.max(1, Runtime.getRuntime().availableProcessors()), "--retain"));
        if (!"copy".equals(j.mode())) {
            args.add("--" + j.mode());
        }
        if (check) {
            args.add("--check");
        }
        return args;
    }

    /**
     * The socket directory of pg_upgrade's servers: a private one, so that neither clients nor the
     * connectivity health check reach them through PG_SOCKET_DIR.
     */
    Path upgradeSocketDir() {
        return Path.of(settings.socketDir(), ".pg_upgrade");
    }

    /** pg_upgrade's working directory: its scripts (update_extensions.sql) land there. */
    public String workDir() {
        return journal.work().toString();
    }

    /** After pg_upgrade: the user's files carried over, the logs kept, old aside and new in place (SWAPPED). */
    public void swap() {
        Journal j = journal;
        Path pgdata = j.pgdata();
        Path fresh = j.newCluster();
        try {
            if (Files.isDirectory(fresh)) {
                Path oldNow = Files.isDirectory(j.aside()) ? j.aside() : pgdata;
                List<String> carried = ClusterFiles.carry(oldNow, fresh);
                LOG.info("carried to the new cluster: {}", String.join(", ", carried));
                Path logs = fresh.resolve("pg_upgrade_output.d");
                if (Files.isDirectory(logs)) {
                    Files.move(logs, j.work().resolve("pg_upgrade_output.d"), StandardCopyOption.REPLACE_EXISTING);
                }
                // its rm -rf names the old path, which is about to hold the new cluster
                Files.deleteIfExists(j.work().resolve("delete_old_cluster.sh"));
                if (Files.exists(pgdata) && !Files.exists(j.aside())) {
                    Files.move(pgdata, j.aside(), StandardCopyOption.ATOMIC_MOVE);
                }
                if (!Files.exists(pgdata)) {
                    Files.move(fresh, pgdata, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw failed("cannot swap the clusters: " + e.getMessage() + " (the journal " + data.upgradeJournal()
                    + " lets the next start finish the swap)", e);
        }
        journal = j.at(Phase.SWAPPED);
        save();
        try {
            Files.deleteIfExists(upgradeSocketDir());
        } catch (IOException e) {
            LOG.debug("{} stays: {}", upgradeSocketDir(), e.getMessage());
        }
        if (beganMillis > 0) {
            upgradeSeconds = (System.currentTimeMillis() - beganMillis) / 1000.0;
        }
        Audit.event("upgrade-swap", Map.of("pgdata", pgdata.toString(), "old", j.aside().toString(),
                "version", String.valueOf(j.newMajor())));
    }

    /** A facts line for the READY transition. */
    public String summary() {
        Journal j = journal;
        return j == null ? "" : j.oldVersion() + "->" + j.newMajor() + " mode=" + j.mode() + " old=" + j.aside();
    }

    // ---- recovery at the next start

    /**
     * Resumes or rolls back an upgrade that a stop or crash interrupted. Before pg_upgrade finished,
     * the old cluster is still PGDATA: the new one is moved aside (never deleted) and the old
     * {@code pg_control} restored. From then on: forward.
     *
     * @return {@code rolled-back} or {@code resumed}
     */
    public String recover() {
        Journal j;
        try {
            j = Journal.read(data.upgradeJournal()).orElseThrow();
        } catch (IOException e) {
            throw failed(e.getMessage(), e);
        }
        journal = j;
        LOG.info("an interrupted upgrade was found: phase={} from={} to={} work={}", j.phase(), j.oldVersion(),
                j.newMajor(), j.work());
        if (j.phase().rollsBack()) {
            rollBack(j);
            if (!requested()) {
                throw new EntrypointException("init-upgrade-recover", ExitCode.INIT_FAILED, "the interrupted upgrade "
                        + "was rolled back and PGDATA holds PostgreSQL " + j.oldVersion() + " again: set POSTGRES_UPGRADE=auto "
                        + "to upgrade it, or use PostgreSQL " + j.oldVersion() + " binaries");
            }
            return "rolled-back";
        }
        if (j.phase() == Phase.UPGRADED) {
            swap();
        }
        return "resumed";
    }

    private void rollBack(Journal j) {
        try {
            Path fresh = j.newCluster();
            String abandoned = "";
            if (Files.exists(fresh)) {
                Path target = j.work().resolve("abandoned-" + STAMP.format(clock.instant()));
                Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
                abandoned = target.toString();
            }
            Path control = j.pgdata().resolve("global/pg_control");
            Path renamed = j.pgdata().resolve("global/pg_control.old");
            if (!Files.exists(control) && Files.exists(renamed)) {
                Files.move(renamed, control, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(data.upgradeJournal(), j.work().resolve("journal-rolled-back.properties"),
                    StandardCopyOption.REPLACE_EXISTING);
            LOG.warn("upgrade rolled back: PGDATA {} holds PostgreSQL {} again{}", j.pgdata(), j.oldVersion(),
                    abandoned.isEmpty() ? "" : "; the unfinished new cluster was moved to " + abandoned
                    + " (remove it to free its space)");
            Audit.event("upgrade-rollback", Map.of("pgdata", j.pgdata().toString(), "phase", j.phase().name(),
                    "abandoned", abandoned));
        } catch (IOException e) {
            throw failed("cannot roll the interrupted upgrade back: " + e.getMessage() + "; see docs/upgrade.md", e);
        }
        journal = null;
    }

    /**
     * Cleanup after a failure or a stop: an upgrade that had not finished pg_upgrade is rolled back at
     * once, so the old cluster is PGDATA again. Idempotent; later phases are left to go forward.
     */
    public void cleanup() {
        Journal j = journal;
        if (j != null && j.phase().rollsBack() && Files.exists(data.upgradeJournal())) {
            rollBack(j);
        }
    }

    // ---- after the new cluster started and answered

    /** The new cluster is PGDATA and has not answered yet. */
    public boolean awaitingFirstStart() {
        Journal j = journal;
        return j != null && j.phase() == Phase.SWAPPED;
    }

    /** The new cluster answered: the journal ends (DONE) and the old cluster goes only when asked. */
    public void started() {
        Journal j = journal.at(Phase.DONE);
        try {
            j.write(j.work().resolve("journal.properties"));
            Files.deleteIfExists(data.upgradeJournal());
            journal = j;
            String old = j.aside().toString();
            if (!keepOld() && Files.isDirectory(j.aside())) {
                Trees.delete(j.aside());
                old = "removed (POSTGRES_UPGRADE_KEEP_OLD=false)";
            }
            LOG.info("upgrade done: PostgreSQL {} -> {} in {} mode; old cluster: {}; logs: {}", j.oldVersion(),
                    j.newMajor(), j.mode(), old, j.work());
            Audit.event("upgrade-done", Map.of("pgdata", j.pgdata().toString(), "old", old, "logs", j.work().toString()));
        } catch (IOException e) {
            throw failed("cannot finish the upgrade's journal: " + e.getMessage(), e);
        }
    }

    /** Whether pg_upgrade wrote an extension update script. */
    public boolean hasExtensionScript() {
        Journal j = journal;
        return j != null && Files.isRegularFile(j.work().resolve("update_extensions.sql"));
    }

    /** {@code setsid} arguments running pg_upgrade's extension update script against the new server. */
    public List<String> extensionScriptArgs() throws IOException {
        List<String> args = clientEnvironment();
        args.addAll(List.of(newBinDir().resolve("psql").toString(), "--no-psqlrc", "--no-password", "-v",
                "ON_ERROR_STOP=1", "--dbname=postgres", "-f", journal.work().resolve("update_extensions.sql").toString()));
        return args;
    }

    /** {@code setsid} arguments of {@code vacuumdb --all --analyze-in-stages}. */
    public List<String> vacuumdbArgs() throws IOException {
        List<String> args = clientEnvironment();
        args.addAll(List.of(newBinDir().resolve("vacuumdb").toString(), "--no-password", "--all", "--analyze-in-stages"));
        return args;
    }

    private List<String> clientEnvironment() throws IOException {
        List<String> env = new ArrayList<>(List.of("/usr/bin/env", "PGHOST=" + settings.socketDir(),
                "PGPORT=" + settings.port(), "PGUSER=" + journal.superuser()));
        database.pgpass().ifPresent(p -> env.add("PGPASSFILE=" + p));
        return env;
    }

    public void analyzeStarted() {
        analyzing = true;
        analyzeBegan = System.currentTimeMillis();
        LOG.info("post-upgrade analysis started: vacuumdb --all --analyze-in-stages in the background");
    }

    public void analyzeDone() {
        analyzing = false;
        analyzeSeconds = (System.currentTimeMillis() - analyzeBegan) / 1000.0;
        LOG.info("post-upgrade analysis done seconds={}", analyzeSeconds);
    }

    public void analyzeFailed(String reason) {
        analyzing = false;
        if (analyzeFailures != null) {
            analyzeFailures.increment();
        }
        LOG.warn("post-upgrade analysis failed: {}; run vacuumdb --all --analyze-in-stages by hand", reason);
    }

    /** Meters: the journal's phase, the upgrade's duration, the background analysis. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("pg_entrypoint_upgrade_phase", this, u -> u.journal == null ? 0 : u.journal.phase().code())
                .description("Phase of the major-version upgrade of this start: 0 none, 1 PLANNED, 2 INITDB, 3 CHECKED, "
                        + "4 UPGRADING, 5 UPGRADED, 6 SWAPPED, 7 DONE").register(registry);
        Gauge.builder("pg_entrypoint_upgrade_seconds", this, u -> u.upgradeSeconds).baseUnit("seconds")
                .description("Seconds the major-version upgrade took (UPGRADING to the swap)").register(registry);
        Gauge.builder("pg_entrypoint_upgrade_analyze_running", this, u -> u.analyzing ? 1 : 0)
                .description("1 while vacuumdb --analyze-in-stages runs after an upgrade").register(registry);
        Gauge.builder("pg_entrypoint_upgrade_analyze_seconds", this, u -> u.analyzeSeconds).baseUnit("seconds")
                .description("Seconds the post-upgrade analysis took").register(registry);
        analyzeFailures = Counter.builder("pg_entrypoint_upgrade_analyze_failures")
                .description("Failures of the post-upgrade extension script or analysis").register(registry);
    }

    // ---- DRY_RUN

    public List<String> plan() {
        if (pending()) {
            try {
                Journal j = Journal.read(data.upgradeJournal()).orElseThrow();
                return List.of("an interrupted upgrade (phase " + j.phase() + ") is " + (j.phase().rollsBack()
                        ? "rolled back: " + j.newCluster() + " moved into " + j.work() + ", the old pg_control restored"
                        : "finished: the clusters are swapped, " + j.aside() + " keeps the old one"));
            } catch (IOException e) {
                return List.of("an interrupted upgrade whose journal cannot be read: " + e.getMessage());
            }
        }
        Optional<String> older = olderOnDisk();
        if (older.isEmpty()) {
            return List.of("no upgrade: PGDATA holds no older major");
        }
        if (!requested()) {
            return List.of("no upgrade: POSTGRES_UPGRADE is not auto");
        }
        String name = data.path().getFileName().toString();
        Path work = data.path().resolveSibling(name + ".upgrade-<timestamp>");
        Journal sample = new Journal(Phase.PLANNED, older.get(), binaries.flatMap(PgBinaries::majorVersion).orElse(0),
                data.path(), work, data.path().resolveSibling(name + ".pg" + older.get() + "-<timestamp>"), mode(),
                "<old superuser>", "");
        List<String> steps = new ArrayList<>();
        steps.add("upgrade PostgreSQL " + older.get() + " -> " + sample.newMajor() + " in " + mode() + " mode; journal "
                + data.upgradeJournal());
        steps.add("read encoding, locale, checksums and superuser: " + oldBinDir(older.get()).resolve("postgres")
                + " --single -D " + data.path() + " template1");
        steps.add("run " + newBinDir().resolve("initdb") + " --pgdata=" + sample.newCluster()
                + " --username=<old superuser> --auth=trust <old encoding, locale, checksums, WAL segment size>");
        steps.add("run " + String.join(" ", pgUpgradeCommand(sample, true).stream().map(ShellWords::quote).toList()));
        steps.add("run " + String.join(" ", pgUpgradeCommand(sample, false).stream().map(ShellWords::quote).toList()));
        steps.add("carry postgresql.conf, postgresql.auto.conf, pg_hba.conf, pg_ident.conf and the other non-PostgreSQL "
                + "files of PGDATA to the new cluster; keep pg_upgrade's logs in " + work);
        steps.add("move " + data.path() + " to " + sample.aside() + " and the new cluster to " + data.path());
        steps.add("after the server answered: " + (keepOld() ? "keep " + sample.aside()
                : "remove " + sample.aside() + " (POSTGRES_UPGRADE_KEEP_OLD=false)")
                + "; in the background the extension update script and vacuumdb --all --analyze-in-stages");
        return steps;
    }

    // ---- helpers

    private void save() {
        try {
            journal.write(data.upgradeJournal());
        } catch (IOException e) {
            throw failed("cannot write the upgrade journal " + data.upgradeJournal() + ": " + e.getMessage(), e);
        }
    }

    private static EntrypointException failed(String reason, Throwable cause) {
        return new EntrypointException("init-upgrade", ExitCode.INIT_FAILED, reason, cause);
    }

    /** A size such as 512MB, 2GB or 1048576 (bytes); -1 when it does not parse. */
    static long bytes(String value) {
        Matcher m = SIZE.matcher(value.trim());
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        return switch (unit) {
            case "KB" -> n << 10;
            case "MB" -> n << 20;
            case "GB" -> n << 30;
            case "TB" -> n << 40;
            default -> n;
        };
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MB";
    }

    private static long parseLong(String value, long fallback) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
