package io.pangaea.model;

import java.util.List;

public record AgentInfo(String hostname, Integer port, List<Resource> resources, List<Attribute> attributes,
                        AgentId id) {
    public AgentInfo withId(AgentId newId) {
        return new AgentInfo(hostname, port, resources, attributes, newId);
    }
}
