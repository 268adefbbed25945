package dev.pgentrypoint.settings;

import dev.pgentrypoint.core.ExitCode;
import dev.pgentrypoint.core.ValidationError;
import dev.pgentrypoint.core.ValidationException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Collects the errors of every module's validate route so they are reported together. */
public final class ValidationReport {
    private static final Logger LOG = LoggerFactory.getLogger("pg-entrypoint.validation");
    private final List<ValidationError> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    public synchronized void invalid(String subject, String message) {
        errors.add(new ValidationError(subject, message, ExitCode.INVALID_INPUT));
    }

    public synchronized void initIncomplete(String subject, String message) {
        errors.add(new ValidationError(subject, message, ExitCode.INIT_FAILED));
    }

    public synchronized void warn(String message) {
        warnings.add(message);
    }

    public synchronized List<ValidationError> errors() {
        return List.copyOf(errors);
    }

    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Starts a validation pass; returns this report so the validate routes receive it as their body. */
    public synchronized ValidationReport begin() {
        errors.clear();
        warnings.clear();
        return this;
    }

    /** Logs every warning once, then throws if any error was found. */
    public synchronized void conclude() {
        warnings.forEach(w -> LOG.warn("{}", w));
        warnings.clear();
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }
}
