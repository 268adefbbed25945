package dev.pgentrypoint.lifecycle;

import dev.pgentrypoint.core.EntrypointException;
import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.logging.Masking;
import dev.pgentrypoint.state.LockHeldException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.component.exec.ExecException;

/** What a failure means: the exit code it leads to and the reason the log gives. */
public final class Failures {
    /** camel-exec's message: "The command ExecCommand [args=[..], executable=.., timeout=.., ...] had exit value N". */
    private static final Pattern EXEC_MESSAGE = Pattern.compile(
            "ExecCommand \\[args=\\[(.*?)], executable=(.*?), timeout=.*", Pattern.DOTALL);

    private Failures() {
    }

    /** The exit code of a failure: the first EntrypointException's own along the causes, else the phase's code. */
    static ExitCode codeOf(Throwable e, int phaseCode) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EntrypointException ee) {
                return ee.exitCode();
            }
            if (t instanceof LockHeldException) {
                return ExitCode.INVALID_INPUT;
            }
        }
        for (ExitCode c : ExitCode.values()) {
            if (c.code() == phaseCode) {
                return c;
            }
        }
        return ExitCode.INIT_FAILED;
    }

    /**
     * Why a step failed: our exception's message (whoever throws one over a failed command puts the
     * command's text in it); for a command, the command line (secrets masked), its exit value and the end
     * of its output, never camel-exec's description of its own settings; else the exception's message. The
     * secrets of the process are masked.
     */
    public static String reason(Throwable e) {
        return dev.pgentrypoint.logging.Masking.masked(describe(e));
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "unknown";
        }
        if (e instanceof EntrypointException && e.getMessage() != null) {
            return e.getMessage();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ExecException exec) {
                return command(exec) + commandOutput(exec);
            }
        }
        return e.getMessage();
    }

    /** "command X args failed" from an ExecException's message, or its message without camel-exec's internals. */
    static String command(ExecException exec) {
        String message = String.valueOf(exec.getMessage());
        Matcher m = EXEC_MESSAGE.matcher(message);
        if (!m.find()) {
            return message;
        }
        List<String> line = new ArrayList<>();
        line.add(m.group(2));
        if (!m.group(1).isEmpty()) {
            line.addAll(Masking.maskArgs(List.of(m.group(1).split(", "))));
        }
        return "command " + String.join(" ", line) + " failed";
    }

    /** The exit value and the end of stderr and stdout of the failed command behind {@code e}, or empty. */
    public static String commandOutput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ExecException exec) {
                return " (exit value " + exec.getExitValue() + ")" + tail(exec.getStderr()) + tail(exec.getStdout());
            }
        }
        return "";
    }

    private static String tail(InputStream in) {
        if (in == null) {
            return "";
        }
        try {
            in.reset();
        } catch (IOException ignored) {
            // not resettable: read what is left
        }
        try {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                return "";
            }
            return "\n" + (text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text);
        } catch (IOException ex) {
            return "";
        }
    }
}
