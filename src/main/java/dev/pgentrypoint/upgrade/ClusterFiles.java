package dev.pgentrypoint.upgrade;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The file work of an upgrade that is not pg_upgrade's: which top-level entries of a data directory
 * are the user's (and the entrypoint's) rather than PostgreSQL's, carrying them to the new cluster,
 * and sizes for the free-space check. Never deletes a data directory.
 */
final class ClusterFiles {
    /** Top-level entries that PostgreSQL creates and pg_upgrade fills; everything else is carried over. */
    static final Set<String> POSTGRES_OWNED = Set.of("PG_VERSION", "base", "global", "pg_commit_ts", "pg_dynshmem",
            "pg_logical", "pg_multixact", "pg_notify", "pg_replslot", "pg_serial", "pg_snapshots", "pg_stat",
            "pg_stat_tmp", "pg_subtrans", "pg_tblspc", "pg_twophase", "pg_wal", "pg_xact", "pg_xlog", "pg_clog",
            "postmaster.opts", "postmaster.pid", "current_logfiles", "backup_label", "backup_label.old",
            "tablespace_map", "tablespace_map.old", "pg_upgrade_output.d", "pg_internal.init",
            // server logs (logging_collector) stay with the old cluster
            "log", "pg_log");

    private ClusterFiles() {
    }

    /** The user's top-level entries of {@code pgdata}: postgresql.conf, postgresql.auto.conf, pg_hba.conf, pg_ident.conf, included files and directories. */
    static List<String> userEntries(Path pgdata) throws IOException {
        try (Stream<Path> entries = Files.list(pgdata)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> !POSTGRES_OWNED.contains(n))
                    .filter(n -> !n.startsWith("pg-entrypoint.init-incomplete")).sorted().toList();
        }
    }

    /** Copies the user's entries from the old cluster over the new one's defaults; returns what was copied. */
    static List<String> carry(Path from, Path to) throws IOException {
        List<String> carried = new ArrayList<>();
        for (String name : userEntries(from)) {
            copyTree(from.resolve(name), to.resolve(name));
            carried.add(name);
        }
        return carried;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path t = target.resolve(source.relativize(dir).toString());
                if (!Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Bytes of the relation files that copy mode duplicates (base and global). */
    static long relationBytes(Path pgdata) throws IOException {
        return size(pgdata.resolve("base")) + size(pgdata.resolve("global"));
    }

    static long size(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

}
