package dev.pgentrypoint.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POSTGRES_UPGRADE=auto against a real PostgreSQL 14 cluster (binaries from Maven Central) and the
 * installed newer PostgreSQL: the upgrade, a stop in the middle, and the refusals that change nothing.
 */
class UpgradeIT {
    static final Duration UPGRADE = Duration.ofSeconds(240);
    static final Duration STOP = Duration.ofSeconds(60);
    static final String PASSWORD = "s3cret";

    @TempDir
    Path tmp;

    private EntrypointProcess withOldCluster() throws Exception {
        EntrypointProcess e = new EntrypointProcess(tmp);
        OldPostgres.createCluster(e.pgdata(), tmp.resolve("oldsock"), e.port, PASSWORD);
        e.with("POSTGRES_PASSWORD", PASSWORD).with("SHUTDOWN_TIMEOUT", "30");
        return e;
    }

    @Test
    void upgradesA14ClusterWithItsRowsExtensionRuleAndSettings() throws Exception {
        try (EntrypointProcess e = withOldCluster()) {
            String newMajor = newMajor();
            e.with("POSTGRES_UPGRADE", "auto").with("PG_OLD_BIN_DIR", OldPostgres.binDir().toString()).start();
            e.awaitState("RUNNING", UPGRADE);
            String log = e.log();
            assertTrue(log.contains("state=UPGRADING"), log);
            assertTrue(log.contains("running pg_upgrade --check"), log);
            assertEquals(newMajor, Files.readString(e.pgdata().resolve("PG_VERSION")).trim());

            assertEquals("1000|500500", e.psql("postgres", PASSWORD, "postgres",
                    "SELECT count(*) || '|' || sum((h -> 'k')::int) FROM items").output());
            assertEquals("\"k\"=>\"7\"", e.psql("postgres", PASSWORD, "postgres", "SELECT h FROM items WHERE id = 7").output());
            assertEquals("hstore", e.psql("postgres", PASSWORD, "postgres",
                    "SELECT extname FROM pg_extension WHERE extname = 'hstore'").output());
            assertEquals("7MB", e.psql("postgres", PASSWORD, "postgres", "SHOW work_mem").output());
            assertEquals("77MB", e.psql("postgres", PASSWORD, "postgres", "SHOW maintenance_work_mem").output());
            assertEquals("on", e.psql("postgres", PASSWORD, "postgres", "SHOW data_checksums").output());
            assertEquals("UTF8|C.UTF-8", e.psql("postgres", PASSWORD, "postgres",
                    "SELECT pg_encoding_to_char(encoding) || '|' || datcollate FROM pg_database WHERE datname = 'template0'")
                    .output());
            // the user's pg_hba.conf reached the new cluster (this version's config module keeps it as .original)
            assertTrue(userHbaRuleIn(e.pgdata()), "the user's pg_hba rule was not carried over");

            Path old = only(tmp, "data.pg14-");
            assertEquals("14", Files.readString(old.resolve("PG_VERSION")).trim());
            Path work = only(tmp, "data.upgrade-");
            assertTrue(Files.readString(work.resolve("journal.properties")).contains("phase=DONE"));
            assertTrue(Files.isDirectory(work.resolve("pg_upgrade_output.d")), "pg_upgrade's logs were not kept");
            assertFalse(Files.exists(work.resolve("delete_old_cluster.sh")), "a script deleting PGDATA's path was left");
            assertFalse(Files.exists(tmp.resolve(".data.pg-entrypoint-upgrade")), "the journal is still there");

            e.awaitLog("post-upgrade analysis done", UPGRADE);
            String metrics = e.http("/observe/metrics").output();
            assertTrue(metrics.contains("pg_entrypoint_upgrade_phase 7.0"), metrics);
            assertTrue(metrics.matches("(?s).*pg_entrypoint_upgrade_seconds [0-9.]+(E-?\\d+)?\\n.*"), metrics);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());

            // the next start is an ordinary one, also without the variable
            e.without("POSTGRES_UPGRADE").start();
            e.awaitState("RUNNING", UPGRADE);
            assertFalse(e.log().contains("state=UPGRADING"), e.log());
            assertEquals("1000", e.psql("postgres", PASSWORD, "postgres", "SELECT count(*) FROM items").output());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    /**
     * Backups on and a stanza that pgBackRest created for the 14 cluster: after the upgrade the stanza is
     * upgraded (pgbackrest info lists the new system identifier and version), a full backup of the new
     * cluster is taken, and a restore from it brings the rows back.
     */
    @Test
    void withBackupsOnTheStanzaIsUpgradedAndAFullBackupOfTheNewClusterRestores() throws Exception {
        String newMajor = newMajor();
        try (EntrypointProcess e = withOldCluster()) {
            OldPostgres.createStanza(e.pgdata(), tmp.resolve("oldsock"), e.port, tmp.resolve("repo"), "db");
            String oldSystemId = systemId(e.pgdata());
            PgBackRest.enable(e, tmp).with("POSTGRES_UPGRADE", "auto")
                    .with("PG_OLD_BIN_DIR", OldPostgres.binDir().toString()).start();
            e.awaitState("RUNNING", UPGRADE);
            e.awaitLog("post-upgrade analysis done", UPGRADE);
            String log = e.log();
            assertTrue(log.contains("stanza-upgrade done stanza=db"), log);
            assertFalse(log.contains("stanza-create done"), log);
            int upgraded = log.indexOf("upgrade done: PostgreSQL 14 -> " + newMajor);
            int backedUp = log.indexOf("backup done type=full label=");
            assertTrue(upgraded >= 0 && backedUp > upgraded, "no full backup after the upgrade: " + log);

            String newSystemId = systemId(e.pgdata());
            assertFalse(newSystemId.equals(oldSystemId), "pg_upgrade's new cluster has its own system identifier");
            JsonNode stanza = new ObjectMapper().readTree(PgBackRest.info(PgBackRest.config(e), "db")).get(0);
            List<String> history = new java.util.ArrayList<>();
            stanza.get("db").forEach(db -> history.add(db.get("id").asInt() + ":" + db.get("system-id").asText()
                    + ":" + db.get("version").asText()));
            assertEquals(List.of("1:" + oldSystemId + ":14", "2:" + newSystemId + ":" + newMajor), history);
            List<String> backups = new java.util.ArrayList<>();
            stanza.get("backup").forEach(b -> backups.add(b.get("type").asText() + "@db" + b.get("database").get("id").asInt()));
            assertEquals(List.of("full@db2"), backups);
            e.psql("postgres", PASSWORD, "postgres", "INSERT INTO items SELECT g, ('k=>' || g)::hstore FROM generate_series(1001, 1010) g");
            PgBackRest.switchAndAwaitArchive(e, PASSWORD);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
        try (EntrypointProcess r = new EntrypointProcess(Files.createDirectories(tmp.resolve("restored")))) {
            PgBackRest.enable(r, tmp).with("BACKUP_RESTORE", "true").with("POSTGRES_PASSWORD", PASSWORD).start();
            r.awaitState("RUNNING", UPGRADE);
            assertEquals(newMajor, Files.readString(r.pgdata().resolve("PG_VERSION")).trim());
            assertEquals("1010|500500", r.psql("postgres", PASSWORD, "postgres",
                    "SELECT count(*) || '|' || sum((h -> 'k')::int) FILTER (WHERE id <= 1000) FROM items").output());
            r.signal("TERM");
            assertEquals(0, r.awaitExit(STOP), r.log());
        }
    }

    /** The database system identifier of a stopped cluster, from the newer pg_controldata (it reads a 14 one). */
    private static String systemId(Path pgdata) throws Exception {
        String out = OldPostgres.run(List.of(OldPostgres.newBinDir().resolve("pg_controldata").toString(),
                pgdata.toString()), true);
        return out.replaceAll("(?s).*Database system identifier:\\s+(\\d+).*", "$1");
    }

    @Test
    void sigtermDuringPgUpgradeIsRolledBackOrCompletedByTheNextStart() throws Exception {
        try (EntrypointProcess e = withOldCluster()) {
            e.with("POSTGRES_UPGRADE", "auto").with("PG_OLD_BIN_DIR", OldPostgres.binDir().toString()).start();
            e.awaitLog("upgrade phase=UPGRADING", UPGRADE);
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
            String first = e.log();
            // never an old cluster that looks empty: PGDATA is a whole cluster, old or new
            String version = Files.readString(e.pgdata().resolve("PG_VERSION")).trim();
            assertTrue(version.equals("14") || version.equals(newMajor()), version);
            if (version.equals("14")) {
                assertTrue(first.contains("upgrade rolled back"), first);
                assertTrue(Files.exists(e.pgdata().resolve("global/pg_control")), "the old pg_control was not restored");
            }

            e.start();
            e.awaitState("RUNNING", UPGRADE);
            assertEquals(newMajor(), Files.readString(e.pgdata().resolve("PG_VERSION")).trim());
            assertEquals("1000", e.psql("postgres", PASSWORD, "postgres", "SELECT count(*) FROM items").output());
            assertEquals("7MB", e.psql("postgres", PASSWORD, "postgres", "SHOW work_mem").output());
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    /**
     * A crash in the middle of pg_upgrade, as when a container is killed: the entrypoint, pg_upgrade and
     * the servers pg_upgrade started all get SIGKILL. The next start finds the journal and rolls back or
     * goes forward, then runs.
     */
    @Test
    void aCrashDuringPgUpgradeIsRecoveredFromTheJournalByTheNextStart() throws Exception {
        try (EntrypointProcess e = withOldCluster()) {
            e.with("POSTGRES_UPGRADE", "auto").with("PG_OLD_BIN_DIR", OldPostgres.binDir().toString()).start();
            e.awaitLog("upgrade phase=UPGRADING", UPGRADE);
            EntrypointProcess.sleep(1500);
            killEverything(e);
            Path journal = tmp.resolve(".data.pg-entrypoint-upgrade");
            assertTrue(Files.exists(journal), "no journal after the crash");
            assertTrue(Files.exists(e.pgdata().resolve("PG_VERSION")), "PGDATA is not a whole cluster");

            e.start();
            e.awaitState("RUNNING", UPGRADE);
            String log = e.log();
            assertTrue(log.contains("an interrupted upgrade was found"), log);
            assertTrue(log.contains("interrupted upgrade rolled-back") || log.contains("interrupted upgrade resumed"), log);
            assertEquals(newMajor(), Files.readString(e.pgdata().resolve("PG_VERSION")).trim());
            assertEquals("1000", e.psql("postgres", PASSWORD, "postgres", "SELECT count(*) FROM items").output());
            assertFalse(Files.exists(journal), "the journal was not ended");
            e.signal("TERM");
            assertEquals(0, e.awaitExit(STOP), e.log());
        }
    }

    /** SIGKILL to the entrypoint, everything below it, and the servers pg_upgrade started (they are not its descendants). */
    private void killEverything(EntrypointProcess e) throws Exception {
        List<ProcessHandle> tree = ProcessHandle.of(e.pid()).map(h -> Stream.concat(Stream.of(h), h.descendants()).toList())
                .orElse(List.of());
        List<Long> servers = serverPids();
        for (ProcessHandle h : tree) {
            EntrypointProcess.signal(h.pid(), "KILL");
        }
        for (long pid : servers) {
            if (pid > 1 && ProcessHandle.of(pid).map(h -> h.info().command().orElse("").endsWith("postgres")).orElse(false)) {
                EntrypointProcess.signal(pid, "KILL");
            }
        }
        e.awaitExit(STOP);
        for (long pid : servers) {
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
        }
    }

    /**
     * The pids in the postmaster.pid files below the test's directory. pg_upgrade starts and stops its
     * servers meanwhile, so a file may go while the tree is walked: the walk is then done again.
     */
    private List<Long> serverPids() throws IOException {
        for (int attempt = 1; ; attempt++) {
            List<Long> servers = new java.util.ArrayList<>();
            try (Stream<Path> pids = Files.find(tmp, 3, (p, a) -> p.getFileName().toString().equals("postmaster.pid"))) {
                for (Path pidFile : pids.toList()) {
                    servers.add(Long.parseLong(Files.readAllLines(pidFile).get(0).trim()));
                }
                return servers;
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException | IndexOutOfBoundsException
                    | NumberFormatException gone) {
                if (attempt == 10) {
                    throw gone;
                }
            }
        }
    }

    @Test
    void refusesWithoutTheVariableOrTheOldBinariesOrTheSpaceAndChangesNothing() throws Exception {
        try (EntrypointProcess e = withOldCluster()) {
            List<String> before = listing();

            assertEquals(1, e.run(STOP), e.log());
            assertTrue(e.log().contains("POSTGRES_UPGRADE=auto"), e.log());
            assertEquals(before, listing());

            // no PG_OLD_BIN_DIR: the packaged place of PostgreSQL 14, absent on this machine
            e.with("POSTGRES_UPGRADE", "auto");
            assertEquals(1, e.run(STOP), e.log());
            assertTrue(e.log().contains("/usr/lib/postgresql/14/bin lacks postgres"), e.log());
            assertTrue(e.log().contains("PG_OLD_BIN_DIR"), e.log());
            assertEquals(before, listing());

            // a margin larger than any disk: the free-space check refuses before anything is written
            e.with("PG_OLD_BIN_DIR", OldPostgres.binDir().toString()).with("POSTGRES_UPGRADE_FREE_MARGIN", "1000000TB");
            assertEquals(1, e.run(STOP), e.log());
            assertTrue(e.log().contains("not enough free space to upgrade in link mode"), e.log());
            assertEquals(before, listing());
            assertEquals("14", Files.readString(e.pgdata().resolve("PG_VERSION")).trim());
        }
    }

    /** The directory next to PGDATA and PGDATA itself, with sizes of PGDATA's top-level files. */
    private List<String> listing() throws IOException {
        try (Stream<Path> around = Files.list(tmp); Stream<Path> inside = Files.walk(tmp.resolve("data"))) {
            return Stream.concat(around.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("entrypoint-")),
                    inside.filter(Files::isRegularFile).map(p -> tmp.relativize(p) + ":" + p.toFile().length()))
                    .sorted().toList();
        }
    }

    private static boolean userHbaRuleIn(Path pgdata) throws IOException {
        for (String name : List.of("pg_hba.conf", "pg_hba.conf.original")) {
            Path f = pgdata.resolve(name);
            if (Files.isRegularFile(f) && Files.readString(f).contains("host all upgrade_probe 127.0.0.1/32 reject")) {
                return true;
            }
        }
        return false;
    }

    private static Path only(Path dir, String prefix) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            List<Path> found = list.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, found.size(), "expected one " + prefix + "* in " + dir + ": " + found);
            return found.get(0);
        }
    }

    private static String newMajor() throws Exception {
        String out = OldPostgres.run(List.of(OldPostgres.newBinDir().resolve("postgres").toString(), "--version"), false);
        return out.replaceAll("(?s).*\\(PostgreSQL\\) (\\d+).*", "$1");
    }
}
