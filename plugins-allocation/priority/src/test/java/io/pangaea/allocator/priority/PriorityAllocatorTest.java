package io.pangaea.allocator.priority;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.allocator.OfferFilter;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

public class PriorityAllocatorTest {

    private static final List<Resources> MIN = List.of(Resources.parse("cpus:0.01"), Resources.parse("mem:32"));

    private static List<AgentView> agents(int n) {
        List<AgentView> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Resources r = Resources.parse("cpus:1;mem:1024");
            out.add(new AgentView(AgentId.of("a" + i), "a" + i, r, r, List.of()));
        }
        return out;
    }

    private static FrameworkView fw(String id, String role, Set<String> suppressed) {
        return new FrameworkView(FrameworkId.of(id), id, List.of(role), suppressed, Map.of());
    }

    private static ClusterView view(List<AgentView> agents, List<FrameworkView> fws, OfferFilter filter) {
        return new ClusterView(agents, fws, Map.of("high", 10.0, "low", 1.0), filter,
                Resources.parse("cpus:" + agents.size() + ";mem:" + 1024 * agents.size()), MIN);
    }

    @Test
    public void theHigherRoleGetsEverythingWhileItWantsMore() {
        List<Grant> grants = new PriorityAllocator().allocate(
                view(agents(5), List.of(fw("lo", "low", Set.of()), fw("hi", "high", Set.of())), OfferFilter.NONE));
        assertEquals(5, grants.size());
        assertTrue(grants.stream().allMatch(g -> g.role().equals("high")));
    }

    @Test
    public void theLowerRoleGetsWhatTheHigherOneDeclinedOrSuppressed() {
        OfferFilter hiRefusesA0 = (f, a, r) -> f.value().equals("hi") && a.value().equals("a0");
        List<Grant> grants = new PriorityAllocator().allocate(
                view(agents(3), List.of(fw("lo", "low", Set.of()), fw("hi", "high", Set.of())), hiRefusesA0));
        assertEquals(3, grants.size());
        assertEquals(1, grants.stream().filter(g -> g.role().equals("low")).count());
        assertEquals("a0", grants.stream().filter(g -> g.role().equals("low")).findFirst().orElseThrow()
                .agentId().value());

        List<Grant> suppressed = new PriorityAllocator().allocate(
                view(agents(3), List.of(fw("lo", "low", Set.of()), fw("hi", "high", Set.of("high"))),
                        OfferFilter.NONE));
        assertTrue(suppressed.stream().allMatch(g -> g.role().equals("low")));
        assertEquals(3, suppressed.size());
    }

    @Test
    public void frameworksOfOneRoleShareItsAgents() {
        List<Grant> grants = new PriorityAllocator().allocate(
                view(agents(6), List.of(fw("h1", "high", Set.of()), fw("h2", "high", Set.of())), OfferFilter.NONE));
        assertEquals(3, grants.stream().filter(g -> g.frameworkId().value().equals("h1")).count());
        assertEquals(3, grants.stream().filter(g -> g.frameworkId().value().equals("h2")).count());
    }
}
