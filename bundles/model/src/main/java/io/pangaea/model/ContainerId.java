package io.pangaea.model;

/** The Mesos {@code ContainerID} message: an opaque string, {"value": "..."} on the wire. */
public record ContainerId(String value) {
    public static ContainerId of(String value) {
        return new ContainerId(value);
    }

    /** Written out: these are the keys of the master's tables, and the generated form costs more per lookup. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ContainerId other && java.util.Objects.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return value == null ? 0 : value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
