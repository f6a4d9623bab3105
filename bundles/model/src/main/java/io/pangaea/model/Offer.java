package io.pangaea.model;

import java.util.List;

public record Offer(OfferId id, FrameworkId frameworkId, AgentId agentId, String hostname, Url url,
                    List<Resource> resources, List<Attribute> attributes, List<ExecutorId> executorIds,
                    AllocationInfo allocationInfo) {}
