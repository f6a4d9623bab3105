package io.pangaea.model;

import java.util.List;

public record Offer(OfferId id, FrameworkId frameworkId, AgentId agentId, String hostname, Url url,
                    List<Resource> resources, List<Attribute> attributes, List<ExecutorId> executorIds,
                    AllocationInfo allocationInfo, io.pangaea.model.maintenance.Schedule.Unavailability unavailability) {

    /** An offer from an agent with no maintenance scheduled. */
    public Offer(OfferId id, FrameworkId frameworkId, AgentId agentId, String hostname, Url url,
                 List<Resource> resources, List<Attribute> attributes, List<ExecutorId> executorIds,
                 AllocationInfo allocationInfo) {
        this(id, frameworkId, agentId, hostname, url, resources, attributes, executorIds, allocationInfo, null);
    }
}
