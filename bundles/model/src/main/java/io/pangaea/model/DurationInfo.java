package io.pangaea.model;

public record DurationInfo(long nanoseconds) {
    public static DurationInfo ofSeconds(double seconds) {
        return new DurationInfo((long) (seconds * 1_000_000_000L));
    }

    public java.time.Duration toDuration() {
        return java.time.Duration.ofNanos(nanoseconds);
    }
}
