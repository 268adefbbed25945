package dev.pgentrypoint.logging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in text and command lines before they reach a log: the one masking of the project. The
 * secrets of the process (passwords and keys from the environment, their {@code _FILE}s, and those found in
 * configuration files) are registered once with {@link #register}; every command output that may reach a log
 * line or an exception message passes {@link #masked(String)}.
 */
public final class Masking {

    /** What a hidden secret is replaced with. */
    public static final String MASK = "****";

    /** {@code --password=}, {@code password=} (conninfo) and {@code PGPASSWORD=}, any case. */
    private static final Pattern KEY_VALUE = Pattern.compile(
        "(?i)(?<![A-Za-z0-9_])((?:PG)?PASSWORD\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'?|\"(?:[^\"\\\\]|\\\\.)*\"?|\\S+)");
    /** {@code password=} in the query of a connection URI, which ends at {@code &} or {@code #}. */
    private static final Pattern URI_QUERY = Pattern.compile("(?i)([?&]password=)([^&#\\s]*)");
    /** The password part of a connection URI's user info: {@code postgresql://user:secret@host}. */
    private static final Pattern URI_USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://[^:/@\\s]*:)([^@/\\s]*)(?=@)");
    /** SQL such as {@code ALTER ROLE x PASSWORD 'secret'} passed with {@code psql -c}. */
    private static final Pattern SQL_PASSWORD = Pattern.compile("(?i)(\\bPASSWORD\\s+)('(?:[^']|'')*'?)");

    /**
     * A secret shorter than this is hidden only where it stands alone (no letter or digit next to it): a short
     * password such as {@code x} would otherwise turn every word holding it into stars, and show where it is.
     */
    static final int WHOLE_WORD_BELOW = 8;

    /** The pattern of each short secret, compiled once: every output line of a supervised child is masked. */
    private static final Map<String, Pattern> STANDING_ALONE = new ConcurrentHashMap<>();

    /** The secrets of this process, registered as they become known. */
    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private Masking() {
    }

    /** Adds secrets that {@link #masked(String)} hides from now on; null and empty values are ignored. */
    public static void register(Collection<String> secrets) {
        secrets.stream().filter(Objects::nonNull).filter(s -> !s.isEmpty()).forEach(KNOWN::add);
    }

    /**
     * A command's output, or a message carrying it, with every registered secret replaced by {@value #MASK}.
     *
     * @return the masked text, or {@code null} if {@code text} is {@code null}
     */
    public static String masked(String text) {
        return mask(text, KNOWN);
    }

    /**
     * Replaces every occurrence of each non-empty secret in {@code text} by {@value #MASK} (of a secret shorter
     * than {@value #WHOLE_WORD_BELOW} characters, those that stand alone); longer secrets are replaced first so
     * a secret containing another is hidden whole.
     *
     * @return the masked text, or {@code null} if {@code text} is {@code null}
     */
    public static String mask(String text, Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        List<String> ordered = secrets.stream()
            .filter(Objects::nonNull)
            .filter(s -> !s.isEmpty())
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
        String masked = text;
        for (String secret : ordered) {
            masked = secret.length() < WHOLE_WORD_BELOW
                ? STANDING_ALONE.computeIfAbsent(secret, Masking::standingAlone).matcher(masked)
                    .replaceAll(Matcher.quoteReplacement(MASK))
                : masked.replace(secret, MASK);
        }
        return masked;
    }

    private static Pattern standingAlone(String secret) {
        return Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(secret) + "(?![A-Za-z0-9])");
    }

    /**
     * Returns a copy of {@code args} with secret-carrying values masked: {@code --password=...},
     * {@code password=...} inside a conninfo string or connection URI, the password in a URI's
     * user info, {@code PGPASSWORD=...}, and the literal after SQL {@code PASSWORD}.
     */
    public static List<String> maskArgs(List<String> args) {
        List<String> masked = new ArrayList<>(args.size());
        for (String arg : args) {
            masked.add(arg == null ? null : maskArg(arg));
        }
        return masked;
    }

    private static String maskArg(String arg) {
        if (arg.contains("://")) {
            String result = URI_USERINFO.matcher(arg).replaceAll("$1" + MASK);
            return URI_QUERY.matcher(result).replaceAll("$1" + MASK);
        }
        String result = KEY_VALUE.matcher(arg).replaceAll(Masking::maskValue);
        return SQL_PASSWORD.matcher(result).replaceAll(Masking::maskValue);
    }

    /** Keeps group 1 and replaces group 2, keeping its quote style if it is quoted. */
    private static String maskValue(MatchResult m) {
        return Matcher.quoteReplacement(m.group(1) + quotedLike(m.group(2)));
    }

    private static String quotedLike(String value) {
        char first = value.charAt(0);
        return first == '\'' || first == '"' ? first + MASK + first : MASK;
    }
}
