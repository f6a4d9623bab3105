package io.pangaea.model;

import java.util.List;

/** A task a framework asks to launch: exactly one of {@code command} or {@code executor} is set. */
public record TaskInfo(String name, TaskId taskId, AgentId agentId, List<Resource> resources, ExecutorInfo executor,
                       CommandInfo command, ContainerInfo container, KillPolicy killPolicy, String data,
                       Labels labels, HealthCheck healthCheck) {

    /** A task without a health check. */
    public TaskInfo(String name, TaskId taskId, AgentId agentId, List<Resource> resources, ExecutorInfo executor,
                    CommandInfo command, ContainerInfo container, KillPolicy killPolicy, String data, Labels labels) {
        this(name, taskId, agentId, resources, executor, command, container, killPolicy, data, labels, null);
    }

    public TaskInfo withAgentId(AgentId id) {
        return new TaskInfo(name, taskId, id, resources, executor, command, container, killPolicy, data, labels,
                healthCheck);
    }
}
