package io.pangaea.allocator;

import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The decline filters in force (Mesos semantics): a framework that declined resources of an agent with
 * {@code refuse_seconds} is not offered a subset of them on that agent until the filter expires.
 */
@ProviderType
public interface OfferFilter {
    OfferFilter NONE = (f, a, r) -> false;

    boolean isFiltered(FrameworkId framework, AgentId agent, Resources resources);
}
