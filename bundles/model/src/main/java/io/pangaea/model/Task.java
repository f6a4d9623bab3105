package io.pangaea.model;

import java.util.List;

/** The master's and agent's record of a launched task (Mesos {@code Task}). */
public record Task(String name, TaskId taskId, FrameworkId frameworkId, ExecutorId executorId, AgentId agentId,
                   TaskState state, List<Resource> resources, List<TaskStatus> statuses,
                   TaskState statusUpdateState, String statusUpdateUuid, Labels labels, ContainerInfo container,
                   String user) {}
