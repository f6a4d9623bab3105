package io.pangaea.allocator.drf;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.Test;

public class DrfAllocatorTest {

    private static final List<Resources> MIN = List.of(Resources.parse("cpus:0.01"), Resources.parse("mem:32"));

    private static AgentView agent(String id, String resources) {
        Resources r = Resources.parse(resources);
        return new AgentView(AgentId.of(id), id, r, r, List.of());
    }

    private static FrameworkView fw(String id, String role, String allocated) {
        Map<String, Resources> alloc = allocated == null ? Map.of()
                : Map.of(role, Resources.parse(allocated).allocatedTo(role));
        return new FrameworkView(FrameworkId.of(id), id, List.of(role), Set.of(), alloc);
    }

    private static ClusterView view(List<AgentView> agents, List<FrameworkView> fws, OfferFilter filter) {
        Resources total = Resources.EMPTY;
        for (AgentView a : agents) {
            total = total.plus(a.total());
        }
        return new ClusterView(agents, fws, Map.of(), filter, total, MIN);
    }

    @Test
    public void singleFrameworkGetsEveryAgentWhole() {
        List<AgentView> agents = List.of(agent("a1", "cpus:4;mem:1024"), agent("a2", "cpus:2;mem:512"));
        List<Grant> grants = new DrfAllocator(new Random(1)).allocate(
                view(agents, List.of(fw("f1", "*", null)), OfferFilter.NONE));
        assertEquals(2, grants.size());
        Resources granted = Resources.EMPTY;
        for (Grant g : grants) {
            assertEquals(FrameworkId.of("f1"), g.frameworkId());
            granted = granted.plus(g.resources());
        }
        assertEquals(6.0, granted.scalar("cpus"), 0);
        assertEquals(1536.0, granted.scalar("mem"), 0);
    }

    @Test
    public void theFrameworkWithTheLowerDominantShareIsServedFirst() {
        // f1 holds half the cluster's cpus (dominant share 0.5), f2 holds a quarter of the memory (0.25).
        List<AgentView> agents = List.of(agent("a1", "cpus:4;mem:4096"));
        ClusterView v = view(agents, List.of(fw("f1", "*", "cpus:4;mem:100"), fw("f2", "*", "cpus:0.1;mem:1024")),
                OfferFilter.NONE);
        Resources total = Resources.parse("cpus:8;mem:4096");
        v = new ClusterView(v.agents(), v.frameworks(), Map.of(), OfferFilter.NONE, total, MIN);
        List<Grant> grants = new DrfAllocator(new Random(1)).allocate(v);
        assertEquals(1, grants.size());
        assertEquals(FrameworkId.of("f2"), grants.get(0).frameworkId());
    }

    @Test
    public void agentsAreSharedSoDominantSharesStayClose() {
        List<AgentView> agents = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            agents.add(agent("a" + i, "cpus:1;mem:1024"));
        }
        List<Grant> grants = new DrfAllocator(new Random(7)).allocate(
                view(agents, List.of(fw("f1", "*", null), fw("f2", "*", null)), OfferFilter.NONE));
        Map<FrameworkId, Integer> count = new HashMap<>();
        grants.forEach(g -> count.merge(g.frameworkId(), 1, Integer::sum));
        assertEquals(Integer.valueOf(5), count.get(FrameworkId.of("f1")));
        assertEquals(Integer.valueOf(5), count.get(FrameworkId.of("f2")));
    }

    @Test
    public void filteredFrameworkIsSkippedForThatAgent() {
        List<AgentView> agents = List.of(agent("a1", "cpus:4;mem:1024"));
        OfferFilter f1RefusesA1 = (f, a, r) -> f.value().equals("f1") && a.value().equals("a1");
        List<Grant> grants = new DrfAllocator(new Random(1)).allocate(
                view(agents, List.of(fw("f1", "*", null), fw("f2", "*", "cpus:1")), f1RefusesA1));
        assertEquals(1, grants.size());
        assertEquals(FrameworkId.of("f2"), grants.get(0).frameworkId());
    }

    @Test
    public void suppressedRoleGetsNothing() {
        FrameworkView suppressed = new FrameworkView(FrameworkId.of("f1"), "f1", List.of("*"), Set.of("*"),
                Map.of());
        List<Grant> grants = new DrfAllocator(new Random(1)).allocate(
                view(List.of(agent("a1", "cpus:4;mem:1024")), List.of(suppressed), OfferFilter.NONE));
        assertTrue(grants.isEmpty());
    }

    @Test
    public void reservedResourcesGoOnlyToTheirRole() {
        List<AgentView> agents = List.of(agent("a1", "cpus(web):2;mem(web):512;cpus:1;mem:256"));
        List<Grant> grants = new DrfAllocator(new Random(1)).allocate(
                view(agents, List.of(fw("batch", "batch", null), fw("web", "web", "cpus(web):0.5")),
                        OfferFilter.NONE));
        for (Grant g : grants) {
            if (g.role().equals("batch")) {
                assertTrue(g.resources().reservedTo("web").isEmpty());
            }
        }
        Resources toWeb = grants.stream().filter(g -> g.role().equals("web")).map(Grant::resources)
                .reduce(Resources.EMPTY, Resources::plus);
        assertEquals(2.0, toWeb.reservedTo("web").scalar("cpus"), 0);
    }

    @Test
    public void grantsBelowMinAllocatableAreNotMade() {
        List<AgentView> agents = List.of(agent("a1", "cpus:0.001;mem:8"));
        assertTrue(new DrfAllocator(new Random(1)).allocate(
                view(agents, List.of(fw("f1", "*", null)), OfferFilter.NONE)).isEmpty());
    }
}
