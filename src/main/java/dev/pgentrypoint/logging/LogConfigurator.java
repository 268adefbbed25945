package dev.pgentrypoint.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.pgentrypoint.settings.Settings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Configures logback in code, from {@code LOG_FORMAT} ({@code text} or {@code json}) and
 * {@code DEBUG}; registered as a {@link Configurator} service so no logback.xml is needed.
 * Any other value of {@code LOG_FORMAT} logs as text, silently: validation refuses it with one message.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

    /** Logger categories of the application itself; INFO, or DEBUG in debug mode. */
    static final List<String> OUR_LOGGERS = List.of("dev.pgentrypoint", "pg-entrypoint", "child");
    /** Logs full command lines, secrets included, at ERROR on non-zero exits: always silenced. */
    static final String CAMEL_EXEC = "org.apache.camel.component.exec";

    /** Environment lookup; tests replace it. */
    static Function<String, String> env = System::getenv;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String format = env.apply("LOG_FORMAT");
        String normalized = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
        boolean json = normalized.equals("json");
        boolean debug = Settings.isTrue(env.apply("DEBUG"));

        LayoutBase<ILoggingEvent> layout = json ? new JsonLayout(debug) : new TextLayout(debug);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stdout");
        appender.setTarget("System.out");
        appender.setEncoder(encoder);
        appender.start();

        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
        for (String name : OUR_LOGGERS) {
            context.getLogger(name).setLevel(debug ? Level.DEBUG : Level.INFO);
        }
        context.getLogger("org.apache.camel").setLevel(Level.WARN);
        context.getLogger(CAMEL_EXEC).setLevel(Level.OFF);

        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
