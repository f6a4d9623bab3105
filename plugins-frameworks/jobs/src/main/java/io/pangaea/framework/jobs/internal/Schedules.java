package io.pangaea.framework.jobs.internal;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * When a job runs: Chronos's ISO 8601 repeating intervals ({@code R[n]/<start>/<period>}, an empty start meaning
 * now, {@code n} absent meaning forever) in the job's time zone, or a cron expression: five fields (Unix) or six and
 * seven (with seconds, Quartz's form), read by cron-utils.
 */
final class Schedules {

    private Schedules() {}

    /** A schedule that cannot be read; the message says why. */
    static final class BadSchedule extends Exception {
        BadSchedule(String message) {
            super(message, null, false, false);
        }
    }

    /** A parsed schedule: the first time at or after a given instant, and how many runs it has (-1: forever). */
    interface Schedule {
        /** The first run at or after {@code from}, if any remains. */
        Optional<Instant> firstAtOrAfter(Instant from);

        /** The run after {@code t}. */
        Optional<Instant> after(Instant t);
    }

    /** An ISO 8601 repeating interval. */
    record Repeating(long repetitions, ZonedDateTime start, Period period, Duration time) implements Schedule {

        ZonedDateTime nth(long n) {
            ZonedDateTime t = start;
            // whole periods added from the start each time, so that month lengths do not drift
            return t.plus(period.multipliedBy((int) n)).plus(time.multipliedBy(n));
        }

        @Override
        public Optional<Instant> firstAtOrAfter(Instant from) {
            long n = 0;
            Duration approx = time.plusDays(period.toTotalMonths() * 28 + period.getDays());
            if (from.isAfter(start.toInstant()) && !approx.isZero()) {
                n = Math.max(0, Duration.between(start.toInstant(), from).toMillis() / approx.toMillis() - 1);
            }
            while (nth(n).toInstant().isBefore(from)) {
                n++;
            }
            return repetitions >= 0 && n >= repetitions ? Optional.empty() : Optional.of(nth(n).toInstant());
        }

        @Override
        public Optional<Instant> after(Instant t) {
            return firstAtOrAfter(t.plusMillis(1));
        }
    }

    /** A cron expression. */
    record Cron(ExecutionTime execution, ZoneId zone) implements Schedule {
        @Override
        public Optional<Instant> firstAtOrAfter(Instant from) {
            ZonedDateTime z = from.minusMillis(1).atZone(zone);
            return execution.nextExecution(z).map(ZonedDateTime::toInstant);
        }

        @Override
        public Optional<Instant> after(Instant t) {
            return execution.nextExecution(t.atZone(zone)).map(ZonedDateTime::toInstant);
        }
    }

    static ZoneId zone(String tz) throws BadSchedule {
        try {
            return tz == null || tz.isEmpty() ? ZoneId.of("UTC") : ZoneId.of(tz);
        } catch (DateTimeException e) {
            throw new BadSchedule("scheduleTimeZone: unknown time zone '" + tz + "'");
        }
    }

    /** {@code R[n]/<start>/<period>}; {@code now} stands for an empty start. */
    static Repeating iso8601(String schedule, String tz, Instant now) throws BadSchedule {
        String[] parts = schedule.split("/", -1);
        if (parts.length != 3 || !parts[0].startsWith("R")) {
            throw new BadSchedule("schedule: expected R[n]/<start>/<period>, got '" + schedule + "'");
        }
        long n;
        try {
            n = parts[0].length() == 1 ? -1 : Long.parseLong(parts[0].substring(1));
        } catch (NumberFormatException e) {
            throw new BadSchedule("schedule: the repetitions '" + parts[0] + "' are not R or R<n>");
        }
        if (n < -1) {
            throw new BadSchedule("schedule: negative repetitions");
        }
        ZoneId zone = zone(tz);
        ZonedDateTime start;
        try {
            start = parts[1].isEmpty() ? now.atZone(zone) : ZonedDateTime.parse(parts[1]).withZoneSameInstant(zone);
        } catch (DateTimeParseException e) {
            try {
                start = java.time.LocalDateTime.parse(parts[1]).atZone(zone);
            } catch (DateTimeParseException e2) {
                throw new BadSchedule("schedule: the start '" + parts[1] + "' is not an ISO 8601 date and time");
            }
        }
        String p = parts[2];
        if (!p.startsWith("P")) {
            throw new BadSchedule("schedule: the period '" + p + "' is not an ISO 8601 duration (P...)");
        }
        int t = p.indexOf('T');
        Period period = Period.ZERO;
        Duration time = Duration.ZERO;
        try {
            String datePart = t < 0 ? p : p.substring(0, t);
            if (datePart.length() > 1) {
                period = Period.parse(datePart);
            }
            if (t >= 0) {
                time = Duration.parse("P" + p.substring(t));
            }
        } catch (DateTimeParseException e) {
            throw new BadSchedule("schedule: the period '" + p + "' is not an ISO 8601 duration");
        }
        if (period.isNegative() || time.isNegative() || (period.isZero() && time.isZero())) {
            throw new BadSchedule("schedule: the period must be more than zero, got '" + p + "'");
        }
        return new Repeating(n, start, period, time);
    }

    /** Five fields (Unix cron) or six or seven (seconds first, Quartz's form). */
    static Cron cron(String expression, String tz) throws BadSchedule {
        ZoneId zone = zone(tz);
        String e = expression.trim();
        int fields = e.split("\\s+").length;
        CronType type = fields == 5 ? CronType.UNIX : fields == 6 || fields == 7 ? CronType.QUARTZ : null;
        if (type == null) {
            throw new BadSchedule("cron: expected 5 fields (or 6 and 7, with seconds), got " + fields);
        }
        try {
            return new Cron(ExecutionTime.forCron(new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type))
                    .parse(e)), zone);
        } catch (IllegalArgumentException x) {
            throw new BadSchedule("cron: '" + expression + "' is not a valid expression: " + x.getMessage());
        }
    }

    /** The job's schedule, or null for a dependent job. */
    static Schedule of(Job job, Instant now) throws BadSchedule {
        if (job.cron() != null) {
            return cron(job.cron(), job.scheduleTimeZone());
        }
        if (job.schedule() != null) {
            return iso8601(job.schedule(), job.scheduleTimeZone(), now);
        }
        return null;
    }

    /** An ISO 8601 duration such as {@code PT60S} (epsilon). */
    static Duration duration(String field, String iso) throws BadSchedule {
        try {
            return Duration.parse(iso);
        } catch (DateTimeParseException e) {
            throw new BadSchedule(field + ": '" + iso + "' is not an ISO 8601 duration such as PT60S");
        }
    }
}
