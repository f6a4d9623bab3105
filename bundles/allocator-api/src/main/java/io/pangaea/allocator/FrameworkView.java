package io.pangaea.allocator;

import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A subscribed, connected framework. {@code allocated} is what it holds per role, offered or used by its tasks;
 * grants for a role in {@code suppressedRoles} are dropped by the master.
 */
public record FrameworkView(FrameworkId id, String name, List<String> roles, Set<String> suppressedRoles,
                            Map<String, Resources> allocated) {

    /** True when the framework wants offers for {@code role}. */
    public boolean wants(String role) {
        return roles.contains(role) && !suppressedRoles.contains(role);
    }
}
