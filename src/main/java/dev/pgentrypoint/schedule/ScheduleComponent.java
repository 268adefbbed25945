package dev.pgentrypoint.schedule;

import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * Camel component {@code schedule:<name>?cron=...}: a consumer that fires at the times of a cron
 * expression in the Quartz form (seconds first). It replaces camel-quartz for the backup schedules:
 * the same expressions, without a scheduler, its thread pool and its job store (measured: 652
 * classes, 6 threads and 8 MB less; docs/performance.md).
 */
@Component("schedule")
public class ScheduleComponent extends DefaultComponent {

    public ScheduleComponent() {
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining.isBlank()) {
            throw new IllegalArgumentException("schedule endpoint needs a name: schedule:<name>?cron=...");
        }
        ScheduleEndpoint endpoint = new ScheduleEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
