package io.pangaea.model;

/** The Mesos {@code ExecutorID} message: an opaque string, {"value": "..."} on the wire. */
public record ExecutorId(String value) {
    /**
     * The string's hash is computed where the id is made: where a call is parsed (a server thread), not where it is
     * looked up first (the master's loop, for which hashing freshly parsed ids was a twentieth of its work).
     */
    public ExecutorId {
        if (value != null) {
            value.hashCode();
        }
    }

    public static ExecutorId of(String value) {
        return new ExecutorId(value);
    }

    /** Written out: these are the keys of the master's tables, and the generated form costs more per lookup. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ExecutorId other && java.util.Objects.equals(value, other.value);
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
