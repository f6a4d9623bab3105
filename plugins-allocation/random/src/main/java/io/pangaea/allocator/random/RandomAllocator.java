package io.pangaea.allocator.random;

import io.pangaea.allocator.Allocations;
import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.model.Resources;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.osgi.service.component.annotations.Component;

/**
 * Random order, Mesos's usual answer to offer starvation among many frameworks: for every agent, the (framework,
 * role) pairs are shuffled and the first one that wants the agent and has not filtered it takes what its role may
 * use. No shares are kept, so no framework is systematically first.
 */
@Component(service = Allocator.class, property = Allocator.NAME_PROPERTY + "=random")
public final class RandomAllocator implements Allocator {

    private record Candidate(FrameworkView framework, String role) {}

    private final Random random;

    public RandomAllocator() {
        this(new Random());
    }

    /** With a fixed seed, for tests. */
    public RandomAllocator(Random random) {
        this.random = random;
    }

    @Override
    public List<Grant> allocate(ClusterView view) {
        List<Candidate> candidates = new ArrayList<>();
        for (FrameworkView f : view.frameworks()) {
            for (String role : f.roles()) {
                candidates.add(new Candidate(f, role));
            }
        }
        List<Grant> grants = new ArrayList<>();
        for (AgentView agent : view.agents()) {
            Collections.shuffle(candidates, random);
            Resources available = agent.available();
            for (Candidate c : candidates) {
                Resources offer = Allocations.offerable(view, available, c.role());
                if (!offer.isEmpty() && Allocations.takes(view, c.framework(), c.role(), agent, offer)) {
                    grants.add(new Grant(c.framework().id(), c.role(), agent.id(), offer));
                    available = available.minus(offer);
                }
            }
        }
        return grants;
    }
}
