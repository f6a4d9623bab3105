package io.pangaea.model;

/** An inclusive range of unsigned integers, as Mesos's {@code Value.Range}. */
public record Range(long begin, long end) {
    public long size() {
        return end - begin + 1;
    }
}
