package dev.pgentrypoint.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A line of a configuration file that says something (postgresql.conf, pgbackrest.conf): neither blank nor a
 * {@code #} comment, stripped, with its number from 1.
 */
public record ConfLine(int number, String text) {

    /** The lines of {@code text} that say something, in order. */
    public static List<ConfLine> of(String text) {
        List<ConfLine> lines = new ArrayList<>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            String line = all[i].strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                lines.add(new ConfLine(i + 1, line));
            }
        }
        return lines;
    }
}
