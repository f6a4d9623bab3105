package io.pangaea.model;

/** The Mesos {@code ExecutorID} message: an opaque string, {"value": "..."} on the wire. */
public record ExecutorId(String value) {
    public static ExecutorId of(String value) {
        return new ExecutorId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
