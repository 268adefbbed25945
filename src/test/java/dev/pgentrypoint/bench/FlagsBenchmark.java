package dev.pgentrypoint.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which of the launcher's JVM settings pay: the entrypoint on existing data with all of them, then
 * with one at a time put back to what the launcher used before (through JAVA_OPTS, which comes last
 * on the JVM's command line), and with the candidates that were dropped, interleaved run by run. For each: restart to
 * first login, JVM memory while RUNNING and idle, and the JVM's CPU per idle minute.
 * {@code mvn -Pbenchmark verify -Dbench.mode=flags [-Dbench.runs=3]}.
 */
final class FlagsBenchmark {
    /** Each variant: the setting put back, as environment for the launcher. */
    static final Map<String, Map<String, String>> VARIANTS = variants();

    private final Benchmark bench;

    FlagsBenchmark(Benchmark bench) {
        this.bench = bench;
    }

    private static Map<String, Map<String, String>> variants() {
        Map<String, Map<String, String>> v = new LinkedHashMap<>();
        v.put("all settings of the launcher", Map.of());
        v.put("all put back (the previous launcher)", opts("-XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70 "
                + "-XX:ReservedCodeCacheSize=24m -XX:+UsePerfData -XX:ArchiveRelocationMode=1 "
                + "-XX:GuaranteedSafepointInterval=1000 -XX:AsyncDeflationInterval=250 -XX:TrimNativeHeapInterval=0"));
        v.put("without -XX:ArchiveRelocationMode=0", opts("-XX:ArchiveRelocationMode=1"));
        v.put("without MinHeapFreeRatio=10/MaxHeapFreeRatio=20", opts("-XX:MinHeapFreeRatio=40 -XX:MaxHeapFreeRatio=70"));
        v.put("without -XX:TrimNativeHeapInterval=5000", opts("-XX:TrimNativeHeapInterval=0"));
        v.put("without -XX:-UsePerfData", opts("-XX:+UsePerfData"));
        v.put("without -XX:GuaranteedSafepointInterval=0", opts("-XX:GuaranteedSafepointInterval=1000"));
        v.put("without -XX:AsyncDeflationInterval=0", opts("-XX:AsyncDeflationInterval=250"));
        // tried and dropped: they did not pay (docs/performance.md, "JVM flags")
        v.put("with -Xss256k", opts("-Xss256k"));
        v.put("ReservedCodeCacheSize=24m instead of 16m", opts("-XX:ReservedCodeCacheSize=24m"));
        v.put("with MALLOC_ARENA_MAX=2", Map.of("MALLOC_ARENA_MAX", "2"));
        return v;
    }

    private static Map<String, String> opts(String javaOpts) {
        return Map.of("JAVA_OPTS", javaOpts);
    }

    private record Sample(double restart, double rss, double anonymous, double pss, double cpu, boolean archive) {
    }

    void run() throws Exception {
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        int port = Benchmark.freePort();
        int mgmt = Benchmark.freePort();
        int n = 0;
        for (String name : VARIANTS.keySet()) {
            Path dir = bench.dir("flags-" + n++);
            Process first = bench.entrypoint(dir, port, mgmt);
            Benchmark.awaitLogin(port, first);
            Benchmark.stopEntrypoint(first);
            dirs.put(name, dir);
            samples.put(name, new ArrayList<>());
        }
        for (int i = 0; i < Benchmark.RUNS; i++) {
            for (Map.Entry<String, Map<String, String>> variant : VARIANTS.entrySet()) {
                long t0 = System.nanoTime();
                Process p = bench.entrypoint(dirs.get(variant.getKey()), port, mgmt, variant.getValue());
                Benchmark.awaitLogin(port, p);
                double restart = Benchmark.seconds(t0);
                Thread.sleep(3000);
                Footprint.Memory m = Footprint.memory(p.pid());
                double cpu = Benchmark.idleCpuPerMinute(p.pid())[1];
                Sample s = new Sample(restart, m.rss(), m.anonymous(), m.pss(), cpu, Footprint.archiveMapped(p.pid()));
                Benchmark.stopEntrypoint(p);
                samples.get(variant.getKey()).add(s);
                System.err.printf(Locale.ROOT, "run %d %s: %s%n", i + 1, variant.getKey(), s);
            }
        }
        System.out.println();
        System.out.println("| JVM settings | restart → login | RSS | anonymous | Pss | JVM idle CPU per minute | archive mapped |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
            List<Sample> l = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %s s | %s MB | %s MB | %s MB | %s ms | %d of %d |%n", e.getKey(),
                    Benchmark.fmt(Benchmark.median(l.stream().map(Sample::restart).toList())),
                    Benchmark.fmt(Benchmark.median(l.stream().map(Sample::rss).toList())),
                    Benchmark.fmt(Benchmark.median(l.stream().map(Sample::anonymous).toList())),
                    Benchmark.fmt(Benchmark.median(l.stream().map(Sample::pss).toList())),
                    Benchmark.fmt(Benchmark.median(l.stream().map(Sample::cpu).toList())),
                    l.stream().filter(Sample::archive).count(), l.size());
        }
        System.out.printf(Locale.ROOT, "%nmedian of %d runs, interleaved; idle window %d s after 3 s; %d cores%n",
                Benchmark.RUNS, Benchmark.IDLE, Runtime.getRuntime().availableProcessors());
    }
}
