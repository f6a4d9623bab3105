package io.pangaea.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Mesos duration flags: {@code 1secs}, {@code 500ms}, {@code 15secs}, {@code 2mins}, {@code 1hrs}, ... */
public final class Durations {
    private static final Pattern P = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|ms|secs|mins|hrs|days|weeks)\\s*");

    private Durations() {}

    public static Duration parse(String field, String text) {
        Matcher m = P.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid duration for '" + field + "': '" + text
                    + "' (expected a number followed by ns, us, ms, secs, mins, hrs, days or weeks)");
        }
        double v = Double.parseDouble(m.group(1));
        double nanos = v * switch (m.group(2)) {
            case "ns" -> 1d;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "secs" -> 1e9;
            case "mins" -> 60e9;
            case "hrs" -> 3600e9;
            case "days" -> 86400e9;
            default -> 604800e9;
        };
        return Duration.ofNanos((long) nanos);
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60000 == 0 && ms > 0) {
            return (ms / 60000) + "mins";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "secs";
        }
        return ms + "ms";
    }
}
