package io.pangaea.model;

/** One step of a resource's reservation stack (Mesos "reservation refinement" format). */
public record ReservationInfo(Type type, String role, String principal, Labels labels) {
    public enum Type { UNKNOWN, STATIC, DYNAMIC }
}
