package dev.pgentrypoint.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBinariesTest {

    @TempDir
    Path dir;

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void parseMajorOfCurrentVersions() {
        assertEquals(Optional.of(15), PgBinaries.parseMajor("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"));
        assertEquals(Optional.of(16), PgBinaries.parseMajor("postgres (PostgreSQL) 16.4\n"));
        assertEquals(Optional.of(17), PgBinaries.parseMajor("postgres (PostgreSQL) 17beta1"));
    }

    @Test
    void parseMajorOfOldVersionsIsTheFirstNumber() {
        assertEquals(Optional.of(9), PgBinaries.parseMajor("postgres (PostgreSQL) 9.6.24"));
    }

    @Test
    void parseMajorOfGarbageIsEmpty() {
        assertEquals(Optional.empty(), PgBinaries.parseMajor("bash: postgres: command not found"));
        assertEquals(Optional.empty(), PgBinaries.parseMajor(""));
        assertEquals(Optional.empty(), PgBinaries.parseMajor("PostgreSQL 15.1"));
    }

    @Test
    void explicitBinDirWinsOverPathAndVersions() throws IOException {
        Path onPath = executable(dir.resolve("path/postgres")).getParent();
        executable(dir.resolve("versions/16/bin/postgres"));
        Path explicit = dir.resolve("explicit");

        PgBinaries b = PgBinaries.discover(Optional.of(explicit.toString()), onPath.toString(),
                dir.resolve("versions")).orElseThrow();

        assertEquals(explicit, b.binDir());
        assertEquals("PG_BIN_DIR", b.source());
        assertEquals(explicit.resolve("initdb"), b.tool("initdb"));
    }

    @Test
    void pathEntryWithSymlinkResolvesToTheRealDirectory() throws IOException {
        Path realBin = executable(dir.resolve("opt/pg/bin/postgres")).getParent();
        Path linkDir = Files.createDirectories(dir.resolve("usr-local-bin"));
        Files.createSymbolicLink(linkDir.resolve("postgres"), realBin.resolve("postgres"));
        Path noPostgres = Files.createDirectories(dir.resolve("empty"));
        Path notExecutable = Files.createDirectories(dir.resolve("noexec"));
        Files.writeString(notExecutable.resolve("postgres"), "not a program");
        Files.setPosixFilePermissions(notExecutable.resolve("postgres"), PosixFilePermissions.fromString("rw-r--r--"));
        executable(dir.resolve("versions/16/bin/postgres"));

        String path = "::" + noPostgres + ":" + notExecutable + ":" + linkDir + ":" + dir.resolve("missing");
        PgBinaries b = PgBinaries.discover(Optional.empty(), path, dir.resolve("versions")).orElseThrow();

        assertEquals(realBin.toRealPath(), b.binDir());
        assertEquals("PATH", b.source());
    }

    @Test
    void fallbackPicksTheNewestNumericVersion() throws IOException {
        Path root = dir.resolve("postgresql");
        executable(root.resolve("10/bin/postgres"));
        executable(root.resolve("16/bin/postgres"));
        executable(root.resolve("9.6/bin/postgres"));
        executable(root.resolve("latest/bin/postgres"));
        Files.createDirectories(root.resolve("17/bin"));
        Files.createDirectories(root.resolve("99"));

        PgBinaries b = PgBinaries.discover(Optional.empty(), dir.resolve("nothing-here").toString(), root).orElseThrow();

        assertEquals(root.resolve("16/bin"), b.binDir());
        assertEquals(root.toString(), b.source());
    }

    @Test
    void nothingFoundIsEmpty() throws IOException {
        Path emptyRoot = Files.createDirectories(dir.resolve("postgresql"));
        Files.createDirectories(emptyRoot.resolve("15/bin"));
        assertEquals(Optional.empty(), PgBinaries.discover(Optional.empty(), emptyRoot.toString(), emptyRoot));
        assertEquals(Optional.empty(), PgBinaries.discover(Optional.empty(), null, dir.resolve("absent")));
        assertEquals(Optional.empty(), PgBinaries.discover(Optional.empty(), "", dir.resolve("absent")));
    }

    @Test
    void missingToolsListsWhatIsNotExecutable() throws IOException {
        Path bin = dir.resolve("bin");
        executable(bin.resolve("postgres"));
        executable(bin.resolve("psql"));
        Files.writeString(bin.resolve("initdb"), "");
        PgBinaries b = PgBinaries.discover(Optional.of(bin.toString()), null, dir).orElseThrow();
        assertEquals(List.of("initdb"), b.missingTools());
    }

    @Test
    void majorVersionOfTheRealBinariesMatchesTheirDirectory() {
        PgBinaries b = PgBinaries.discover(Optional.empty(), System.getenv("PATH"), Path.of("/usr/lib/postgresql"))
                .orElseThrow(() -> new AssertionError("no PostgreSQL binaries found"));
        String versionDir = b.binDir().getParent().getFileName().toString();
        assumeTrue(versionDir.matches("\\d+"), "binaries are not in a <major>/bin directory: " + b.binDir());
        assertEquals(Optional.of(Integer.parseInt(versionDir)), b.majorVersion());
        assertEquals(List.of(), b.missingTools());
    }

    @Test
    void majorVersionOfSomethingThatIsNotPostgresIsEmpty() throws IOException {
        Path bin = dir.resolve("bin");
        executable(bin.resolve("postgres"));
        assertEquals(Optional.empty(), PgBinaries.discover(Optional.of(bin.toString()), null, dir).orElseThrow()
                .majorVersion());
        assertEquals(Optional.empty(), PgBinaries.discover(Optional.of(dir.resolve("none").toString()), null, dir)
                .orElseThrow().majorVersion());
    }

    @Test
    void dataVersionReadsPgVersion() throws IOException {
        assertEquals(Optional.empty(), PgBinaries.dataVersion(dir));
        Files.writeString(dir.resolve("PG_VERSION"), "15\n");
        assertEquals(Optional.of("15"), PgBinaries.dataVersion(dir));
        Files.writeString(dir.resolve("PG_VERSION"), "  \n");
        assertEquals(Optional.empty(), PgBinaries.dataVersion(dir));
    }
}
