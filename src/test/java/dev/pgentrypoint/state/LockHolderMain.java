package dev.pgentrypoint.state;

import java.io.IOException;
import java.nio.file.Path;

/** Child-process helper for {@link InstanceLockTest}: holds the lock until stdin closes. */
final class LockHolderMain {

    static final String READY = "LOCKED";

    private LockHolderMain() {
    }

    public static void main(String[] args) throws IOException {
        try (InstanceLock lock = InstanceLock.acquire(Path.of(args[0]), args[1])) {
            System.out.println(READY + " " + ProcessHandle.current().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Hold the lock until the parent closes our stdin or kills us.
            }
        }
    }
}
