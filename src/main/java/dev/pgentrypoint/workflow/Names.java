package dev.pgentrypoint.workflow;

import java.util.List;

/** Close names for a misspelled one: "did you mean ...?" in the checker's messages. */
final class Names {
    private Names() {
    }

    /** The suggestion when there is one, else the names known. */
    static String orList(String suggestion, List<String> known) {
        return suggestion.isEmpty() ? " (" + String.join(", ", known) + ")" : suggestion;
    }

    /** " (did you mean 'X'?)" when one known name is close to the given one, else empty. */
    static String suggestion(String given, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(given, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, given.length() / 4) ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
