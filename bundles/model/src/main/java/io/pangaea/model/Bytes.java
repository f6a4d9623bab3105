package io.pangaea.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Mesos byte-size flags: {@code 2GB}, {@code 512MB}, {@code 64KB}, {@code 1024B}, {@code 1TB} (powers of 1024). */
public final class Bytes {
    private static final Pattern P = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(B|KB|MB|GB|TB)\\s*");
    private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB"};

    private Bytes() {}

    public static long parse(String field, String text) {
        Matcher m = P.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid size for '" + field + "': '" + text
                    + "' (expected a number followed by B, KB, MB, GB or TB)");
        }
        int power = java.util.Arrays.asList(UNITS).indexOf(m.group(2));
        return (long) (Double.parseDouble(m.group(1)) * Math.pow(1024, power));
    }

    /** The largest unit that divides {@code bytes} exactly: {@code 2GB}, {@code 1536MB}, {@code 10B}. */
    public static String format(long bytes) {
        int power = 0;
        long v = bytes;
        while (power < UNITS.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            power++;
        }
        return v + UNITS[power];
    }
}
