package dev.pgentrypoint.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a process costs while it runs, read from /proc: memory of one process (smaps_rollup), CPU
 * time of a process and its descendants, and whether the JVM mapped the project's class archive.
 */
final class Footprint {
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

    private Footprint() {
    }

    /** Rss, Pss and anonymous memory of a process, in MB. */
    record Memory(double rss, double pss, double anonymous) {
    }

    static Memory memory(long pid) throws IOException {
        Map<String, Long> kb = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].equals("kB")) {
                kb.put(f[0].replace(":", ""), Long.parseLong(f[1]));
            }
        }
        return new Memory(kb.getOrDefault("Rss", 0L) / 1024.0, kb.getOrDefault("Pss", 0L) / 1024.0,
                kb.getOrDefault("Anonymous", 0L) / 1024.0);
    }

    /** Whether the process mapped the project's class archive (lib/pg-entrypoint.jsa, or .aot with Java 25 and later). */
    static boolean archiveMapped(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps")).stream()
                .anyMatch(l -> l.endsWith("/pg-entrypoint.jsa") || l.endsWith("/pg-entrypoint.aot"));
    }

    /**
     * A reading of CPU time: each live thread's scheduler time (ns) by process and thread id, and
     * the time of children the processes have already waited for (ticks of 10 ms: postgres' backends).
     */
    record Cpu(Map<String, Long> threads, long reapedNanos) {
        /** CPU used between {@code before} and this reading; threads that ended in between are not counted. */
        long since(Cpu before) {
            long used = Math.max(0, reapedNanos - before.reapedNanos);
            for (Map.Entry<String, Long> t : threads.entrySet()) {
                used += t.getValue() - before.threads.getOrDefault(t.getKey(), 0L);
            }
            return used;
        }
    }

    /** CPU of a process and every descendant alive now ({@code alone}: of the process only). */
    static Cpu cpu(long pid, boolean alone) {
        Map<String, Long> threads = new TreeMap<>();
        long reaped = 0;
        for (long p : alone ? List.of(pid) : tree(pid)) {
            try (var tasks = Files.list(Path.of("/proc", Long.toString(p), "task"))) {
                for (Path task : tasks.toList()) {
                    threads.put(p + "/" + task.getFileName(), schedNanos(task.resolve("schedstat")));
                }
            } catch (IOException | java.io.UncheckedIOException gone) {
                continue;
            }
            if (!alone) {
                reaped += reapedNanos(p);
            }
        }
        return new Cpu(threads, reaped);
    }

    private static long reapedNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 16 and 17 of stat (cutime, cstime): index 13 and 14 after the command name
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * TICK_NANOS;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static long schedNanos(Path schedstat) {
        try {
            return Long.parseLong(Files.readString(schedstat).trim().split(" ")[0]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** The process and its descendants alive now. */
    static List<Long> tree(long pid) {
        List<Long> all = new ArrayList<>();
        all.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        return all;
    }
}
