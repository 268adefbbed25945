package dev.pgentrypoint.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Writes a file so that a reader sees the old content or the new one, never a part: the content goes to a
 * temporary file beside it ({@code .NAME.RANDOM.tmp}), which then replaces it with an atomic rename.
 */
public final class AtomicFiles {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /**
     * Replaces {@code file} with {@code content}, with exactly {@code mode}. The temporary file is private
     * (0600) until the content is in, so a secret is never readable by others on the way.
     */
    public static void write(Path file, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        replace(file, content, mode);
    }

    public static void write(Path file, String content, Set<PosixFilePermission> mode) throws IOException {
        replace(file, content.getBytes(StandardCharsets.UTF_8), mode);
    }

    /** Replaces {@code file} with {@code content}, with the mode a new file gets (0666 less the umask). */
    public static void write(Path file, String content) throws IOException {
        replace(file, content.getBytes(StandardCharsets.UTF_8), null);
    }

    private static void replace(Path file, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        Path temp = file.toAbsolutePath().resolveSibling(
                "." + file.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
        OpenOption[] create = {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE};
        try {
            if (mode == null) {
                Files.write(temp, content, create);
            } else {
                FileAttribute<?>[] attributes = posix(file) ? new FileAttribute<?>[] {
                        PosixFilePermissions.asFileAttribute(PRIVATE)} : new FileAttribute<?>[0];
                Files.write(Files.createFile(temp, attributes), content);
                if (posix(file)) {
                    Files.setPosixFilePermissions(temp, mode);
                }
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static boolean posix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
