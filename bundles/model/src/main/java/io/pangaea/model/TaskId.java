package io.pangaea.model;

/** The Mesos {@code TaskID} message: an opaque string, {"value": "..."} on the wire. */
public record TaskId(String value) {
    public static TaskId of(String value) {
        return new TaskId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
