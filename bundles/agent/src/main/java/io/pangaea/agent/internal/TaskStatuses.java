package io.pangaea.agent.internal;

import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.util.Base64;
import java.util.List;
import java.security.SecureRandom;

/**
 * The status updates the agent itself produces for its tasks: each gets a uuid, the container's status and the
 * task's counters, is kept in the task's history and handed to the {@link StatusUpdateManager}, which sends it until
 * it is acknowledged. Owns nothing but the counting; a terminal update of an executor's task is passed on to that
 * executor's part.
 * Must not touch: containers, or the tables beyond a task's own state and statuses.
 */
final class TaskStatuses extends AgentPart {

    TaskStatuses(AgentContext ctx) {
        super(ctx);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    void terminal(TaskRun t, TaskState s, String message, TaskStatus.Reason reason) {
        send(t, s, message, reason);
    }

    /** A change of the task's health, as its checks found it: an update of {@code s} with {@code healthy}. */
    void health(TaskRun t, TaskState s, String message) {
        send(t, s, message, HealthChecker.REASON);
    }

    void send(TaskRun t, TaskState s, String message, TaskStatus.Reason reason) {
        if (s.isTerminal() && !t.state.isTerminal()) {
            count("tasks_" + s.name().substring("TASK_".length()).toLowerCase(java.util.Locale.ROOT));
            if (t.executor == null) {
                count("executors_terminated");
            }
            if (reason == TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED) {
                count("container_launch_errors");
            }
        }
        count("valid_status_updates");
        t.state = s;
        byte[] uuid = new byte[16];
        RANDOM.nextBytes(uuid);
        long pid = t.container == null ? -1 : t.container.pid();
        // what the agent says itself of a custom executor's task comes from the agent, as in Mesos
        TaskStatus.Source source = t.executor != null && !t.executor.builtin ? TaskStatus.Source.SOURCE_AGENT
                : TaskStatus.Source.SOURCE_EXECUTOR;
        TaskStatus status = new TaskStatus(t.info.taskId(), s, message, source, reason,
                null, ctx.agentId, t.executorId(), System.currentTimeMillis() / 1000.0,
                Base64.getEncoder().encodeToString(uuid), t.health == null ? null : t.health.healthy, null,
                new TaskStatus.ContainerStatus(t.containerId, List.of(new TaskStatus.NetworkInfo(
                        List.of(new TaskStatus.IpAddress("IPv4", config().ip())))),
                        pid > 0 ? (int) pid : null));
        record(t, status);
    }

    /** Keeps a task's new status and hands it to the status update manager (state thread). */
    void record(TaskRun t, TaskStatus status) {
        t.statuses.add(status);
        if (t.checkpointed) {
            ctx.checkpoints.appendUpdate(t, status); // journalled before it leaves the agent
        }
        ctx.updates.update(t.frameworkId, status);
        if (t.executor != null && t.executor.builtin && status.state().isTerminal()) {
            ctx.defaultExecutor.defaultExecutorTaskEnded(t);
        } else if (t.executor != null && status.state().isTerminal()) {
            ctx.executorManager.resize(t.executor);
        }
    }
}
