package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.Environment;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.Labels;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command tasks and the default executor's tasks, each in a container of its own: the sandbox, the containerizer
 * the task asks for, its environment, the fetch of its URIs, the launch on a worker thread, the wait for its end and
 * the terminal status that follows, and KILL. Owns each such task's container; what a custom executor's task
 * becomes is {@link ExecutorManager}'s.
 * Must not touch: custom executors or the completed records.
 */
final class TaskLauncher extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(TaskLauncher.class);

    TaskLauncher(AgentContext ctx) {
        super(ctx);
    }

    /** Label naming the containerizer for a task that is not a Docker one (for example {@code lxc}). */
    static final String CONTAINERIZER_LABEL = "pangaea.containerizer";

    void launch(FrameworkInfo framework, TaskInfo task) {
        if (tasks.containsKey(task.taskId())) {
            LOG.warn("Task {} is already on this agent; ignoring a second launch", task.taskId());
            return;
        }
        frameworks.put(framework.id(), framework);
        Path sandbox = config().workDir().resolve("slaves").resolve(ctx.agentId.value()).resolve("frameworks")
                .resolve(framework.id().value()).resolve("executors").resolve(task.taskId().value())
                .resolve("runs");
        ContainerId containerId = ContainerId.of(UUID.randomUUID().toString());
        Path dir = sandbox.resolve(containerId.value());
        TaskRun t = new TaskRun(framework.id(), task, dir, containerId);
        tasks.put(task.taskId(), t);
        startContainer(t, framework);
    }

    /** Runs a command task, or a task of the default executor, in a container of its own. */
    void startContainer(TaskRun t, FrameworkInfo framework) {
        TaskInfo task = t.info;
        Path dir = t.sandbox;
        String kind = containerizerFor(task);
        Containerizer containerizer = config().containerizers().contains(kind) ? containerizers.apply(kind) : null;
        if (containerizer == null) {
            ctx.statuses.terminal(t, TaskState.TASK_FAILED, "Containerizer '" + kind + "' is not "
                    + (config().containerizers().contains(kind) ? "installed" : "enabled (containerizers="
                    + String.join(",", config().containerizers()) + ")") + " on this agent",
                    TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED);
            return;
        }
        // Docker and LXC containers have a root file system of their own: volumes are bind-mounted into them, at
        // their path under the container's sandbox; with filesystem/linux, native containers get bind mounts too
        boolean own = kind.equals("docker") || kind.equals("lxc");
        boolean mounts = own || config().isolation().contains("filesystem/linux");
        // a checkpointing framework's command task outlives the agent where its containerizer can recover it
        t.checkpointed = (t.executor == null || t.executor.builtin) && Boolean.TRUE.equals(framework.checkpoint())
                && RECOVERABLE.contains(kind);
        ContainerSpec spec = spec(t, kind, config().isolation(), environment(t, dir));
        if (t.checkpointed) {
            try {
                ctx.checkpoints.writeTask(framework, t, t.executor == null
                        ? new AgentCheckpoints.RunInfo(kind, config().isolation(), spec.runtimeDir().toString(),
                                dir.toString())
                        : new AgentCheckpoints.RunInfo(kind, config().isolation(), spec.runtimeDir().toString(),
                                dir.toString(), t.executor.info, t.executor.containerId.value(),
                                t.group == null ? List.of(t.info.taskId()) : t.group.tasks().stream()
                                        .map(TaskInfo::taskId).toList(), null));
            } catch (IOException e) {
                LOG.warn("Task {}: cannot checkpoint it; it will not survive an agent restart", task.taskId(), e);
                t.checkpointed = false;
                spec = spec(t, kind, config().isolation(), environment(t, dir));
            }
        }
        ContainerSpec launchSpec = spec;
        t.healthEnvironment = spec.environment();
        ctx.statuses.send(t, TaskState.TASK_STARTING, null, null);
        workers.execute(() -> {
            try {
                Files.createDirectories(dir);
                if (mounts) {
                    ctx.volumes.createVolumes(task); // bind-mounted by the containerizer (withVolumeMounts)
                } else {
                    ctx.volumes.linkVolumes(task, dir);
                }
            } catch (IOException e) {
                state.execute(() -> ctx.statuses.terminal(t, TaskState.TASK_FAILED, "Cannot create the sandbox: "
                        + e.getMessage(), TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
                return;
            }
            if (!fetched(task.command(), dir, why -> state.execute(() -> ctx.statuses.terminal(t, TaskState.TASK_FAILED, why,
                    TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED)))) {
                return;
            }
            try {
                Container c = containerizer.launch(launchSpec);
                state.execute(() -> launched(t, c));
            } catch (ContainerException | RuntimeException | LinkageError e) {
                // a broken plugin (a class missing from its bundle) fails the task, never leaves it STARTING
                if (!(e instanceof ContainerException)) {
                    LOG.warn("Containerizer '{}' failed launching task {}", kind, task.taskId(), e);
                }
                String why = e instanceof ContainerException ? e.getMessage() : e.toString();
                state.execute(() -> ctx.statuses.terminal(t, TaskState.TASK_FAILED, "Failed to launch container: " + why,
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
            }
        });
    }

    /** The containerizers whose containers a restarted agent can find again. */
    static final java.util.Set<String> RECOVERABLE = java.util.Set.of("native", "docker", "lxc");

    /**
     * What the task's container is launched with (and, after a restart, recovered with): its runtime directory is
     * under the agent's {@code work_dir/containers}, and it outlives the agent when the task is checkpointed.
     */
    ContainerSpec spec(TaskRun t, String kind, List<String> isolation, Map<String, String> environment) {
        TaskInfo task = t.info;
        boolean own = kind.equals("docker") || kind.equals("lxc");
        boolean mounts = own || isolation.contains("filesystem/linux");
        return new ContainerSpec(t.containerId, task.command(),
                mounts ? ctx.volumes.withVolumeMounts(task, own ? Volumes.CONTAINER_SANDBOX + "/" : "")
                        : task.container(), t.sandbox,
                environment, Resources.of(task.resources() == null ? List.of() : task.resources()), isolation,
                Map.of("io.pangaea.agent", String.valueOf(ctx.agentId), "io.pangaea.framework",
                        t.frameworkId.value(), "io.pangaea.task", task.taskId().value()),
                ctx.checkpoints.runtimeDir(t.containerId), t.checkpointed);
    }

    /**
     * Fetches the command's URIs into the sandbox (worker thread). False when that failed: {@code failed} has
     * been given the reason.
     */
    boolean fetched(CommandInfo command, Path sandbox, java.util.function.Consumer<String> failed) {
        if (command == null || command.uris() == null || command.uris().isEmpty()) {
            return true;
        }
        try {
            ctx.fetcher.fetch(command.uris(), sandbox);
            state.execute(() -> ctx.counters.merge("containerizer/fetcher/task_fetches_succeeded", 1L, Long::sum));
            return true;
        } catch (Fetcher.FetchException x) {
            state.execute(() -> ctx.counters.merge("containerizer/fetcher/task_fetches_failed", 1L, Long::sum));
            failed.accept("Failed to fetch all URIs: " + x.getMessage());
            return false;
        }
    }

    /**
     * DOCKER tasks go to {@code docker}; others to the containerizer their label {@value #CONTAINERIZER_LABEL}
     * names, else to the first of the agent's {@code containerizers} that is not {@code docker}.
     */
    String containerizerFor(TaskInfo task) {
        return containerizerFor(task.container(), task.labels());
    }

    String containerizerFor(ContainerInfo container, Labels labels) {
        if (container != null && container.type() == ContainerInfo.Type.DOCKER) {
            return "docker";
        }
        if (labels != null && labels.labels() != null) {
            for (var l : labels.labels()) {
                if (CONTAINERIZER_LABEL.equals(l.key()) && l.value() != null && !l.value().isBlank()) {
                    return l.value().trim();
                }
            }
        }
        return config().containerizers().stream().filter(c -> !c.equals("docker")).findFirst().orElse("native");
    }

    Map<String, String> environment(TaskRun t, Path sandbox) {
        Map<String, String> env = baseEnvironment(t.frameworkId, t.executorId(), t.containerId, sandbox);
        env.put("MESOS_TASK_ID", t.info.taskId().value());
        return withCommandEnvironment(env, t.info.command());
    }

    /** What every container is given: PATH, HOME and the sandbox, the ids, and where the agent listens. */
    Map<String, String> baseEnvironment(FrameworkId framework, ExecutorId executor, ContainerId container,
                                                Path sandbox) {
        Map<String, String> env = new LinkedHashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path == null ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path);
        env.put("HOME", sandbox.toString());
        env.put("MESOS_SANDBOX", sandbox.toString());
        env.put("MESOS_DIRECTORY", sandbox.toString());
        env.put("MESOS_FRAMEWORK_ID", framework.value());
        env.put("MESOS_EXECUTOR_ID", executor.value());
        env.put("MESOS_AGENT_ID", ctx.agentId.value());
        env.put("MESOS_SLAVE_ID", ctx.agentId.value());
        env.put("MESOS_CONTAINER_ID", container.value());
        env.put("MESOS_AGENT_ENDPOINT", config().ip() + ":" + config().port());
        return env;
    }

    /** {@code env} with the command's own variables on top. */
    static Map<String, String> withCommandEnvironment(Map<String, String> env, CommandInfo command) {
        Environment custom = command == null ? null : command.environment();
        if (custom != null && custom.variables() != null) {
            for (Environment.Variable v : custom.variables()) {
                if (v.name() != null && v.value() != null) {
                    env.put(v.name(), v.value());
                }
            }
        }
        return env;
    }

    void launched(TaskRun t, Container c) {
        t.container = c;
        if (t.checkpointed) {
            ctx.checkpoints.writePid(t, c.pid());
        }
        ctx.statuses.send(t, TaskState.TASK_RUNNING, null, null);
        ctx.health.start(t);
        c.termination().whenComplete((term, err) -> state.execute(() -> ended(t, term, err)));
        if (t.killRequested) {
            c.kill(t.killGrace);
        }
    }

    void ended(TaskRun t, Termination term, Throwable err) {
        ctx.health.stop(t);
        if (t.state.isTerminal()) {
            return;
        }
        if (t.health != null && t.health.killedForIt) {
            // killed for failing its checks: its last health (false) goes with it, as Mesos says it
            ctx.statuses.terminal(t, TaskState.TASK_KILLED, "Task killed: it failed " + t.health.failures
                    + " health checks in a row", HealthChecker.REASON);
        } else if (err != null || term == null) {
            ctx.statuses.terminal(t, TaskState.TASK_FAILED, "Container ended abnormally: " + err,
                    TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
        } else if (term.limitation() != null) {
            ctx.statuses.terminal(t, TaskState.TASK_FAILED, term.message(), term.limitation());
        } else if (t.killRequested) {
            ctx.statuses.terminal(t, TaskState.TASK_KILLED, term.signal() != null
                    ? "Command terminated with signal " + signalName(term.signal())
                    : "Command exited with status " + term.exitCode(), null);
        } else if (term.exitCode() != null && term.exitCode() == 0) {
            ctx.statuses.terminal(t, TaskState.TASK_FINISHED, "Command exited with status 0", null);
        } else if (term.exitCode() != null) {
            ctx.statuses.terminal(t, TaskState.TASK_FAILED, "Command exited with status " + term.exitCode(),
                    TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED);
        } else if (term.signal() == null) {
            // nobody could see how it ended (its supervisor was killed)
            ctx.statuses.terminal(t, TaskState.TASK_FAILED, term.message() != null ? term.message()
                    : "The task ended and its exit status is unknown", TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
        } else {
            ctx.statuses.terminal(t, TaskState.TASK_FAILED, "Command terminated with signal " + signalName(term.signal()),
                    TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED);
        }
    }

    static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "Hangup";
            case 2 -> "Interrupt";
            case 6 -> "Aborted";
            case 9 -> "Killed";
            case 11 -> "Segmentation fault";
            case 15 -> "Terminated";
            default -> "signal " + signal;
        };
    }

    void kill(TaskId id, KillPolicy policy) {
        TaskRun t = tasks.get(id);
        if (t == null) {
            LOG.info("Kill of unknown task {}", id);
            return;
        }
        if (t.state.isTerminal()) {
            return;
        }
        t.killRequested = true;
        KillPolicy p = policy != null ? policy : t.info.killPolicy();
        t.killGrace = p != null && p.gracePeriod() != null ? p.gracePeriod().toDuration() : config().killGracePeriod();
        LOG.info("Killing task {} of framework {} (grace period {})", id, t.frameworkId, t.killGrace);
        if (t.executor != null && !t.executor.builtin) {
            ctx.executorManager.killOnExecutor(t, p);
            return;
        }
        if (t.executor != null && t.group != null) {
            ctx.defaultExecutor.killRestOfGroup(t, t.killGrace);
        }
        if (t.container != null) {
            t.container.kill(t.killGrace);
        } else if (t.state == TaskState.TASK_STAGING) {
            ctx.statuses.terminal(t, TaskState.TASK_KILLED, "Task killed before it was launched", null);
        }
        // else: launching; killed as soon as the container exists
    }
}
