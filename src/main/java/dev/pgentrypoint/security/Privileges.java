package dev.pgentrypoint.security;

import dev.pgentrypoint.logging.Audit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Who we run as, who we drop to, and fixing or explaining ownership and modes of paths. */
public final class Privileges {
    private final String targetUser;
    private final int uid;

    public Privileges(String targetUser) {
        this.targetUser = targetUser;
        this.uid = currentUid();
    }

    public boolean isRoot() {
        return uid == 0;
    }

    public int uid() {
        return uid;
    }

    public String targetUser() {
        return targetUser;
    }

    /** The user name we run as, for logs. */
    public String currentUser() {
        return System.getProperty("user.name", String.valueOf(uid));
    }

    public OptionalInt targetUid() {
        return id("-u");
    }

    public OptionalInt targetGid() {
        return id("-g");
    }

    /** A command prefixed so that it runs as the target user when we are root (setpriv replaces itself). */
    public List<String> asTargetUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + targetUser, "--regid=" + targetUser,
                "--init-groups"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Changes the owner of every entry below root (root included) that the target user does not own; returns how many. */
    public int chownWrongOwned(Path root) throws IOException {
        int changed = chown(root);
        if (changed > 0) {
            Audit.event("chown", Map.of("path", root.toString(), "owner", targetUser, "entries", String.valueOf(changed)));
        }
        return changed;
    }

    /** Gives a private temporary tree of ours to the target user, without an audit event. */
    public void giveToTarget(Path root) throws IOException {
        chown(root);
    }

    private int chown(Path root) throws IOException {
        int tuid = targetUid().orElseThrow(() -> new IOException("user " + targetUser + " does not exist"));
        int tgid = targetGid().orElseThrow();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        int changed = 0;
        try (Stream<Path> entries = Files.walk(root)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int group = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                if (owner != tuid || group != tgid) {
                    Files.setAttribute(p, "unix:uid", tuid, LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(p, "unix:gid", tgid, LinkOption.NOFOLLOW_LINKS);
                    changed++;
                }
            }
        }
        return changed;
    }

    /** Owner and mode of a path and each of its parents, e.g. to explain a permission problem. */
    public static String describe(Path path) {
        StringBuilder out = new StringBuilder();
        for (Path p = path.toAbsolutePath(); p != null; p = p.getParent()) {
            out.append("\n    ").append(p).append(": ");
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                out.append("does not exist");
                continue;
            }
            try {
                Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                out.append("uid=").append(a.get("uid")).append(" gid=").append(a.get("gid"))
                        .append(" mode=").append(String.format("%04o", mode & 07777))
                        .append(" (").append(PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
                                LinkOption.NOFOLLOW_LINKS))).append(')');
            } catch (IOException | UnsupportedOperationException e) {
                out.append("unreadable (").append(e.getMessage()).append(')');
            }
        }
        return out.toString();
    }

    private OptionalInt id(String flag) {
        try {
            Process p = new ProcessBuilder("id", flag, targetUser).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(Integer.parseInt(out));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    private static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name")) ? 0 : -1;
        }
    }
}
