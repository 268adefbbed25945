package dev.pgentrypoint.schedule;

import dev.pgentrypoint.camel.NamedComponent;
import org.apache.camel.spi.annotations.Component;

/**
 * Camel component {@code schedule:<name>?cron=...}: a consumer that fires at the times of a cron
 * expression in the Quartz form (seconds first). It replaces camel-quartz for the backup schedules:
 * the same expressions, without a scheduler, its thread pool and its job store (measured: 652
 * classes, 6 threads and 8 MB less; docs/performance.md).
 */
@Component("schedule")
public class ScheduleComponent extends NamedComponent {

    public ScheduleComponent() {
        super("schedule endpoint needs a name: schedule:<name>?cron=...", ScheduleEndpoint::new);
    }
}
