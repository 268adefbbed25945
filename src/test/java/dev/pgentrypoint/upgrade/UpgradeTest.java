package dev.pgentrypoint.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.database.Database;
import dev.pgentrypoint.pgdata.DataDirectory;
import dev.pgentrypoint.settings.PgBinaries;
import dev.pgentrypoint.settings.Settings;
import dev.pgentrypoint.settings.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upgrade module without PostgreSQL: fake executables, fake clusters, the journal's recovery paths. */
class UpgradeTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T07:40:12Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();
    private Path pgdata;
    private Path newBin;
    private Path oldBin;

    @BeforeEach
    void setUp() throws IOException {
        newBin = dir.resolve("new/bin");
        oldBin = dir.resolve("versions/14/bin");
        for (String tool : List.of("postgres", "initdb", "pg_upgrade", "psql", "vacuumdb")) {
            fake(newBin.resolve(tool), "echo 'postgres (PostgreSQL) 15.4'");
        }
        for (String tool : Upgrade.OLD_TOOLS) {
            fake(oldBin.resolve(tool), "exit 0");
        }
        pgdata = dir.resolve("volume/data");
        Files.createDirectories(pgdata.resolve("base/1"));
        Files.createDirectories(pgdata.resolve("global"));
        Files.writeString(pgdata.resolve("PG_VERSION"), "14\n");
        // writable by the server's user also when the tests run as root
        Files.setPosixFilePermissions(pgdata.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(pgdata.resolve("global/pg_control"), "control");
        Files.writeString(pgdata.resolve("postgresql.conf"), "work_mem = '7MB'\n");
        Files.writeString(pgdata.resolve("pg_hba.conf"), "host all probe 127.0.0.1/32 reject\n");
        Files.createDirectories(pgdata.resolve("conf.d"));
        Files.writeString(pgdata.resolve("conf.d/extra.conf"), "shared_buffers = '64MB'\n");
        Files.createDirectories(pgdata.resolve("log"));
        Files.writeString(pgdata.resolve("log/server.log"), "old server log\n");
        env.put("PGDATA", pgdata.toString());
        env.put("PG_SOCKET_DIR", dir.resolve("sock").toString());
        Files.createDirectories(dir.resolve("sock"));
    }

    private static void fake(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Upgrade upgrade() {
        Settings settings = new Settings(env, List.of(), dir);
        DataDirectory data = new DataDirectory(settings.pgdataPath());
        Optional<PgBinaries> binaries = PgBinaries.discover(Optional.of(newBin.toString()), null, dir);
        return new Upgrade(settings, data, binaries, new Database(settings, data, binaries), dir.resolve("versions"), CLOCK);
    }

    private List<ValidationError> errors() {
        ValidationReport report = new ValidationReport();
        upgrade().validate(report);
        return report.errors();
    }

    @Test
    void withoutTheVariableThereIsNothingToDo() {
        assertFalse(upgrade().needed());
        assertEquals(List.of(), errors());
        assertEquals(List.of("no upgrade: POSTGRES_UPGRADE is not auto"), upgrade().plan());
    }

    @Test
    void anOlderMajorWithEverythingInPlaceIsValid() {
        env.put("POSTGRES_UPGRADE", "auto");
        assertTrue(upgrade().needed());
        assertEquals(List.of(), errors());
    }

    @Test
    void theSameMajorNeedsNoUpgrade() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Files.writeString(pgdata.resolve("PG_VERSION"), "15\n");
        assertFalse(upgrade().needed());
        assertEquals(List.of("no upgrade: PGDATA holds no older major"), upgrade().plan());
    }

    @Test
    void everyBadValueIsReportedWithItsVariable() {
        env.put("POSTGRES_UPGRADE", "yes");
        env.put("POSTGRES_UPGRADE_MODE", "fast");
        env.put("POSTGRES_UPGRADE_KEEP_OLD", "maybe");
        env.put("POSTGRES_UPGRADE_FREE_MARGIN", "lots");
        env.put("POSTGRES_UPGRADE_TIMEOUT", "0");
        assertEquals(List.of("POSTGRES_UPGRADE", "POSTGRES_UPGRADE_MODE", "POSTGRES_UPGRADE_KEEP_OLD",
                "POSTGRES_UPGRADE_FREE_MARGIN", "POSTGRES_UPGRADE_TIMEOUT"), errors().stream().map(ValidationError::subject).toList());
    }

    @Test
    void missingOldBinariesAreNamedWithTheirDirectoryAndTheWayOut() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Files.delete(oldBin.resolve("pg_resetwal"));
        ValidationError e = errors().get(0);
        assertEquals("POSTGRES_UPGRADE", e.subject());
        assertTrue(e.message().contains(oldBin + " lacks pg_resetwal"), e.message());
        assertTrue(e.message().contains("PG_OLD_BIN_DIR"), e.message());

        env.put("PG_OLD_BIN_DIR", dir.resolve("elsewhere").toString());
        e = errors().get(0);
        assertEquals("PG_OLD_BIN_DIR", e.subject());
        assertTrue(e.message().contains("lacks postgres, pg_ctl, pg_controldata, pg_resetwal"), e.message());
    }

    @Test
    void tooLittleSpaceIsRefusedBeforeAnythingIsWritten() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        env.put("POSTGRES_UPGRADE_FREE_MARGIN", "1000000TB");
        List<String> before = tree();
        ValidationError e = errors().get(0);
        assertEquals("PGDATA", e.subject());
        assertTrue(e.message().contains("not enough free space to upgrade in link mode"), e.message());
        assertEquals(before, tree());
    }

    @Test
    void aParentTheServerCannotWriteIsRefused() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Files.setPosixFilePermissions(pgdata.getParent(), PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            ValidationError e = errors().get(0);
            assertTrue(e.message().contains("(the parent of PGDATA) is not writable"), e.message());
        } finally {
            Files.setPosixFilePermissions(pgdata.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        }
    }

    @Test
    void copyModeCountsTheRelationFiles() throws IOException {
        env.put("POSTGRES_UPGRADE_MODE", "copy");
        Files.write(pgdata.resolve("base/1/16384"), new byte[3 << 20]);
        assertEquals(Upgrade.NEW_CLUSTER_BYTES + (3 << 20) + "control".length(), upgrade().requiredBytes());
        env.put("POSTGRES_UPGRADE_MODE", "link");
        assertEquals(Upgrade.NEW_CLUSTER_BYTES, upgrade().requiredBytes());
    }

    @Test
    void sizesParseWithTheirUnits() {
        assertEquals(256L << 20, Upgrade.bytes("256MB"));
        assertEquals(2L << 30, Upgrade.bytes("2GB"));
        assertEquals(512, Upgrade.bytes("512"));
        assertEquals(-1, Upgrade.bytes("a lot"));
    }

    @Test
    void theUpgradeSwapsCarriesTheUsersFilesAndKeepsTheOldCluster() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Upgrade u = upgrade();
        u.begin();
        Path work = dir.resolve("volume/data.upgrade-20261202T074012Z");
        Path aside = dir.resolve("volume/data.pg14-20261202T074012Z");
        assertTrue(Files.isDirectory(work));
        assertTrue(Files.readString(dir.resolve("volume/.data.pg-entrypoint-upgrade")).contains("phase=PLANNED"));
        u.inspected(OldClusterTest.OUTPUT);
        assertTrue(u.initdbArgs().containsAll(List.of("--pgdata=" + work.resolve("new"), "--username=admin",
                "--data-checksums", "--lc-collate=de_DE.UTF-8")));
        List<String> run = u.pgUpgradeArgs(false);
        assertTrue(run.containsAll(List.of("--link", "--retain", "--username=admin", "--old-bindir=" + oldBin,
                "--old-datadir=" + pgdata, "--new-datadir=" + work.resolve("new"))), run.toString());
        assertFalse(run.contains("--check"));
        assertTrue(u.pgUpgradeArgs(true).contains("--check"));
        assertEquals(work.toString(), u.workDir());

        // what initdb and pg_upgrade leave
        Path fresh = work.resolve("new");
        Files.createDirectories(fresh.resolve("pg_upgrade_output.d/20261202T074013.000/log"));
        Files.writeString(fresh.resolve("PG_VERSION"), "15\n");
        Files.writeString(fresh.resolve("postgresql.conf"), "# initdb's\n");
        Files.writeString(work.resolve("delete_old_cluster.sh"), "rm -rf '" + pgdata + "'\n");
        u.phase("UPGRADED");
        u.swap();

        assertEquals("15", Files.readString(pgdata.resolve("PG_VERSION")).trim());
        assertEquals("work_mem = '7MB'\n", Files.readString(pgdata.resolve("postgresql.conf")));
        assertTrue(Files.readString(pgdata.resolve("pg_hba.conf")).contains("probe"));
        assertTrue(Files.exists(pgdata.resolve("conf.d/extra.conf")));
        assertFalse(Files.exists(pgdata.resolve("log")), "server logs stay with the old cluster");
        assertEquals("14", Files.readString(aside.resolve("PG_VERSION")).trim());
        assertTrue(Files.isDirectory(work.resolve("pg_upgrade_output.d")));
        assertFalse(Files.exists(pgdata.resolve("pg_upgrade_output.d")));
        assertFalse(Files.exists(work.resolve("delete_old_cluster.sh")));
        assertTrue(u.afterUpgrade().awaitingFirstStart());
        assertTrue(u.summary().startsWith("14->15 mode=link"), u.summary());

        u.afterUpgrade().started();
        assertFalse(Files.exists(dir.resolve("volume/.data.pg-entrypoint-upgrade")));
        assertTrue(Files.readString(work.resolve("journal.properties")).contains("phase=DONE"));
        assertTrue(Files.isDirectory(aside), "kept by default");
    }

    @Test
    void keepOldFalseRemovesTheOldClusterOnlyAfterTheNewOneAnswered() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        env.put("POSTGRES_UPGRADE_KEEP_OLD", "false");
        Upgrade u = upgrade();
        u.begin();
        u.inspected(OldClusterTest.OUTPUT);
        Path fresh = dir.resolve("volume/data.upgrade-20261202T074012Z/new");
        Files.createDirectories(fresh);
        Files.writeString(fresh.resolve("PG_VERSION"), "15\n");
        u.phase("UPGRADED");
        u.swap();
        Path aside = dir.resolve("volume/data.pg14-20261202T074012Z");
        assertTrue(Files.isDirectory(aside));
        u.afterUpgrade().started();
        assertFalse(Files.exists(aside));
    }

    @Test
    void theNextStartRollsBackWhatPgUpgradeDidNotFinish() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Upgrade u = upgrade();
        u.begin();
        u.inspected(OldClusterTest.OUTPUT);
        Path work = dir.resolve("volume/data.upgrade-20261202T074012Z");
        Files.createDirectories(work.resolve("new/base"));
        Files.writeString(work.resolve("new/PG_VERSION"), "15\n");
        u.phase("UPGRADING");
        // pg_upgrade --link renames the old pg_control before it links
        Files.move(pgdata.resolve("global/pg_control"), pgdata.resolve("global/pg_control.old"));

        Upgrade next = upgrade();
        assertTrue(next.pending());
        assertFalse(next.needed(), "a pending upgrade is recovered first");
        assertEquals(List.of(), errors());
        assertEquals("rolled-back", next.recover());
        assertTrue(Files.exists(pgdata.resolve("global/pg_control")));
        assertEquals("14", Files.readString(pgdata.resolve("PG_VERSION")).trim());
        assertFalse(Files.exists(work.resolve("new")));
        try (Stream<Path> list = Files.list(work)) {
            assertTrue(list.anyMatch(p -> p.getFileName().toString().startsWith("abandoned-")), "never deleted");
        }
        assertTrue(Files.exists(work.resolve("journal-rolled-back.properties")));
        assertFalse(next.pending());
        assertTrue(next.needed(), "and upgraded again when still requested");
    }

    @Test
    void aRollbackWithoutTheVariableEndsTheStartNamingIt() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Upgrade u = upgrade();
        u.begin();
        u.phase("CHECKED");
        env.remove("POSTGRES_UPGRADE");
        EntrypointException e = assertThrows(EntrypointException.class, () -> upgrade().recover());
        assertTrue(e.getMessage().contains("POSTGRES_UPGRADE=auto"), e.getMessage());
        assertEquals("14", Files.readString(pgdata.resolve("PG_VERSION")).trim());
        assertFalse(Files.exists(dir.resolve("volume/.data.pg-entrypoint-upgrade")));
    }

    @Test
    void aSwapCutShortIsFinishedByTheNextStart() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Upgrade u = upgrade();
        u.begin();
        u.inspected(OldClusterTest.OUTPUT);
        Path fresh = dir.resolve("volume/data.upgrade-20261202T074012Z/new");
        Files.createDirectories(fresh);
        Files.writeString(fresh.resolve("PG_VERSION"), "15\n");
        u.phase("UPGRADED");
        // stopped between the two renames: PGDATA is missing
        Files.move(pgdata, dir.resolve("volume/data.pg14-20261202T074012Z"));

        Upgrade next = upgrade();
        assertEquals("resumed", next.recover());
        assertEquals("15", Files.readString(pgdata.resolve("PG_VERSION")).trim());
        assertTrue(next.afterUpgrade().awaitingFirstStart());
        assertTrue(Files.readString(dir.resolve("volume/.data.pg-entrypoint-upgrade")).contains("phase=SWAPPED"));
    }

    @Test
    void aFailureBeforePgUpgradeFinishedIsRolledBackByTheCleanup() throws IOException {
        env.put("POSTGRES_UPGRADE", "auto");
        Upgrade u = upgrade();
        u.begin();
        u.phase("INITDB");
        u.cleanup();
        assertFalse(u.pending());
        assertEquals("14", Files.readString(pgdata.resolve("PG_VERSION")).trim());
        u.cleanup();
    }

    @Test
    void theDryRunPlanNamesTheCommandsAndPaths() {
        env.put("POSTGRES_UPGRADE", "auto");
        String plan = String.join("\n", upgrade().plan());
        assertTrue(plan.contains("upgrade PostgreSQL 14 -> 15 in link mode"), plan);
        assertTrue(plan.contains(oldBin.resolve("postgres") + " --single"), plan);
        assertTrue(plan.contains("--check"), plan);
        assertTrue(plan.contains("data.pg14-<timestamp>"), plan);
    }

    private List<String> tree() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }
}
