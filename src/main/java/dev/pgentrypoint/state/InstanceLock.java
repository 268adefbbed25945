package dev.pgentrypoint.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exclusive lock on {@code LOCK_FILE} ensuring a single pg-entrypoint per data directory.
 *
 * <p>The lock is an OS file lock, so it vanishes with the process even on a crash; the file
 * content ({@code pid=...}, {@code pgdata=...}, {@code host=...}, {@code since=...}) only serves to
 * explain who holds it.
 *
 * <p>Caution: POSIX file locks belong to the process, and closing <em>any</em> descriptor of
 * the file in this JVM silently drops them. Nothing else in this process may open the lock file
 * while it is held; a second {@code acquire} in the same JVM is answered from memory for that reason.
 */
public final class InstanceLock implements AutoCloseable {

    private static final Pattern PID = Pattern.compile("(?m)^pid=(\\d+)$");
    private static final Pattern PGDATA = Pattern.compile("(?m)^pgdata=(.*)$");
    private static final Pattern HOST = Pattern.compile("(?m)^host=(.*)$");
    private static final Pattern SINCE = Pattern.compile("(?m)^since=(.*)$");
    private static final String OWN_PID = Long.toString(ProcessHandle.current().pid());
    /** Locks held by this JVM, by real path; also the monitor for acquiring and closing. */
    private static final Map<Path, InstanceLock> HELD = new HashMap<>();

    private final Path lockFile;
    private final Path key;
    private final String pgdata;
    private final FileChannel channel;
    private final FileLock lock;
    private final Object fileKey;
    private boolean closed;

    private InstanceLock(Path lockFile, Path key, String pgdata, FileChannel channel, FileLock lock,
                         Object fileKey) {
        this.lockFile = lockFile;
        this.key = key;
        this.pgdata = pgdata;
        this.channel = channel;
        this.lock = lock;
        this.fileKey = fileKey;
    }

    /**
     * Takes the lock without waiting and records this process in the file.
     *
     * @throws LockHeldException if another process, or another holder in this JVM, has the lock
     * @throws UncheckedIOException if the lock file cannot be created, locked or written
     */
    public static InstanceLock acquire(Path lockFile, String pgdata) {
        synchronized (HELD) {
            Path key = realPath(lockFile);
            InstanceLock mine = HELD.get(key);
            if (mine != null) {
                throw new LockHeldException(lockFile, OWN_PID, mine.pgdata, host(), "now");
            }
            InstanceLock acquired = lock(lockFile, key, pgdata);
            HELD.put(key, acquired);
            return acquired;
        }
    }

    private static Path realPath(Path lockFile) {
        try {
            Path parent = Files.createDirectories(lockFile.toAbsolutePath().getParent());
            return parent.toRealPath().resolve(lockFile.getFileName());
        } catch (IOException e) {
            throw failure("cannot create", lockFile, e);
        }
    }

    private static InstanceLock lock(Path lockFile, Path key, String pgdata) {
        FileChannel channel;
        try {
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw failure("cannot create", lockFile, e);
        }
        try {
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw held(lockFile, key);
            }
            byte[] content = ("pid=" + OWN_PID + "\npgdata=" + pgdata + "\nhost=" + host() + "\nsince="
                    + java.time.Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(content), 0);
            channel.force(false);
            setMode0644(key);
            Object fileKey = Files.readAttributes(key, BasicFileAttributes.class).fileKey();
            return new InstanceLock(lockFile, key, pgdata, channel, lock, fileKey);
        } catch (IOException e) {
            closeAfterFailure(channel, e);
            throw failure("cannot lock or write", lockFile, e);
        } catch (RuntimeException e) {
            closeAfterFailure(channel, e);
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Held in this JVM under another path to the same file (e.g. a hard link).
            return null;
        }
    }

    private static LockHeldException held(Path lockFile, Path key) {
        String content;
        try {
            content = Files.readString(key, StandardCharsets.UTF_8);
        } catch (IOException e) {
            content = "";
        }
        return new LockHeldException(lockFile, find(PID, content), find(PGDATA, content), find(HOST, content),
                find(SINCE, content));
    }

    /**
     * Who holds the lock on {@code lockFile}, without creating or writing anything (for a dry run):
     * the exception a real acquire would throw, or empty when it is free or missing.
     */
    public static java.util.Optional<LockHeldException> probe(Path lockFile) {
        synchronized (HELD) {
            if (!Files.isRegularFile(lockFile) || HELD.values().stream().anyMatch(l -> l.lockFile.equals(lockFile))) {
                return java.util.Optional.empty();
            }
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ)) {
                FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
                if (shared != null) {
                    shared.release();
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(held(lockFile, lockFile));
            } catch (IOException | OverlappingFileLockException e) {
                return java.util.Optional.empty();
            }
        }
    }

    /** The host name of this container, for the lock file and the message of a second entrypoint. */
    static String host() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the environment
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isEmpty() ? "unknown" : env;
    }

    private static String find(Pattern pattern, String content) {
        Matcher m = pattern.matcher(content);
        return m.find() && !m.group(1).isEmpty() ? m.group(1) : "unknown";
    }

    private static void setMode0644(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: someone else's file, or no POSIX permissions; the lock holds regardless.
        }
    }

    private static void closeAfterFailure(FileChannel channel, Exception cause) {
        try {
            channel.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static UncheckedIOException failure(String what, Path lockFile, IOException e) {
        return new UncheckedIOException(what + " LOCK_FILE " + lockFile + ": " + e, e);
    }

    /**
     * Deletes the lock file if it still records this process, then releases the lock.
     * Calling it again does nothing.
     *
     * @throws UncheckedIOException if the file cannot be deleted or the lock released
     */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            HELD.remove(key, this);
            try (channel) {
                if (stillOurs()) {
                    Files.deleteIfExists(key);
                }
                lock.release();
            } catch (IOException e) {
                throw failure("cannot release", lockFile, e);
            }
        }
    }

    /** Reads through our own channel: opening the file anew would drop the lock (see class doc). */
    private boolean stillOurs() throws IOException {
        Object current;
        try {
            current = Files.readAttributes(key, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return false;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 64 * 1024));
        channel.read(buffer, 0);
        String content = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        return Objects.equals(current, fileKey) && OWN_PID.equals(find(PID, content));
    }
}
