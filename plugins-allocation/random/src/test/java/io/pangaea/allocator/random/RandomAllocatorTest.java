package io.pangaea.allocator.random;

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
import java.util.Random;
import java.util.Set;
import org.junit.Test;

public class RandomAllocatorTest {

    private static final List<Resources> MIN = List.of(Resources.parse("cpus:0.01"), Resources.parse("mem:32"));

    private static ClusterView view(int agents, OfferFilter filter) {
        List<AgentView> list = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            Resources r = Resources.parse("cpus:1;mem:1024");
            list.add(new AgentView(AgentId.of("a" + i), "a" + i, r, r, List.of()));
        }
        List<FrameworkView> fws = List.of(
                new FrameworkView(FrameworkId.of("f1"), "f1", List.of("*"), Set.of(), Map.of()),
                new FrameworkView(FrameworkId.of("f2"), "f2", List.of("*"), Set.of(), Map.of()));
        return new ClusterView(list, fws, Map.of(), filter,
                Resources.parse("cpus:" + agents + ";mem:" + 1024 * agents), MIN);
    }

    @Test
    public void ordersDifferentlyFromDrf() {
        // DRF alternates two equal frameworks agent by agent (never the same one twice in a row, 10/10 split);
        // random order hands out runs and uneven splits.
        List<Grant> grants = new RandomAllocator(new Random(11)).allocate(view(20, OfferFilter.NONE));
        assertEquals(20, grants.size());
        boolean run = false;
        for (int i = 1; i < grants.size(); i++) {
            run |= grants.get(i).frameworkId().equals(grants.get(i - 1).frameworkId());
        }
        assertTrue("expected two consecutive agents to go to one framework", run);
        long f1 = grants.stream().filter(g -> g.frameworkId().value().equals("f1")).count();
        assertTrue("both frameworks get something: f1=" + f1, f1 > 0 && f1 < 20);
    }

    @Test
    public void filtersAreRespected() {
        OfferFilter f1Everywhere = (f, a, r) -> f.value().equals("f1");
        List<Grant> grants = new RandomAllocator(new Random(1)).allocate(view(8, f1Everywhere));
        assertEquals(8, grants.size());
        assertTrue(grants.stream().allMatch(g -> g.frameworkId().value().equals("f2")));
    }
}
