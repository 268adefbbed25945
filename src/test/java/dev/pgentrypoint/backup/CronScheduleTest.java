package dev.pgentrypoint.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CronScheduleTest {
    @Test
    void classicLinesBecomeQuartzWithSecondsAndAQuestionMark() {
        assertEquals("0 0 2 ? * 1", CronSchedule.toQuartz("0 2 * * 0"));
        assertEquals("0 0 2 ? * 1", CronSchedule.toQuartz("0 2 * * 7"));
        assertEquals("0 30 1 ? * 2-6", CronSchedule.toQuartz("30 1 * * 1-5"));
        assertEquals("0 0 3 ? * MON,FRI", CronSchedule.toQuartz("0 3 * * MON,FRI"));
        assertEquals("0 0 4 1 * ?", CronSchedule.toQuartz("0 4 1 * *"));
        assertEquals("0 */15 * * * ?", CronSchedule.toQuartz("*/15 * * * *"));
        assertEquals("0 0 0 ? * 1-7/2", CronSchedule.toQuartz("0 0 * * 0-6/2"));
    }

    @Test
    void macrosAndQuartzExpressions() {
        assertEquals("0 0 0 * * ?", CronSchedule.toQuartz("@daily"));
        assertEquals("0 0 0 ? * 1", CronSchedule.toQuartz("@weekly"));
        assertEquals("*/5 * * * * ?", CronSchedule.toQuartz("*/5 * * * * ?"));
        assertEquals("0 0 1 ? * SUN 2030", CronSchedule.toQuartz(" 0 0 1 ? * SUN 2030 "));
    }

    @Test
    void whatIsWrongIsSaid() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.toQuartz("every sunday"))
                .getMessage().contains("has 2 fields"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.toQuartz("0 2 1 * 1"))
                .getMessage().contains("both the day of the month and the day of the week"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.toQuartz("0 25 * * *"))
                .getMessage().contains("Hour values must be between 0 and 23"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.toQuartz("0 2 * * 8"))
                .getMessage().contains("day of week 8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CronSchedule.toQuartz("0 0 0 * * *"))
                .getMessage().contains("not a valid schedule"));
    }
}
