package dev.pgentrypoint.config;

import java.util.ArrayList;
import java.util.List;

/** The lines one text removes from and adds to another (a longest-common-subsequence diff), for the log. */
record LineDiff(List<String> removed, List<String> added) {

    static LineDiff of(String before, String after) {
        List<String> a = before.isEmpty() ? List.of() : before.lines().toList();
        List<String> b = after.isEmpty() ? List.of() : after.lines().toList();
        int[][] common = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<String> removed = new ArrayList<>();
        List<String> added = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            if (a.get(i).equals(b.get(j))) {
                i++;
                j++;
            } else if (common[i + 1][j] >= common[i][j + 1]) {
                removed.add(a.get(i++));
            } else {
                added.add(b.get(j++));
            }
        }
        removed.addAll(a.subList(i, a.size()));
        added.addAll(b.subList(j, b.size()));
        return new LineDiff(List.copyOf(removed), List.copyOf(added));
    }

    boolean isEmpty() {
        return removed.isEmpty() && added.isEmpty();
    }
}
