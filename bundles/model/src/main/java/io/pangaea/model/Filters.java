package io.pangaea.model;

/** Decline filters: how long the declined resources are not offered again to the framework on that agent. */
public record Filters(Double refuseSeconds) {
    /** Mesos's default when a framework declines without filters. */
    public static final double DEFAULT_REFUSE_SECONDS = 5.0;

    public double refuseSecondsOrDefault() {
        return refuseSeconds == null ? DEFAULT_REFUSE_SECONDS : refuseSeconds;
    }
}
