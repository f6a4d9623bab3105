package io.pangaea.model;

/** The Mesos {@code FrameworkID} message: an opaque string, {"value": "..."} on the wire. */
public record FrameworkId(String value) {
    /**
     * The string's hash is computed where the id is made: where a call is parsed (a server thread), not where it is
     * looked up first (the master's loop, for which hashing freshly parsed ids was a twentieth of its work).
     */
    public FrameworkId {
        if (value != null) {
            value.hashCode();
        }
    }

    public static FrameworkId of(String value) {
        return new FrameworkId(value);
    }

    /** Written out: these are the keys of the master's tables, and the generated form costs more per lookup. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FrameworkId other && java.util.Objects.equals(value, other.value);
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
