package dev.pgentrypoint.schedule;

import dev.pgentrypoint.camel.NamedEndpoint;
import java.text.ParseException;
import java.util.TimeZone;
import org.apache.camel.Category;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.quartz.CronExpression;

/** Endpoint {@code schedule:<name>}: a consumer only, firing one exchange at each time of {@code cron}. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "schedule", title = "Schedule", syntax = "schedule:name",
        category = Category.SCHEDULING, consumerOnly = true)
public class ScheduleEndpoint extends NamedEndpoint {

    @UriParam
    @Metadata(required = true)
    private String cron;
    @UriParam
    private String timeZone;

    ScheduleEndpoint(String uri, Component component, String name) {
        super(uri, component, name);
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("schedule:" + getName() + " is a consumer only: use it in from:");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ScheduleConsumer consumer = new ScheduleConsumer(this, processor, expression());
        configureConsumer(consumer);
        return consumer;
    }

    /** The parsed expression, in {@code timeZone} (default: the JVM's). */
    CronExpression expression() {
        if (cron == null || cron.isBlank()) {
            throw new IllegalArgumentException("schedule:" + getName() + " needs cron=<expression> (Quartz form, seconds first)");
        }
        try {
            CronExpression expression = new CronExpression(cron.strip());
            if (timeZone != null && !timeZone.isBlank()) {
                expression.setTimeZone(TimeZone.getTimeZone(timeZone.strip()));
            }
            return expression;
        } catch (ParseException e) {
            throw new IllegalArgumentException("schedule:" + getName() + " has an invalid cron '" + cron + "': " + e.getMessage(), e);
        }
    }

    public String getCron() {
        return cron;
    }

    /** The cron expression in the Quartz form: seconds minutes hours day-of-month month day-of-week [year]. */
    public void setCron(String cron) {
        this.cron = cron;
    }

    public String getTimeZone() {
        return timeZone;
    }

    /** The time zone of the expression, e.g. {@code UTC} or {@code Europe/Berlin}; default the JVM's. */
    public void setTimeZone(String timeZone) {
        this.timeZone = timeZone;
    }
}
