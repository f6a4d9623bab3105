package io.pangaea.model;

import java.util.List;

public record FrameworkInfo(String user, String name, FrameworkId id, Double failoverTimeout, Boolean checkpoint,
                            String role, List<String> roles, String hostname, String principal, String webuiUrl,
                            List<Capability> capabilities, Labels labels) {

    public record Capability(Type type) {
        public enum Type {
            UNKNOWN, REVOCABLE_RESOURCES, TASK_KILLING_STATE, GPU_RESOURCES, SHARED_RESOURCES, PARTITION_AWARE,
            MULTI_ROLE, RESERVATION_REFINEMENT, REGION_AWARE
        }
    }

    public FrameworkInfo withId(FrameworkId newId) {
        return new FrameworkInfo(user, name, newId, failoverTimeout, checkpoint, role, roles, hostname, principal,
                webuiUrl, capabilities, labels);
    }

    public boolean hasCapability(Capability.Type type) {
        return capabilities != null && capabilities.stream().anyMatch(c -> c != null && c.type() == type);
    }

    /** The roles the framework subscribes with: {@code roles} under MULTI_ROLE, else {@code role}, default "*". */
    public List<String> effectiveRoles() {
        if (hasCapability(Capability.Type.MULTI_ROLE)) {
            return roles == null ? List.of() : roles;
        }
        return List.of(role == null || role.isEmpty() ? "*" : role);
    }
}
