package io.pangaea.allocator.drf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.Allocations;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.allocator.OfferFilter;
import io.pangaea.allocator.Quota;
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

/**
 * The DRF arithmetic worked by hand, in the manner of Mesos's hierarchical allocator tests: identical small agents,
 * so that every grant moves a share by a known step and the expected split can be counted on paper.
 */
public class DrfArithmeticTest {

    private static final List<Resources> MIN = List.of(Resources.parse("cpus:0.01"), Resources.parse("mem:32"));

    private static List<AgentView> agents(int n, String resources) {
        List<AgentView> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Resources r = Resources.parse(resources);
            out.add(new AgentView(AgentId.of("a" + i), "a" + i, r, r, List.of()));
        }
        return out;
    }

    private static FrameworkView fw(String id, String role, String allocated) {
        Map<String, Resources> alloc = allocated == null ? Map.of()
                : Map.of(role, Resources.parse(allocated).allocatedTo(role));
        return new FrameworkView(FrameworkId.of(id), id, List.of(role), Set.of(), alloc);
    }

    private static ClusterView view(List<AgentView> agents, List<FrameworkView> fws, Map<String, Double> weights,
                                    Map<String, Quota> quotas, Resources total) {
        if (total == null) {
            total = Resources.EMPTY;
            for (AgentView a : agents) {
                total = total.plus(a.total());
            }
        }
        return new ClusterView(agents, fws, weights, OfferFilter.NONE, total, MIN, quotas);
    }

    private static Map<String, Resources> grantedBy(List<Grant> grants, boolean byRole) {
        Map<String, Resources> out = new HashMap<>();
        for (Grant g : grants) {
            out.merge(byRole ? g.role() : g.frameworkId().value(), g.resources(), Resources::plus);
        }
        return out;
    }

    @Test
    public void twoFrameworksWithDifferentDominantResourcesConvergeToEqualDominantShares() {
        // Cluster: 10 agents of 1 cpu / 1024 MB = 10 cpus, 10240 MB (the held amounts below come on top of
        // nothing: the total is the agents'). fA holds cpus:2;mem:256 (dominant: cpus, 0.2); fB holds
        // cpus:0.1;mem:4096 (dominant: mem, 0.4). Each agent adds 0.1 to a framework's dominant share. By hand:
        // A 0.2->0.3->0.4, then ties go to A by id: A 0.5, B 0.5, A 0.6, B 0.6, A 0.7, B 0.7, A 0.8, B 0.8.
        // A gets 6 agents, B 4, and both end at 0.8.
        List<AgentView> agents = agents(10, "cpus:1;mem:1024");
        FrameworkView a = fw("fA", "*", "cpus:2;mem:256");
        FrameworkView b = fw("fB", "*", "cpus:0.1;mem:4096");
        ClusterView v = view(agents, List.of(a, b), Map.of(), Map.of(), null);
        List<Grant> grants = new DrfAllocator(new Random(3)).allocate(v);
        assertEquals(10, grants.size());
        Map<String, Resources> got = grantedBy(grants, false);
        assertEquals(6.0, got.get("fA").scalar("cpus"), 1e-9);
        assertEquals(4.0, got.get("fB").scalar("cpus"), 1e-9);
        double shareA = Allocations.dominantShare(got.get("fA").plus(Resources.parse("cpus:2;mem:256")), v.total());
        double shareB = Allocations.dominantShare(got.get("fB").plus(Resources.parse("cpus:0.1;mem:4096")),
                v.total());
        assertEquals(0.8, shareA, 1e-9);
        assertEquals(0.8, shareB, 1e-9);
    }

    @Test
    public void weightsTwoToOneGiveSharesTwoToOne() {
        // 30 agents; r1 has weight 2, r2 weight 1: weighted shares stay equal when r1 holds twice r2's share.
        List<AgentView> agents = agents(30, "cpus:1;mem:1024");
        ClusterView v = view(agents, List.of(fw("f1", "r1", null), fw("f2", "r2", null)),
                Map.of("r1", 2.0, "r2", 1.0), Map.of(), null);
        Map<String, Resources> got = grantedBy(new DrfAllocator(new Random(5)).allocate(v), true);
        assertEquals(20.0, got.get("r1").scalar("cpus"), 1e-9);
        assertEquals(10.0, got.get("r2").scalar("cpus"), 1e-9);
    }

    @Test
    public void aQuotaLimitCapsARoleAndTheRestGoesToOthers() {
        List<AgentView> agents = agents(10, "cpus:1;mem:1024");
        ClusterView v = view(agents, List.of(fw("f1", "capped", null), fw("f2", "free", null)), Map.of(),
                Map.of("capped", new Quota(Resources.EMPTY, Resources.parse("cpus:3"))), null);
        Map<String, Resources> got = grantedBy(new DrfAllocator(new Random(9)).allocate(v), true);
        assertEquals(3.0, got.get("capped").scalar("cpus"), 1e-9);
        assertEquals(7.0, got.get("free").scalar("cpus"), 1e-9);
    }

    @Test
    public void aQuotaGuaranteeIsOfferedBeforeFairSharing() {
        // 'g' already holds 4 of the 10 cpus, so plain DRF would favour 'other' until it caught up. With a
        // guarantee of cpus:8, 'g' is first given the 4 cpus it still lacks; the rest is then shared by DRF.
        List<AgentView> agents = agents(6, "cpus:1;mem:1024");
        Resources total = Resources.parse("cpus:10;mem:10240");
        ClusterView withQuota = view(agents, List.of(fw("fg", "g", "cpus:4;mem:4096"), fw("fo", "other", null)),
                Map.of(), Map.of("g", new Quota(Resources.parse("cpus:8"), Resources.EMPTY)), total);
        List<Grant> quotaGrants = new DrfAllocator(new Random(2)).allocate(withQuota);
        Map<String, Resources> got = grantedBy(quotaGrants, true);
        assertEquals(4.0, got.get("g").scalar("cpus"), 1e-9);
        // one grant per framework, role and agent, the two stages merged
        assertEquals(quotaGrants.size(), quotaGrants.stream().map(g -> g.frameworkId() + "/" + g.agentId())
                .distinct().count());
        ClusterView without = view(agents, List.of(fw("fg", "g", "cpus:4;mem:4096"), fw("fo", "other", null)),
                Map.of(), Map.of(), total);
        Map<String, Resources> plain = grantedBy(new DrfAllocator(new Random(2)).allocate(without), true);
        assertEquals(1.0, plain.get("g").scalar("cpus"), 1e-9);
    }

    @Test
    public void rolesShareHierarchicallySubtreeFirst() {
        // a/x, a/y and b: the top level splits a against b (6 and 6), then a's half splits 3 and 3.
        // Flat DRF would give 4, 4, 4.
        List<AgentView> agents = agents(12, "cpus:1;mem:1024");
        ClusterView v = view(agents, List.of(fw("f1", "a/x", null), fw("f2", "a/y", null), fw("f3", "b", null)),
                Map.of(), Map.of(), null);
        Map<String, Resources> got = grantedBy(new DrfAllocator(new Random(4)).allocate(v), true);
        assertEquals(3.0, got.get("a/x").scalar("cpus"), 1e-9);
        assertEquals(3.0, got.get("a/y").scalar("cpus"), 1e-9);
        assertEquals(6.0, got.get("b").scalar("cpus"), 1e-9);
    }

    @Test
    public void aReservationForARoleIsOfferedToItsSubRolesOnly() {
        List<AgentView> agents = List.of(new AgentView(AgentId.of("a1"), "a1",
                Resources.parse("cpus(eng):2;mem(eng):512"), Resources.parse("cpus(eng):2;mem(eng):512"), List.of()));
        ClusterView v = view(agents, List.of(fw("ops", "ops", null), fw("web", "eng/web", null)), Map.of(),
                Map.of(), null);
        List<Grant> grants = new DrfAllocator(new Random(1)).allocate(v);
        assertEquals(1, grants.size());
        assertEquals("eng/web", grants.get(0).role());
        assertEquals(2.0, grants.get(0).resources().scalar("cpus"), 1e-9);
    }

    @Test
    public void aFilterOnEveryAgentLeavesTheFrameworkOutButNotTheOthers() {
        List<AgentView> agents = agents(4, "cpus:1;mem:1024");
        OfferFilter f1Everywhere = (f, a, r) -> f.value().equals("f1");
        ClusterView v = new ClusterView(agents, List.of(fw("f1", "*", null), fw("f2", "*", "cpus:3")), Map.of(),
                f1Everywhere, Resources.parse("cpus:4;mem:4096"), MIN);
        List<Grant> grants = new DrfAllocator(new Random(1)).allocate(v);
        assertEquals(4, grants.size());
        assertTrue(grants.stream().allMatch(g -> g.frameworkId().value().equals("f2")));
    }
}
