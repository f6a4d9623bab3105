package io.pangaea.allocator;

import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.ValueType;

/**
 * Small helpers for writing an allocator: what a role may be offered on an agent, who may take it, and dominant
 * shares. All are pure functions of their arguments.
 */
public final class Allocations {

    private Allocations() {
    }

    /**
     * What {@code role} may be offered out of {@code available} on an agent: unreserved resources and those reserved to
     * the role or an ancestor; empty when that is below {@code min_allocatable_resources}.
     */
    public static Resources offerable(ClusterView view, Resources available, String role) {
        Resources usable = available.usableBy(role);
        return view.isAllocatable(usable) ? usable : Resources.EMPTY;
    }

    /** True when {@code framework} wants offers for {@code role} and has not filtered {@code resources} of the agent. */
    public static boolean takes(ClusterView view, FrameworkView framework, String role, AgentView agent,
                                Resources resources) {
        return framework.wants(role) && !view.filters().isFiltered(framework.id(), agent.id(), resources);
    }

    /** The largest fraction of any scalar of {@code total} that {@code allocated} holds. */
    public static double dominantShare(Resources allocated, Resources total) {
        double max = 0;
        for (Resource r : allocated) {
            if (r.type() == ValueType.SCALAR && r.scalar() != null) {
                double t = total.scalar(r.name());
                if (t > 0) {
                    max = Math.max(max, allocated.scalar(r.name()) / t);
                }
            }
        }
        return max;
    }
}
