package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Container;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A task on this agent, from its launch until its record is dropped; touched only on the agent's state thread. */
final class TaskRun {
    final FrameworkId frameworkId;
    final TaskInfo info;
    final ContainerId containerId;
    final Path sandbox;
    TaskState state = TaskState.TASK_STAGING;
    Container container;
    boolean killRequested;
    Duration killGrace;
    final List<TaskStatus> statuses = new ArrayList<>();
    /** The custom or default executor the task runs under; null for a command task. */
    final ExecutorRun executor;
    /** The task group it came in, for tasks launched with LAUNCH_GROUP. */
    final TaskGroupInfo group;
    /** Sent to its (custom) executor. */
    boolean delivered;
    /**
     * Its framework checkpoints and its container can be recovered: it is journalled under {@code meta}, its
     * container outlives the agent's process, and a restarted agent takes it up again.
     */
    boolean checkpointed;
    /** What its health checks found, once they started; null for a task without any. */
    HealthChecker.Health health;
    /** The environment it was launched with, for its COMMAND health check. */
    java.util.Map<String, String> healthEnvironment;

    TaskRun(FrameworkId frameworkId, TaskInfo info, Path sandbox, ContainerId containerId) {
        this(frameworkId, info, sandbox, containerId, null, null);
    }

    TaskRun(FrameworkId frameworkId, TaskInfo info, Path sandbox, ContainerId containerId, ExecutorRun executor,
            TaskGroupInfo group) {
        this.frameworkId = frameworkId;
        this.info = info;
        this.sandbox = sandbox;
        this.containerId = containerId;
        this.executor = executor;
        this.group = group;
    }

    /** The task's executor: its own (the agent's command executor, named after it) or the framework's. */
    ExecutorId executorId() {
        return executor != null ? executor.info.executorId() : ExecutorId.of(info.taskId().value());
    }
}
