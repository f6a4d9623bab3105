package io.pangaea.model;

/**
 * What a {@code disk} resource is beyond its size: a persistent volume has a {@code persistence} id (it outlives the
 * tasks that use it) and the {@code volume} path it appears at in a task's sandbox.
 */
public record DiskInfo(Persistence persistence, ContainerInfo.Volume volume) {

    public record Persistence(String id, String principal) {}

    /** True for a persistent volume. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPersistent() {
        return persistence != null && persistence.id() != null && !persistence.id().isEmpty();
    }
}
