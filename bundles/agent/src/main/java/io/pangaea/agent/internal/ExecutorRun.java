package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Container;
import io.pangaea.http.EventSink;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An executor of a framework: a CUSTOM one is a process in its own container that subscribes to
 * {@code /api/v1/executor} and runs the tasks sent to it; the DEFAULT one is built into the agent and runs each
 * task of its groups in a container of its own. Touched only on the state thread.
 */
final class ExecutorRun {
    final FrameworkInfo framework;
    final ExecutorInfo info;
    final ContainerId containerId;
    final Path sandbox;
    final boolean builtin;
    final Map<TaskId, TaskRun> tasks = new LinkedHashMap<>();
    /** Tasks and groups not yet sent to a custom executor, in launch order (TaskRun or TaskGroupInfo). */
    final List<Object> pending = new ArrayList<>();
    /** Its tasks whose last update was acknowledged, newest last, at most {@value CompletedHistory#MAX_COMPLETED_TASKS}. */
    final ArrayDeque<TaskRun> completedTasks = new ArrayDeque<>();
    Container container;
    EventSink stream;
    boolean subscribed;
    /**
     * Its framework checkpoints and its containerizer can recover it: its container outlives the agent's process,
     * it and its tasks are journalled under {@code meta}, and a restarted agent waits for it to subscribe again.
     */
    boolean checkpointed;
    boolean terminating;
    boolean ended;
    /** Why the agent is ending it (registration timeout, shutdown), for its tasks' last updates. */
    TaskStatus.Reason reason;
    String reasonMessage;
    TaskState reasonState;
    java.util.concurrent.ScheduledFuture<?> registrationTimer;
    java.util.concurrent.ScheduledFuture<?> shutdownTimer;
    java.util.concurrent.ScheduledFuture<?> heartbeat;
    /** What the executor's container was last given (its own resources plus its live tasks'). */
    Resources size = Resources.EMPTY;
    /** Resizes run one after another, in the order they were asked for. */
    CompletableFuture<Void> resizing = CompletableFuture.completedFuture(null);

    ExecutorRun(FrameworkInfo framework, ExecutorInfo info, ContainerId containerId, Path sandbox) {
        this.framework = framework;
        this.info = info;
        this.containerId = containerId;
        this.sandbox = sandbox;
        this.builtin = info.isDefault();
    }

    ExecutorKey key() {
        return new ExecutorKey(framework.id(), info.executorId());
    }
}
