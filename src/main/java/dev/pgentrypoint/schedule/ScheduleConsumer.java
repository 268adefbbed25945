package dev.pgentrypoint.schedule;

import java.time.Clock;
import java.util.Date;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread per schedule that sleeps until the next time of the expression and then runs the route
 * once, on that thread: a run that outlasts the following time skips it (the next time is computed
 * after the run). Sleeps are capped at an hour so that a changed wall clock is picked up.
 */
final class ScheduleConsumer extends DefaultConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleConsumer.class);
    static final long MAX_SLEEP_MILLIS = 3_600_000L;

    private final String name;
    private final CronExpression cron;
    private final Clock clock;
    private volatile Thread thread;
    private volatile boolean running;

    ScheduleConsumer(ScheduleEndpoint endpoint, Processor processor, CronExpression cron) {
        this(endpoint, processor, cron, Clock.systemDefaultZone());
    }

    ScheduleConsumer(ScheduleEndpoint endpoint, Processor processor, CronExpression cron, Clock clock) {
        super(endpoint, processor);
        this.name = endpoint.getName();
        this.cron = cron;
        this.clock = clock;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        Thread t = new Thread(this::loop, "schedule-" + name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(10_000);
        }
        super.doStop();
    }

    /** The next time to fire after {@code now}, or null when the expression has no more. */
    Date next(Date now) {
        return cron.getNextValidTimeAfter(now);
    }

    private void loop() {
        Date next = next(Date.from(clock.instant()));
        LOG.debug("schedule={} cron='{}' next={}", name, cron.getCronExpression(), next);
        while (running && next != null) {
            long wait = next.getTime() - clock.millis();
            if (wait > 0) {
                try {
                    Thread.sleep(Math.min(wait, MAX_SLEEP_MILLIS));
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            fire();
            next = next(Date.from(clock.instant()));
        }
    }

    private void fire() {
        Exchange exchange = createExchange(false);
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        if (exchange.getException() != null) {
            getExceptionHandler().handleException("Error processing schedule " + name, exchange,
                    exchange.getException());
        }
        releaseExchange(exchange, false);
    }
}
