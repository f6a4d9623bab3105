package io.pangaea.allocator;

import io.pangaea.model.Resources;
import java.util.List;
import java.util.Map;

/**
 * An immutable snapshot of what an allocation decision needs.
 *
 * @param agents         the active agents with something available (neither used by tasks nor offered); the
 *                       master leaves out those with nothing to grant, so a cycle on a full cluster reads few
 * @param frameworks     the connected frameworks
 * @param weights        role weights; a role not present has weight 1
 * @param filters        the decline filters in force
 * @param total          the sum of all active agents' resources (the denominator of DRF shares)
 * @param minAllocatable a grant must contain at least one of these (Mesos {@code min_allocatable_resources});
 *                       empty means any non-empty grant is allowed
 * @param quotas         role quotas; a role not present has none
 */
public record ClusterView(List<AgentView> agents, List<FrameworkView> frameworks, Map<String, Double> weights,
                          OfferFilter filters, Resources total, List<Resources> minAllocatable,
                          Map<String, Quota> quotas) {

    public ClusterView {
        weights = weights == null ? Map.of() : weights;
        quotas = quotas == null ? Map.of() : quotas;
        filters = filters == null ? OfferFilter.NONE : filters;
        minAllocatable = minAllocatable == null ? List.of() : minAllocatable;
    }

    /** A view without quotas. */
    public ClusterView(List<AgentView> agents, List<FrameworkView> frameworks, Map<String, Double> weights,
                       OfferFilter filters, Resources total, List<Resources> minAllocatable) {
        this(agents, frameworks, weights, filters, total, minAllocatable, Map.of());
    }

    public Quota quota(String role) {
        return quotas.getOrDefault(role, Quota.NONE);
    }

    public double weight(String role) {
        return weights.getOrDefault(role, 1.0);
    }

    /** True when {@code resources} is worth offering under {@code min_allocatable_resources}. */
    public boolean isAllocatable(Resources resources) {
        return isAllocatable(resources, minAllocatable);
    }

    /** True when {@code resources} contains at least one of {@code minAllocatable} (any, when it is empty). */
    public static boolean isAllocatable(Resources resources, List<Resources> minAllocatable) {
        if (resources.isEmpty()) {
            return false;
        }
        if (minAllocatable.isEmpty()) {
            return true;
        }
        Resources flat = resources.unallocated().flatten();
        for (Resources min : minAllocatable) {
            if (flat.contains(min)) {
                return true;
            }
        }
        return false;
    }
}
