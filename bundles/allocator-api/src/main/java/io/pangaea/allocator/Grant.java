package io.pangaea.allocator;

import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;

/** "Offer {@code resources} of {@code agentId} to {@code frameworkId}, allocated to {@code role}." */
public record Grant(FrameworkId frameworkId, String role, AgentId agentId, Resources resources) {}
