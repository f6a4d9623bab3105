package io.pangaea.master.internal;

import io.pangaea.allocator.AgentView;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.ResourceSum;
import io.pangaea.model.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The connected agents as the allocator sees them, kept up to date between snapshots rather than read again from
 * every agent on each cycle, with the sum of their totals.
 *
 * <p>Why: a cycle's snapshot used to visit each agent's entry. With 5,000 agents and frameworks launching without
 * pause, that visit was a quarter of the loop's time, mostly waiting on memory, as the entries lie all over the heap
 * and few of them changed since the last cycle. Here an agent's entry reports when what its view is made of changes
 * (its info, total or available resources, or its deactivation: {@link AgentEntry} changes them only through its
 * setters), and a snapshot makes views again for those alone.
 *
 * <p>When agents come, go, connect or disconnect (their membership), the views are laid out again from the table,
 * in its order.
 *
 * <p>A snapshot lists only the agents with something available: an allocator has nothing to grant on the others.
 * On a full cluster that is a few agents among tens of thousands (those whose tasks just ended), and a cycle that
 * read every agent spent most of its time on the ones it could not use: at 50,000 agents with every offer used,
 * the allocator's pass over all of them was a third of the master's CPU. Which views have something available is
 * kept with the views (a bit each), so the snapshot costs a pass over those bits and the free agents. The total
 * still sums every connected agent. Event loop only.
 */
final class AgentViews {

    private final Map<AgentId, AgentEntry> agents;
    /** Entries whose view is out of date and that were connected and laid out when they changed. */
    private final ArrayList<AgentEntry> stale = new ArrayList<>();
    /** Bumped when agents come, go, connect or disconnect. */
    private long membership;
    private long laidOutAt = -1;
    private int laidOutFrom = -1;
    private AgentView[] views = new AgentView[0];
    /** The indices of the views with something available. */
    private final java.util.BitSet free = new java.util.BitSet();
    private Resources total = Resources.EMPTY;

    AgentViews(Map<AgentId, AgentEntry> agents) {
        this.agents = agents;
    }

    /** An agent came or went, connected or disconnected. */
    void membershipChanged() {
        membership++;
    }

    /** What {@code a}'s view is made of changed (called once until the next snapshot makes its view again). */
    void changed(AgentEntry a) {
        stale.add(a);
    }

    /**
     * What a snapshot takes: the views of the connected agents with something available, in the table's order, and
     * the sum of every connected agent's total.
     */
    record Snapshot(List<AgentView> agents, Resources total) { }

    Snapshot snapshot() {
        if (membership != laidOutAt || agents.size() != laidOutFrom) {
            layOut();
        } else {
            boolean totals = false;
            for (int i = 0; i < stale.size(); i++) {
                AgentEntry a = stale.get(i);
                if (a.viewIndex >= 0 && a.viewIndex < views.length && a.connected()) {
                    totals |= a.view == null || a.view.total() != a.total();
                    place(a.viewIndex, a.freshView());
                }
            }
            stale.clear();
            if (totals) {
                total = sum(views);
            }
        }
        AgentView[] out = new AgentView[free.cardinality()];
        int n = 0;
        for (int i = free.nextSetBit(0); i >= 0; i = free.nextSetBit(i + 1)) {
            out[n++] = views[i];
        }
        return new Snapshot(List.of(out), total);
    }

    private void layOut() {
        stale.clear();
        List<AgentView> out = new ArrayList<>(agents.size());
        for (AgentEntry a : agents.values()) {
            if (a.connected()) {
                a.viewIndex = out.size();
                out.add(a.freshView());
            } else {
                a.viewIndex = -1;
            }
        }
        views = new AgentView[out.size()];
        free.clear();
        for (int i = 0; i < views.length; i++) {
            place(i, out.get(i));
        }
        total = sum(views);
        laidOutAt = membership;
        laidOutFrom = agents.size();
    }

    /** Puts {@code v} at {@code i}, and marks whether it has anything to grant. */
    private void place(int i, AgentView v) {
        views[i] = v;
        free.set(i, hasAvailable(v));
    }

    private static boolean hasAvailable(AgentView v) {
        return !v.available().isEmpty();
    }

    private static Resources sum(AgentView[] views) {
        ResourceSum sum = new ResourceSum();
        for (AgentView v : views) {
            sum.add(v.total());
        }
        return sum.total();
    }

    /** For tests: the views a snapshot must hold, as a visit of every agent makes them now. */
    List<AgentView> visitAll() {
        return agents.values().stream().filter(AgentEntry::connected).map(AgentEntry::makeView)
                .filter(AgentViews::hasAvailable).toList();
    }
}
