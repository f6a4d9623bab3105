package io.pangaea.model;

/** The Mesos {@code ContainerID} message: an opaque string, {"value": "..."} on the wire. */
public record ContainerId(String value) {
    public static ContainerId of(String value) {
        return new ContainerId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
