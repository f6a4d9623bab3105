package io.pangaea.allocator;

import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A subscribed, connected framework. {@code allocated} is what it holds per role: offered to it plus used by its
 * tasks and executors ({@link #used} and {@code offered} split it). {@code runningTasks} counts its tasks that have
 * not ended, so that a policy such as "fewest running tasks first" can be written. Grants for a role in
 * {@code suppressedRoles} are dropped by the master.
 */
public record FrameworkView(FrameworkId id, String name, List<String> roles, Set<String> suppressedRoles,
                            Map<String, Resources> allocated, Map<String, Resources> offered, int runningTasks) {

    /** Without the split: everything it holds counts as used, and no task is counted. */
    public FrameworkView(FrameworkId id, String name, List<String> roles, Set<String> suppressedRoles,
                         Map<String, Resources> allocated) {
        this(id, name, roles, suppressedRoles, allocated, Map.of(), 0);
    }

    /** What its tasks and executors use in {@code role}: what it holds there less what is offered to it. */
    public Resources used(String role) {
        return allocated.getOrDefault(role, Resources.EMPTY).minus(offered.getOrDefault(role, Resources.EMPTY));
    }

    /** True when the framework wants offers for {@code role}. */
    public boolean wants(String role) {
        return roles.contains(role) && !suppressedRoles.contains(role);
    }
}
