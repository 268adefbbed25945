package dev.pgentrypoint.supervise;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * The URI options of one {@code supervise:<name>} endpoint, each named as its component; bound by
 * {@link SuperviseOptionsConfigurer}.
 *
 * @param action {@code start}, {@code stop} or {@code status} (producer only)
 * @param readyCheck polled after start until it reports ready; without it the child is ready once started
 * @param escalateTarget names the process that receives the escalation signal instead of the child, when there is one
 * @param workingDir the child's working directory; the JVM's when unset
 * @param readyPollMillis milliseconds between two readiness checks
 * @param readyTimeout seconds to wait for readiness before the child is stopped and the start fails
 * @param stopSignal the signal that asks the child to stop
 * @param stopTimeout seconds to wait after the stop signal before escalating
 * @param escalateSignal the signal sent when the child has not stopped in time
 * @param escalateTimeout seconds to wait after the escalation signal before SIGKILL
 */
@UriParams
record SuperviseOptions(
        @UriParam(label = "producer", enums = "start,stop,status") String action,
        @UriParam ReadinessCheck readyCheck,
        @UriParam EscalationTarget escalateTarget,
        @UriParam String workingDir,
        @UriParam(defaultValue = "50") long readyPollMillis,
        @UriParam(defaultValue = "60") long readyTimeout,
        @UriParam(defaultValue = "INT") String stopSignal,
        @UriParam(defaultValue = "30") long stopTimeout,
        @UriParam(defaultValue = "QUIT") String escalateSignal,
        @UriParam(defaultValue = "5") long escalateTimeout) {

    static final SuperviseOptions DEFAULTS = new SuperviseOptions(null, null, null, null, 50, 60, "INT", 30, "QUIT", 5);

    private static final List<RecordComponent> OPTIONS = List.of(SuperviseOptions.class.getRecordComponents());
    private static final Constructor<SuperviseOptions> CANONICAL = canonical();

    StopPolicy stopPolicy() {
        return new StopPolicy(stopSignal, Duration.ofSeconds(stopTimeout), escalateSignal,
                Duration.ofSeconds(escalateTimeout), escalateTarget);
    }

    /** The option called {@code name} (in any case when {@code ignoreCase}), if there is one. */
    static Optional<RecordComponent> option(String name, boolean ignoreCase) {
        return OPTIONS.stream()
                .filter(option -> ignoreCase ? option.getName().equalsIgnoreCase(name) : option.getName().equals(name))
                .findFirst();
    }

    private Object get(RecordComponent option) {
        try {
            return option.getAccessor().invoke(this);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot read supervise option " + option.getName(), e);
        }
    }

    /** These options with {@code option} set to {@code value}, which has the option's type already. */
    SuperviseOptions with(RecordComponent option, Object value) {
        Object[] values = OPTIONS.stream().map(each -> each.equals(option) ? value : get(each)).toArray();
        try {
            return CANONICAL.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot set supervise option " + option.getName() + " in "
                    + Arrays.toString(values), e);
        }
    }

    private static Constructor<SuperviseOptions> canonical() {
        try {
            return SuperviseOptions.class.getDeclaredConstructor(
                    OPTIONS.stream().map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
