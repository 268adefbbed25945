package dev.pgentrypoint.health;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Free space of PGDATA and the WAL directory above a threshold (bytes, or a percentage of the file system). */
final class DiskCheck extends BaseCheck {
    private final List<Path> paths;
    private final Threshold threshold;

    DiskCheck(List<Path> paths, Threshold threshold) {
        super("disk", false, true);
        this.paths = List.copyOf(paths);
        this.threshold = threshold;
    }

    @Override
    public CheckResult check() {
        List<String> facts = new ArrayList<>();
        for (Path path : paths) {
            Path existing = path;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                continue;
            }
            try {
                FileStore store = Files.getFileStore(existing);
                long free = store.getUsableSpace();
                long minimum = threshold.bytes(store.getTotalSpace());
                if (free < minimum) {
                    return CheckResult.down(name(), path + " has " + free + " bytes free, below the minimum of "
                            + minimum + " (HEALTH_DISK_MIN_FREE=" + threshold + ")");
                }
                facts.add(path + " " + free + " bytes free");
            } catch (IOException e) {
                return CheckResult.down(name(), "cannot read the free space of " + path + ": " + e.getMessage());
            }
        }
        return CheckResult.up(name(), String.join(", ", facts));
    }

    /** A minimum of free space: "5%" of the file system, or bytes with an optional K, M, G or T suffix. */
    record Threshold(String text, double percent, long bytes) {
        static Threshold parse(String text) {
            String t = text.trim().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
            if (t.endsWith("%")) {
                double p = Double.parseDouble(t.substring(0, t.length() - 1));
                if (p < 0 || p > 100) {
                    throw new IllegalArgumentException("a percentage must lie between 0 and 100");
                }
                return new Threshold(text, p, -1);
            }
            long factor = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                default -> 1;
            };
            String number = factor == 1 ? t : t.substring(0, t.length() - 1);
            long n = Long.parseLong(number.trim());
            if (n < 0) {
                throw new IllegalArgumentException("must not be negative");
            }
            return new Threshold(text, -1, n * factor);
        }

        /** The threshold, or 1% when the text does not parse (validation reports it). */
        static Threshold parseOrDefault(String text) {
            try {
                return parse(text);
            } catch (RuntimeException e) {
                return parse("1%");
            }
        }

        long bytes(long total) {
            return percent >= 0 ? (long) (total * percent / 100) : bytes;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
