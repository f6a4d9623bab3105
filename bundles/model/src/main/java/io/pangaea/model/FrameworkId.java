package io.pangaea.model;

/** The Mesos {@code FrameworkID} message: an opaque string, {"value": "..."} on the wire. */
public record FrameworkId(String value) {
    public static FrameworkId of(String value) {
        return new FrameworkId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
