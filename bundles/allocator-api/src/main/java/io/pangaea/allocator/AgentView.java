package io.pangaea.allocator;

import io.pangaea.model.AgentId;
import io.pangaea.model.Attribute;
import io.pangaea.model.Resources;
import java.util.List;

/**
 * An agent as the allocator sees it. {@code available} is what is neither used by tasks nor currently offered,
 * without allocation info; it may include resources reserved to a role, which only that role may be granted.
 */
public record AgentView(AgentId id, String hostname, Resources total, Resources available,
                        List<Attribute> attributes) {}
