package io.pangaea.model;

/** The Mesos {@code OperationID} message: an opaque string, {"value": "..."} on the wire. */
public record OperationId(String value) {
    public static OperationId of(String value) {
        return new OperationId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
