package io.pangaea.model;

import java.util.List;

/**
 * The status of an offer operation that has an id: its state, what it converted the resources into, and (when the
 * framework must acknowledge it) a uuid, written as Mesos's {@code UUID} message ({@code {"value": <base64>}}).
 */
public record OperationStatus(OperationId operationId, OperationState state, String message,
                              List<Resource> convertedResources, Uuid uuid, AgentId agentId) {

    public record Uuid(String value) {}

    /** The same status without its uuid, as reconciliation answers it. */
    public OperationStatus withoutUuid() {
        return new OperationStatus(operationId, state, message, convertedResources, null, agentId);
    }
}
