package io.pangaea.master.internal;

import io.pangaea.allocator.ClusterView;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code allocator:explain}: why a framework has or has not been getting offers for a role (connection,
 * suppression, quota limits, filters, reservations, the minimum allocatable size, its share). Reads the state and
 * the allocation loop's cycle count; changes nothing.
 * Must not touch: anything; it reads.
 */
final class AllocationExplainer extends MasterPart {

    AllocationExplainer(MasterContext ctx) {
        super(ctx);
    }

    /**
     * Why the frameworks named by {@code subject} (a framework id, or a role: all its frameworks) have or have not
     * been getting offers. Empty when nothing matches.
     */
    List<Explanation> explain(String subject) {
        List<Explanation> out = new ArrayList<>();
        for (FrameworkEntry f : state.frameworks.values()) {
            boolean byId = f.id.value().equals(subject);
            for (String role : f.roles()) {
                if (byId || role.equals(subject)) {
                    out.add(explain(f, role));
                }
            }
        }
        return out;
    }

    Explanation explain(FrameworkEntry f, String role) {
        List<String> notes = new ArrayList<>();
        if (!f.connected) {
            notes.add("the framework is disconnected: no offers until it subscribes again");
        } else if (!f.active) {
            notes.add("the framework is inactive");
        }
        if (f.suppressedRoles.contains(role)) {
            notes.add("the framework suppressed offers for this role (REVIVE to receive them again)");
        }
        if (ctx.allocation.allocator() == null) {
            notes.add("no allocator is installed");
        }
        Resources total = Resources.EMPTY;
        Resources roleAlloc = Resources.EMPTY;
        for (AgentEntry a : state.agents.values()) {
            if (a.connected()) {
                total = total.plus(a.total());
            }
        }
        for (FrameworkEntry other : state.frameworks.values()) {
            for (Map.Entry<String, Resources> e : other.allocated.entrySet()) {
                if (Resources.isSelfOrAncestor(role, e.getKey())) {
                    roleAlloc = roleAlloc.plus(e.getValue());
                }
            }
        }
        io.pangaea.allocator.Quota quota = registry.quotas().getOrDefault(role, io.pangaea.allocator.Quota.NONE);
        boolean limitReached = false;
        for (io.pangaea.model.Resource l : quota.limits()) {
            if (roleAlloc.scalar(l.name()) >= l.scalar().value() - 1e-9) {
                limitReached = true;
            }
        }
        Map<String, Integer> reasons = new LinkedHashMap<>();
        int free = 0;
        long nowNanos = System.nanoTime();
        for (AgentEntry a : state.agents.values()) {
            if (!a.connected() || a.deactivated() || a.available().isEmpty()) {
                continue;
            }
            free++;
            Resources usable = a.available().usableBy(role);
            String reason;
            if (usable.isEmpty()) {
                reason = Explanation.RESERVED_ELSEWHERE;
            } else if (!ClusterView.isAllocatable(usable, config().minAllocatable())) {
                reason = Explanation.BELOW_MINIMUM;
            } else if (limitReached) {
                reason = Explanation.QUOTA_LIMIT;
            } else if (Offers.filtered(f.filters.get(a.id), usable, nowNanos)) {
                reason = Explanation.FILTERED;
            } else {
                reason = Explanation.ELIGIBLE;
            }
            reasons.merge(reason, 1, Integer::sum);
        }
        if (free == 0) {
            notes.add("no agent has anything free: everything is used by tasks or offered");
        }
        double share = io.pangaea.allocator.Allocations.dominantShare(
                f.allocated.getOrDefault(role, Resources.EMPTY).unallocated(), total);
        double roleShare = io.pangaea.allocator.Allocations.dominantShare(roleAlloc.unallocated(), total);
        int outstanding = (int) f.offers.stream().map(state.offers::get)
                .filter(o -> o != null && o.role.equals(role)).count();
        return new Explanation(f.id.value(), f.info.name(), role, registry.weights().getOrDefault(role, 1.0),
                roleShare, share, quota.guarantees().isEmpty() ? null : quota.guarantees().toString(),
                quota.limits().isEmpty() ? null : quota.limits().toString(), outstanding,
                f.lastOfferCycle < 0 ? null : ctx.allocation.cycleNumber() - f.lastOfferCycle,
                f.lastOfferCycle < 0 ? null : Math.round((Master.now() - f.lastOfferTime) * 10) / 10.0, free, reasons,
                notes);
    }
}
