package io.pangaea.agent.internal;

import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * What ended on this agent, kept for the read endpoints as Mesos's agent keeps it: tasks whose updates were all
 * acknowledged (retired into their executor's record), executors that ended (a command task's with its task), and
 * frameworks with nothing left here, each within Mesos's default limits. Owns the completed records; it removes
 * retired tasks and completed frameworks from the live tables.
 * Must not touch: live tasks, containers or executors.
 */
final class CompletedHistory extends AgentPart {

    private static final int MAX_COMPLETED_FRAMEWORKS = 50;
    /** Mesos's defaults of {@code max_completed_executors_per_framework} and {@code ..._tasks_per_executor}. */
    static final int MAX_COMPLETED_EXECUTORS = 150;
    static final int MAX_COMPLETED_TASKS = 200;

    /**
     * An executor that ended, kept for the read endpoints: a custom or default one ({@code executor}), or the
     * command executor of one task ({@code command}). {@code tasks} are its completed tasks.
     */
    record CompletedExecutor(ExecutorRun executor, TaskRun command, java.util.Collection<TaskRun> tasks) {}

    /** A framework with nothing left on this agent, and the executors it had here. */
    record CompletedFramework(FrameworkInfo info, ArrayDeque<CompletedExecutor> executors) {}

    /**
     * Frameworks that have nothing left here (their last executor ended and its updates were acknowledged) or that
     * the master shut down, newest last, at most {@value #MAX_COMPLETED_FRAMEWORKS}.
     */
    private final ArrayDeque<CompletedFramework> completedFrameworks = new ArrayDeque<>();
    /** The executors that ended here, per live framework, newest last. */
    private final Map<FrameworkId, ArrayDeque<CompletedExecutor>> completedExecutors = new java.util.HashMap<>();

    CompletedHistory(AgentContext ctx) {
        super(ctx);
    }

    /** A copy of the ended executors of live frameworks, for a read view. */
    Map<FrameworkId, ArrayDeque<CompletedExecutor>> completedExecutors() {
        return Map.copyOf(completedExecutors);
    }

    /** A copy of the completed frameworks, oldest first, for a read view. */
    List<CompletedFramework> completedFrameworks() {
        return List.copyOf(completedFrameworks);
    }

    /** A terminal task whose updates were all acknowledged leaves the live state for its executor's record. */
    void retire(TaskRun t) {
        tasks.remove(t.info.taskId());
        forgetContainer(t);
        if (t.executor != null) {
            t.executor.tasks.remove(t.info.taskId());
            keepCompleted(t.executor, t);
        } else {
            // a command task's executor ends with it; the record keeps no ended container alive
            if (t.container != null && t.container.termination().toCompletableFuture().isDone()) {
                t.container = null;
            }
            completed(t.frameworkId, new CompletedExecutor(null, t, List.of(t)));
        }
        completeIfIdle(t.frameworkId);
    }

    /**
     * A task that is done with needs nothing more on disk to find it again: its checkpoints (if it was journalled)
     * and its container's runtime directory go. Its sandbox stays, for the read endpoints.
     */
    private void forgetContainer(TaskRun t) {
        if (t.checkpointed) {
            ctx.checkpoints.removeTask(t);
        }
        ctx.checkpoints.removeRuntimeDir(t.containerId);
    }

    static void keepCompleted(ExecutorRun e, TaskRun t) {
        e.completedTasks.addLast(t);
        if (e.completedTasks.size() > MAX_COMPLETED_TASKS) {
            e.completedTasks.removeFirst();
        }
    }

    /** Keeps an ended executor with its framework (a live one, or one completed already). */
    void completed(FrameworkId framework, CompletedExecutor e) {
        // its sandbox is garbage from now on
        ctx.gc.schedule(e.command() != null ? e.command().sandbox : e.executor() != null ? e.executor().sandbox
                : null, System.currentTimeMillis());
        ArrayDeque<CompletedExecutor> list = completedExecutors.get(framework);
        if (list == null && !frameworks.containsKey(framework)) {
            list = completedFrameworks.stream().filter(f -> f.info().id().equals(framework)).reduce((a, b) -> b)
                    .map(CompletedFramework::executors).orElse(null);
        }
        if (list == null) {
            list = completedExecutors.computeIfAbsent(framework, f -> new ArrayDeque<>());
        }
        list.addLast(e);
        if (list.size() > MAX_COMPLETED_EXECUTORS) {
            list.removeFirst();
        }
    }

    /** A framework with no task and no executor left here is completed, as Mesos's agent removes idle ones. */
    void completeIfIdle(FrameworkId framework) {
        if (!frameworks.containsKey(framework)) {
            return;
        }
        for (TaskRun t : tasks.values()) {
            if (t.frameworkId.equals(framework)) {
                return;
            }
        }
        for (ExecutorKey k : executors.keySet()) {
            if (k.frameworkId().equals(framework)) {
                return;
            }
        }
        complete(framework);
    }

    void complete(FrameworkId framework) {
        FrameworkInfo gone = frameworks.remove(framework);
        ArrayDeque<CompletedExecutor> ended = completedExecutors.remove(framework);
        if (gone != null) {
            // one entry per framework, as Mesos keys them: a framework that completes again takes its earlier
            // executors along
            ArrayDeque<CompletedExecutor> all = new ArrayDeque<>();
            for (var it = completedFrameworks.iterator(); it.hasNext(); ) {
                CompletedFramework earlier = it.next();
                if (earlier.info().id().equals(framework)) {
                    all.addAll(earlier.executors());
                    it.remove();
                }
            }
            if (ended != null) {
                all.addAll(ended);
            }
            while (all.size() > MAX_COMPLETED_EXECUTORS) {
                all.removeFirst();
            }
            completedFrameworks.addLast(new CompletedFramework(gone, all));
            while (completedFrameworks.size() > MAX_COMPLETED_FRAMEWORKS) {
                completedFrameworks.removeFirst();
            }
        }
    }
}
