package io.pangaea.allocator.fifo;

import static org.junit.Assert.assertEquals;

import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.allocator.OfferFilter;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** A cluster view built by hand, no OSGi: the way to test an allocator. */
public class FifoAllocatorTest {

    private static AgentView agent(String id) {
        Resources r = Resources.parse("cpus:2;mem:2048");
        return new AgentView(AgentId.of(id), id, r, r, List.of());
    }

    private static FrameworkView framework(String id) {
        return new FrameworkView(FrameworkId.of(id), id, List.of("*"), Set.of(), Map.of());
    }

    @Test
    public void theFirstFrameworkTakesEverythingItWants() {
        ClusterView view = new ClusterView(List.of(agent("a1"), agent("a2")),
                List.of(framework("m-0001"), framework("m-0000")), Map.of(), OfferFilter.NONE,
                Resources.parse("cpus:4;mem:4096"), List.of(Resources.parse("cpus:0.01")));
        List<Grant> grants = new FifoAllocator().allocate(view);
        assertEquals(2, grants.size());
        grants.forEach(g -> assertEquals("m-0000", g.frameworkId().value()));
    }

    @Test
    public void theNextOneGetsWhatTheFirstDeclined() {
        OfferFilter firstRefusesA2 = (f, a, r) -> f.value().equals("m-0000") && a.value().equals("a2");
        ClusterView view = new ClusterView(List.of(agent("a1"), agent("a2")),
                List.of(framework("m-0000"), framework("m-0001")), Map.of(), firstRefusesA2,
                Resources.parse("cpus:4;mem:4096"), List.of(Resources.parse("cpus:0.01")));
        List<Grant> grants = new FifoAllocator().allocate(view);
        assertEquals(2, grants.size());
        assertEquals("m-0001", grants.stream().filter(g -> g.agentId().value().equals("a2")).findFirst()
                .orElseThrow().frameworkId().value());
    }
}
