package dev.pgentrypoint.backup;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quartz.CronExpression;

/**
 * Backup schedules. A classic five-field cron line ({@code minute hour day-of-month month
 * day-of-week}, day-of-week 0-7 with 0 and 7 meaning Sunday) or a macro such as {@code @daily}
 * is translated into the Quartz form the routes use; six or seven fields are taken as a Quartz
 * expression with seconds first ({@code *}{@code /5 * * * * ?} fires every five seconds).
 */
final class CronSchedule {
    /** A valid expression for schedules that are off; their routes never start, so it never fires. */
    static final String NEVER = "0 0 0 1 1 ? 2099";

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    private CronSchedule() {
    }

    /**
     * The Quartz expression for a schedule.
     *
     * @throws IllegalArgumentException with a message saying what is wrong and how it should look
     */
    static String toQuartz(String schedule) {
        String line = MACROS.getOrDefault(schedule.strip().toLowerCase(Locale.ROOT), schedule.strip());
        String[] fields = line.split("\\s+");
        String quartz = switch (fields.length) {
            case 5 -> fromClassic(fields);
            case 6, 7 -> String.join(" ", fields);
            default -> throw new IllegalArgumentException("'" + schedule + "' has " + fields.length + " fields: write "
                    + "five as in crontab (minute hour day-of-month month day-of-week, e.g. '0 2 * * 0'), "
                    + "a macro such as @daily, or six/seven Quartz fields with seconds first (e.g. '*/30 * * * * ?')");
        };
        try {
            CronExpression.validateExpression(quartz);
        } catch (ParseException e) {
            throw new IllegalArgumentException("'" + schedule + "' is not a valid schedule: " + e.getMessage()
                    + (fields.length == 5 ? " (as Quartz: '" + quartz + "')" : ""));
        }
        return quartz;
    }

    /**
     * The time between two consecutive firings of a valid Quartz expression, from the next one after
     * {@code from}: the interval a backup of that schedule is expected at.
     */
    static java.time.Duration period(String quartz, java.time.Instant from) {
        try {
            CronExpression cron = new CronExpression(quartz);
            java.util.Date first = cron.getNextValidTimeAfter(java.util.Date.from(from));
            java.util.Date second = first == null ? null : cron.getNextValidTimeAfter(first);
            return first == null || second == null ? java.time.Duration.ZERO
                    : java.time.Duration.ofMillis(second.getTime() - first.getTime());
        } catch (ParseException e) {
            throw new IllegalArgumentException("'" + quartz + "' is not a valid schedule: " + e.getMessage(), e);
        }
    }

    private static String fromClassic(String[] f) {
        String dayOfMonth = f[2];
        String dayOfWeek = classicDayOfWeek(f[4]);
        if (dayOfWeek.equals("*")) {
            dayOfWeek = "?";
        } else if (dayOfMonth.equals("*")) {
            dayOfMonth = "?";
        } else {
            throw new IllegalArgumentException("'" + String.join(" ", f) + "' restricts both the day of the month and "
                    + "the day of the week; the scheduler cannot combine them: set one of the two to *");
        }
        return String.join(" ", "0", f[0], f[1], dayOfMonth, f[3], dayOfWeek);
    }

    /** Day numbers 0-7 (Sunday = 0 or 7) become Quartz's 1-7 (Sunday = 1); names and steps stay. */
    private static String classicDayOfWeek(String field) {
        if (field.equals("*")) {
            return field;
        }
        List<String> parts = new ArrayList<>();
        for (String part : field.split(",", -1)) {
            int slash = part.indexOf('/');
            String range = slash < 0 ? part : part.substring(0, slash);
            String step = slash < 0 ? "" : part.substring(slash);
            List<String> ends = new ArrayList<>();
            for (String end : range.split("-", -1)) {
                ends.add(end.matches("\\d+") ? String.valueOf(day(end, field)) : end);
            }
            parts.add(String.join("-", ends) + step);
        }
        return String.join(",", parts);
    }

    private static int day(String number, String field) {
        int n = Integer.parseInt(number);
        if (n > 7) {
            throw new IllegalArgumentException("day of week " + n + " in '" + field + "' is out of range: use 0-7 "
                    + "(0 and 7 are Sunday) or names such as MON-FRI");
        }
        return n % 7 + 1;
    }
}
