package io.pangaea.allocator.priority;

import io.pangaea.allocator.Allocations;
import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.model.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.service.component.annotations.Component;

/**
 * Strict priority by role. A role's priority is its weight (higher first; equal weights by name). For every agent,
 * the highest-priority role with a framework that wants it and has not filtered it takes everything on the agent it
 * may use; lower roles get only what higher ones cannot take. Within a role, the framework holding the least
 * (dominant share) goes first, so a role's frameworks share fairly among themselves.
 */
@Component(service = Allocator.class, property = Allocator.NAME_PROPERTY + "=priority")
public final class PriorityAllocator implements Allocator {

    @Override
    public List<Grant> allocate(ClusterView view) {
        // roles by priority: weight descending, then name
        Map<String, List<FrameworkView>> byRole = new TreeMap<>(Comparator
                .comparingDouble((String r) -> -view.weight(r)).thenComparing(r -> r));
        Map<String, Resources> held = new HashMap<>();
        for (FrameworkView f : view.frameworks()) {
            for (String role : f.roles()) {
                byRole.computeIfAbsent(role, k -> new ArrayList<>()).add(f);
                held.put(f.id().value() + "/" + role, f.allocated().getOrDefault(role, Resources.EMPTY));
            }
        }
        List<Grant> grants = new ArrayList<>();
        for (AgentView agent : view.agents()) {
            Resources available = agent.available();
            for (Map.Entry<String, List<FrameworkView>> e : byRole.entrySet()) {
                String role = e.getKey();
                Resources offer = Allocations.offerable(view, available, role);
                if (offer.isEmpty()) {
                    continue;
                }
                e.getValue().sort(Comparator.comparingDouble((FrameworkView f) -> Allocations.dominantShare(
                        held.get(f.id().value() + "/" + role), view.total())).thenComparing(f -> f.id().value()));
                for (FrameworkView f : e.getValue()) {
                    if (Allocations.takes(view, f, role, agent, offer)) {
                        grants.add(new Grant(f.id(), role, agent.id(), offer));
                        held.merge(f.id().value() + "/" + role, offer, Resources::plus);
                        available = available.minus(offer);
                        break;
                    }
                }
            }
        }
        return grants;
    }
}
