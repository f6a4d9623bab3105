package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentEvent;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LAUNCH_GROUP: the built-in default executor runs each task of a group in a container of its own, under the
 * executor's sandbox, and takes the group down when one task fails or is killed; a group for a custom executor is
 * queued for it. Owns the group semantics; containers are started by {@link TaskLauncher}.
 * Must not touch: custom executors beyond queueing a group for one.
 */
final class DefaultExecutor extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultExecutor.class);

    DefaultExecutor(AgentContext ctx) {
        super(ctx);
    }

    /** LAUNCH_GROUP: the default executor runs each task in its own container; a custom one gets the group. */
    void launchGroup(AgentEvent.LaunchGroup launch) {
        FrameworkInfo framework = launch.frameworkInfo();
        List<TaskInfo> group = launch.taskGroup().tasks();
        if (group.stream().anyMatch(t -> tasks.containsKey(t.taskId()))) {
            LOG.warn("A task of group {} is already on this agent; ignoring the group", group.stream()
                    .map(t -> t.taskId().value()).toList());
            return;
        }
        frameworks.put(framework.id(), framework);
        Resources all = Resources.EMPTY;
        for (TaskInfo t : group) {
            all = all.plus(Resources.of(t.resources()));
        }
        ExecutorRun e = ctx.executorManager.executorFor(framework, launch.executor(), all);
        for (TaskInfo task : group) {
            TaskRun t;
            if (e == null) {
                ctx.executorManager.failForStoppingExecutor(framework, task, launch.executor().executorId());
                continue;
            }
            if (e.builtin) {
                // each task has its own container and sandbox under the executor's: tasks/<task id>
                t = new TaskRun(framework.id(), task, e.sandbox.resolve("tasks").resolve(task.taskId().value()),
                        ContainerId.of(UUID.randomUUID().toString()), e, launch.taskGroup());
            } else {
                t = new TaskRun(framework.id(), task, e.sandbox, e.containerId, e, launch.taskGroup());
            }
            tasks.put(task.taskId(), t);
            e.tasks.put(task.taskId(), t);
            ctx.executorManager.checkpoint(e, t);
        }
        if (e == null) {
            return;
        }
        if (e.builtin) {
            for (TaskInfo task : group) {
                ctx.launcher.startContainer(tasks.get(task.taskId()), framework);
            }
        } else {
            e.pending.add(launch.taskGroup());
            ctx.executorManager.resize(e);
            ctx.executorManager.deliver(e);
        }
    }

    /**
     * The default executor ends a task group as a whole: the group's other live tasks are killed (one still
     * launching is killed as soon as its container exists).
     */
    void killRestOfGroup(TaskRun t, Duration grace) {
        for (TaskInfo other : t.group.tasks()) {
            TaskRun o = tasks.get(other.taskId());
            if (o != null && o != t && !o.state.isTerminal() && !o.killRequested) {
                o.killRequested = true;
                o.killGrace = grace;
                if (o.container != null) {
                    o.container.kill(grace);
                }
            }
        }
    }

    /** A task of the default executor ended: a failed or killed one takes its group down; the last one, the executor. */
    void defaultExecutorTaskEnded(TaskRun t) {
        ExecutorRun e = t.executor;
        if (t.state != TaskState.TASK_FINISHED && t.group != null) {
            killRestOfGroup(t, config().killGracePeriod());
        }
        if (e.tasks.values().stream().allMatch(x -> x.state.isTerminal())) {
            ctx.executorManager.executorEnded(e, Termination.exited(0), null, null);
        }
    }
}
