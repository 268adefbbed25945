package dev.pgentrypoint.core;

import java.util.List;
import java.util.stream.Collectors;

/** Every validation error at once; its exit code is the most severe of theirs. */
public final class ValidationException extends EntrypointException {
    private final List<ValidationError> errors;

    public ValidationException(List<ValidationError> errors) {
        super("validation", errors.stream().map(ValidationError::exitCode)
                        .max(Enum::compareTo).orElseThrow(),
                errors.size() + " problem(s) found, nothing was changed:\n  - "
                        + errors.stream().map(ValidationError::toString).collect(Collectors.joining("\n  - ")));
        this.errors = List.copyOf(errors);
    }

    public List<ValidationError> errors() {
        return errors;
    }
}
