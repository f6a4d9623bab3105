package io.pangaea.allocator.drf;

import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.ValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.osgi.service.component.annotations.Component;

/**
 * Dominant Resource Fairness, two levels deep as in Mesos: agents are visited in random order; for each, roles are
 * taken by increasing weighted dominant share, and within a role frameworks by increasing dominant share; the first
 * framework that wants the role and is not filtered is granted everything on the agent its role may use. Shares are
 * updated after every grant, so the next agent goes to whoever is now furthest behind.
 */
@Component(service = Allocator.class, property = Allocator.NAME_PROPERTY + "=drf")
public final class DrfAllocator implements Allocator {

    private final Random random;

    public DrfAllocator() {
        this(new Random());
    }

    /** With a fixed seed, for tests. */
    public DrfAllocator(Random random) {
        this.random = random;
    }

    @Override
    public List<Grant> allocate(ClusterView view) {
        Map<String, Double> totals = scalarTotals(view.total());
        Map<String, Map<String, Double>> roleUse = new HashMap<>();
        Map<String, Map<String, Double>> frameworkUse = new HashMap<>();
        Map<String, List<FrameworkView>> byRole = new HashMap<>();
        for (FrameworkView f : view.frameworks()) {
            for (String role : f.roles()) {
                byRole.computeIfAbsent(role, k -> new ArrayList<>()).add(f);
                Resources r = f.allocated().getOrDefault(role, Resources.EMPTY);
                add(roleUse.computeIfAbsent(role, k -> new HashMap<>()), r);
                add(frameworkUse.computeIfAbsent(key(f, role), k -> new HashMap<>()), r);
            }
        }
        List<String> roles = new ArrayList<>(byRole.keySet());
        List<AgentView> agents = new ArrayList<>(view.agents());
        Collections.shuffle(agents, random);
        List<Grant> grants = new ArrayList<>();
        for (AgentView agent : agents) {
            Resources available = agent.available();
            roles.sort(Comparator.comparingDouble(
                    (String r) -> share(roleUse.get(r), totals) / view.weight(r)).thenComparing(r -> r));
            for (String role : roles) {
                if (available.isEmpty()) {
                    break;
                }
                Resources usable = available.usableBy(role);
                if (!view.isAllocatable(usable)) {
                    continue;
                }
                List<FrameworkView> candidates = byRole.get(role);
                candidates.sort(Comparator.comparingDouble(
                        (FrameworkView f) -> share(frameworkUse.get(key(f, role)), totals))
                        .thenComparing(f -> f.id().value()));
                for (FrameworkView f : candidates) {
                    if (!f.wants(role) || view.filters().isFiltered(f.id(), agent.id(), usable)) {
                        continue;
                    }
                    grants.add(new Grant(f.id(), role, agent.id(), usable));
                    add(roleUse.get(role), usable);
                    add(frameworkUse.get(key(f, role)), usable);
                    available = available.minus(usable);
                    break;
                }
            }
        }
        return grants;
    }

    private static String key(FrameworkView f, String role) {
        return f.id().value() + '\u0000' + role;
    }

    private static Map<String, Double> scalarTotals(Resources total) {
        Map<String, Double> m = new HashMap<>();
        add(m, total);
        return m;
    }

    private static void add(Map<String, Double> acc, Resources r) {
        for (Resource x : r) {
            if (x.type() == ValueType.SCALAR && x.scalar() != null) {
                acc.merge(x.name(), x.scalar().value(), Double::sum);
            }
        }
    }

    /** The dominant share: the largest fraction of any scalar resource in the cluster. */
    static double share(Map<String, Double> use, Map<String, Double> totals) {
        if (use == null) {
            return 0;
        }
        double max = 0;
        for (Map.Entry<String, Double> e : use.entrySet()) {
            Double t = totals.get(e.getKey());
            if (t != null && t > 0) {
                max = Math.max(max, e.getValue() / t);
            }
        }
        return max;
    }
}
