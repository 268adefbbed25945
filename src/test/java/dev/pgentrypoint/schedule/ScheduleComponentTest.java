package dev.pgentrypoint.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScheduleComponentTest {
    private CamelContext context;

    @BeforeEach
    void start() {
        context = new DefaultCamelContext();
    }

    @AfterEach
    void stop() throws Exception {
        context.close();
    }

    @Test
    void bindsCronAndTimeZone() {
        ScheduleEndpoint endpoint = context.getEndpoint("schedule:backup-full?cron=0 0 1 ? * SUN&timeZone=UTC",
                ScheduleEndpoint.class);
        assertEquals("backup-full", endpoint.getName());
        assertEquals("0 0 1 ? * SUN", endpoint.getCron());
        assertEquals("UTC", endpoint.getTimeZone());
    }

    @Test
    void nextTimesFollowTheExpressionInItsTimeZone() {
        ScheduleEndpoint endpoint = context.getEndpoint("schedule:t?cron=0 30 2 * * ?&timeZone=Europe/Berlin",
                ScheduleEndpoint.class);
        Date after = Date.from(Instant.parse("2026-12-02T10:00:00Z"));
        Date next = endpoint.expression().getNextValidTimeAfter(after);
        // 02:30 in Berlin (UTC+1 in December) is 01:30 UTC, the next day
        assertEquals(Instant.parse("2026-12-03T01:30:00Z"), next.toInstant());
        ScheduleEndpoint sunday = context.getEndpoint("schedule:s?cron=0 0 1 ? * SUN&timeZone=UTC", ScheduleEndpoint.class);
        assertEquals(ZonedDateTime.of(2026, 12, 6, 1, 0, 0, 0, ZoneOffset.UTC).toInstant(),
                sunday.expression().getNextValidTimeAfter(after).toInstant());
    }

    @Test
    void aRouteWithoutCronOrWithABadOneDoesNotStart() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("schedule:bad?cron=0 61 * * * ?").routeId("bad").log("never");
            }
        });
        Exception e = assertThrows(Exception.class, context::start);
        assertTrue(rootMessage(e).contains("schedule:bad has an invalid cron '0 61 * * * ?'"), rootMessage(e));
    }

    @Test
    void aMissingCronIsNamed() {
        ScheduleEndpoint endpoint = context.getEndpoint("schedule:empty", ScheduleEndpoint.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, endpoint::expression);
        assertTrue(e.getMessage().contains("schedule:empty needs cron="), e.getMessage());
    }

    @Test
    void firesOnItsOwnThreadAtEachTimeAndStopsWithTheRoute() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch twice = new CountDownLatch(2);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("schedule:every-second?cron=* * * * * ?").routeId("every-second").process(x -> {
                    threads.add(Thread.currentThread().getName());
                    twice.countDown();
                });
            }
        });
        context.start();
        assertTrue(twice.await(30, TimeUnit.SECONDS), "fired " + threads.size() + " times in 30 s");
        assertEquals("schedule-every-second", threads.get(0));
        context.getRouteController().stopRoute("every-second");
        int fired = threads.size();
        Thread.sleep(2500);
        assertEquals(fired, threads.size(), "fired after its route stopped");
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("schedule-every-second")),
                "the schedule's thread outlived its route");
    }

    @Test
    void aFailingRunIsHandledAndTheScheduleGoesOn() throws Exception {
        CountDownLatch twice = new CountDownLatch(2);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("schedule:failing?cron=* * * * * ?").routeId("failing").process(x -> {
                    twice.countDown();
                    throw new IllegalStateException("backup failed");
                });
            }
        });
        context.start();
        assertTrue(twice.await(30, TimeUnit.SECONDS), "a failed run stopped the schedule");
    }

    @Test
    void isAConsumerOnly() {
        assertThrows(Exception.class, () -> context.createProducerTemplate().sendBody("schedule:x?cron=* * * * * ?", "x"));
    }

    private static String rootMessage(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append(" / ");
        }
        return b.toString();
    }
}
