package io.pangaea.allocator.fifo;

import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.Allocations;
import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.model.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First come, first served: the framework that subscribed first (the master numbers framework ids in order) is
 * offered every agent it wants; the next one gets what the first cannot use, and so on.
 */
@Component(service = Allocator.class, property = Allocator.NAME_PROPERTY + "=fifo")
public final class FifoAllocator implements Allocator {

    /** Through Karaf's logging in the master ({@code log:set DEBUG io.pangaea.allocator.fifo}). */
    private static final Logger LOG = LoggerFactory.getLogger(FifoAllocator.class);

    @Override
    public List<Grant> allocate(ClusterView view) {
        List<FrameworkView> queue = new ArrayList<>(view.frameworks());
        queue.sort(Comparator.comparing((FrameworkView f) -> f.id().value()));
        List<Grant> grants = new ArrayList<>();
        for (AgentView agent : view.agents()) {
            Resources left = agent.available();
            for (FrameworkView f : queue) {
                for (String role : f.roles()) {
                    Resources offer = Allocations.offerable(view, left, role);
                    if (!offer.isEmpty() && Allocations.takes(view, f, role, agent, offer)) {
                        grants.add(new Grant(f.id(), role, agent.id(), offer));
                        left = left.minus(offer);
                    }
                }
            }
        }
        LOG.debug("{} grants for {} frameworks in subscription order", grants.size(), queue.size());
        return grants;
    }
}
