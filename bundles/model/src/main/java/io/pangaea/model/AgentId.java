package io.pangaea.model;

/** The Mesos {@code AgentID} message: an opaque string, {"value": "..."} on the wire. */
public record AgentId(String value) {
    public static AgentId of(String value) {
        return new AgentId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
