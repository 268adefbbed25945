package dev.pgentrypoint.supervise;

import java.util.ArrayDeque;
import java.util.Deque;

/** Ring buffer holding the most recent output lines of one child. */
final class OutputTail {

    private final int capacity;
    private final Deque<String> lines;

    OutputTail(int capacity) {
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(capacity);
    }

    synchronized void add(String line) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    synchronized String joined() {
        return String.join("\n", lines);
    }
}
