package io.pangaea.allocator;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An allocation policy, registered as an OSGi service with the property {@value #NAME_PROPERTY} (for example
 * {@code drf}); the master uses the one named by its {@code allocator} setting.
 *
 * <p>Contract: the master calls {@link #allocate} on its single allocation thread, never concurrently, at every
 * allocation interval and soon after resources are freed. The view is a consistent snapshot taken on the master's
 * event loop and does not change during the call. The allocator returns grants; the master checks each one against
 * its state at the time it applies them (the agent must still be connected and have the resources free, the
 * framework must still be connected, subscribed to the role and not suppressing it) and turns the valid ones into
 * offers. Grants that are too small for the view's {@link ClusterView#isAllocatable min_allocatable_resources} are
 * dropped. Decline filters are the allocator's to respect ({@link ClusterView#filters},
 * {@link Allocations#takes}): the master does not check grants against them again, since the view it took them
 * from is the one the allocator decided on. An allocator may keep state between calls (a random seed, counters)
 * but must not rely on being called for every change.
 */
@ConsumerType
public interface Allocator {

    /** The service property that names an allocator. */
    String NAME_PROPERTY = "pangaea.allocator.name";

    /** Decides this cycle's offers. Must return promptly and must not block. */
    List<Grant> allocate(ClusterView view);
}
