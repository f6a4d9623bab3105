package io.pangaea.model;

/** The Mesos {@code TaskID} message: an opaque string, {"value": "..."} on the wire. */
public record TaskId(String value) {
    /**
     * The string's hash is computed where the id is made: where a call is parsed (a server thread), not where it is
     * looked up first (the master's loop, for which hashing freshly parsed ids was a twentieth of its work).
     */
    public TaskId {
        if (value != null) {
            value.hashCode();
        }
    }

    public static TaskId of(String value) {
        return new TaskId(value);
    }

    /** Written out: these are the keys of the master's tables, and the generated form costs more per lookup. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TaskId other && java.util.Objects.equals(value, other.value);
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
