package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.model.ContainerId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's start after a restart, before it subscribes to the master (Mesos's {@code recover=reconnect}): the
 * boot id is compared (after a reboot the agent registers as a new one), each checkpointed task is taken up again
 * with its container (still running, or ended while the agent was down, with its recorded exit status), its
 * unacknowledged updates are queued to be sent again, and every container that an earlier run left and no checkpoint
 * names is destroyed. Runs once, on a worker thread; what it rebuilds goes into the tables on the state thread.
 * Must not touch: the master link (which starts after it).
 */
final class AgentRecovery extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRecovery.class);
    /** How long recovery waits for the containerizers and isolators it needs to be installed (Karaf's boot). */
    static final Duration PLUGIN_WAIT = Duration.ofSeconds(60);

    AgentRecovery(AgentContext ctx) {
        super(ctx);
    }

    /** What recovery decided: go on and register, or stop (a failed strict recovery, or {@code recover=cleanup}). */
    enum Outcome { REGISTER, STOP }

    /** Thrown when the agent must not start; the message says why and what to do. */
    static final class RecoveryFailed extends RuntimeException {
        RecoveryFailed(String message) {
            super(message);
        }
    }

    /** Errors met while recovering (unreadable checkpoints, containers that could not be recovered). */
    private final List<String> errors = new ArrayList<>();
    /** Containers whose launch the agent did not see through: not recovered, and destroyed as orphans. */
    private final Set<ContainerId> halfLaunched = new HashSet<>();

    Outcome recover() {
        AgentConfig.Recovery settings = config().recovery();
        if (!ctx.checkpoints.sameBoot() && ctx.agentId != null) {
            LOG.warn("The machine rebooted since agent {} last ran: nothing it ran can still run; registering as a"
                    + " new agent", ctx.agentId);
            ctx.checkpoints.forgetAgent();
            ctx.agentId = null;
        }
        long deadline = System.nanoTime() + PLUGIN_WAIT.toNanos();
        if (settings.recover().equals("cleanup")) {
            cleanup(deadline);
            return Outcome.STOP;
        }
        checkReconfiguration(settings.reconfigurationPolicy());
        List<AgentCheckpoints.Checkpointed> found = ctx.agentId == null ? List.of()
                : ctx.checkpoints.tasks(ctx.agentId);
        List<AgentCheckpoints.CheckpointedExecutor> custom = ctx.agentId == null ? List.of()
                : ctx.checkpoints.executors(ctx.agentId);
        Set<ContainerId> known = new HashSet<>();
        int running = 0;
        Map<ExecutorKey, ExecutorRun> defaults = new java.util.HashMap<>();
        taskInfos = new java.util.HashMap<>();
        found.forEach(c -> taskInfos.put(c.task().taskId(), c.task()));
        for (AgentCheckpoints.Checkpointed c : found) {
            known.add(c.containerId());
            if (recoverTask(c, defaultExecutor(c, defaults), deadline)) {
                running++;
            }
        }
        int executorsRunning = 0;
        for (AgentCheckpoints.CheckpointedExecutor c : custom) {
            known.add(c.containerId());
            if (recoverExecutor(c, deadline)) {
                executorsRunning++;
            }
        }
        if (!found.isEmpty() || !custom.isEmpty()) {
            LOG.info("Recovered {} checkpointed task(s) of agent {}: {} still running; {} custom executor(s): {}"
                    + " still running", found.size(), ctx.agentId, running, custom.size(), executorsRunning);
        }
        known.removeAll(halfLaunched);
        destroyOrphans(known, deadline);
        if (!errors.isEmpty() && settings.strict()) {
            throw new RecoveryFailed("Recovery met " + errors.size() + " error(s) and 'strict' is true: "
                    + String.join("; ", errors) + ". The agent does not start; fix the cause, or start it with"
                    + " strict=false (what could not be recovered is then reported lost), or with recover=cleanup"
                    + " (every task is killed and forgotten)");
        }
        if (!errors.isEmpty()) {
            LOG.warn("Recovery met {} error(s), logged above; 'strict' is false, so the agent starts", errors.size());
        }
        return Outcome.REGISTER;
    }

    /**
     * {@code recover=cleanup}: every container an earlier run left is killed, the checkpoints are forgotten (the
     * next start registers a new agent), and the agent stops, as Mesos's agent does with that flag.
     */
    private void cleanup(long deadline) {
        LOG.warn("recover=cleanup: killing every container an earlier run left and forgetting its checkpoints; the"
                + " agent then stops (start it again with recover=reconnect)");
        destroyOrphans(Set.of(), deadline);
        ctx.checkpoints.forgetAgent();
        ctx.agentId = null;
    }

    /**
     * The agent's resources and attributes against those it registered with last ({@code slave.info}): under
     * {@code equal} they must be the same; under {@code additive} they may grow but nothing may go or change. The
     * hostname and port must stay. A mismatch stops the start, naming what changed.
     */
    private void checkReconfiguration(String policy) {
        if (ctx.agentId == null) {
            return;
        }
        io.pangaea.model.AgentInfo before = ctx.checkpoints.readAgentInfo(ctx.agentId);
        if (before == null) {
            return;
        }
        List<String> changes = new ArrayList<>();
        if (before.hostname() != null && !before.hostname().equals(config().hostname())) {
            changes.add("hostname " + before.hostname() + " -> " + config().hostname());
        }
        if (before.port() != null && before.port() != config().port()) {
            changes.add("port " + before.port() + " -> " + config().port());
        }
        io.pangaea.model.Resources was = io.pangaea.model.Resources.of(before.resources() == null ? List.of()
                : before.resources());
        io.pangaea.model.Resources now = config().resources();
        boolean resourcesOk = policy.equals("equal") ? was.equals(now) : now.contains(was);
        if (!resourcesOk) {
            changes.add("resources " + was + " -> " + now);
        }
        List<io.pangaea.model.Attribute> wasAttrs = before.attributes() == null ? List.of() : before.attributes();
        List<io.pangaea.model.Attribute> nowAttrs = config().attributes();
        boolean attributesOk = policy.equals("equal")
                ? new java.util.HashSet<>(wasAttrs).equals(new java.util.HashSet<>(nowAttrs))
                : nowAttrs.containsAll(wasAttrs);
        if (!attributesOk) {
            changes.add("attributes " + names(wasAttrs) + " -> " + names(nowAttrs));
        }
        if (!changes.isEmpty()) {
            throw new RecoveryFailed("Agent " + ctx.agentId + " was started with other settings than it last ran"
                    + " with, which reconfiguration_policy=" + policy + " does not allow: " + String.join(", ",
                    changes) + ". Put them back, set reconfiguration_policy=additive if they only grew, or start"
                    + " with recover=cleanup to register as a new agent (every task is killed)");
        }
    }

    private static List<String> names(List<io.pangaea.model.Attribute> attributes) {
        return attributes.stream().map(a -> a.name() + ":" + a.plainValue()).toList();
    }

    /**
     * The default executor a checkpointed task of a group ran under, made again once per executor (with the group as
     * it was launched); null for a command task.
     */
    private ExecutorRun defaultExecutor(AgentCheckpoints.Checkpointed c, Map<ExecutorKey, ExecutorRun> made) {
        if (c.run() == null || c.run().executor() == null || !c.run().executor().isDefault()) {
            return null;
        }
        io.pangaea.model.ExecutorInfo info = c.run().executor();
        return made.computeIfAbsent(new ExecutorKey(c.framework().id(), info.executorId()), k -> {
            ContainerId cid = ContainerId.of(c.run().executorContainer());
            ExecutorRun e = new ExecutorRun(c.framework(), info, cid,
                    ctx.executorManager.executorSandbox(c.framework().id(), info.executorId(), cid));
            e.checkpointed = true;
            state.execute(() -> executors.put(k, e));
            return e;
        });
    }

    /** The group a default executor's task came in, rebuilt from the tasks checkpointed with it. */
    private static io.pangaea.model.TaskGroupInfo group(AgentCheckpoints.Checkpointed c,
                                                        Map<io.pangaea.model.TaskId, io.pangaea.model.TaskInfo> all) {
        if (c.run() == null || c.run().group() == null) {
            return null;
        }
        return new io.pangaea.model.TaskGroupInfo(c.run().group().stream().map(all::get)
                .filter(java.util.Objects::nonNull).toList());
    }

    /** Every checkpointed task's info by id, for rebuilding groups. */
    private Map<io.pangaea.model.TaskId, io.pangaea.model.TaskInfo> taskInfos;

    /**
     * Takes one checkpointed custom executor up again with its tasks: when its container still runs, the executor has
     * {@code executor_reregistration_timeout} to subscribe again; when it ended while the agent was down, its
     * unfinished tasks end as Mesos ends them (TASK_GONE, or TASK_LOST for a framework that is not
     * partition-aware). True when its container still runs.
     */
    private boolean recoverExecutor(AgentCheckpoints.CheckpointedExecutor c, long deadline) {
        AgentCheckpoints.RunInfo run = c.run();
        ExecutorRun e = new ExecutorRun(c.framework(), run.executor(), c.containerId(), Path.of(run.sandbox()));
        e.checkpointed = true;
        e.subscribed = false;
        io.pangaea.model.Resources size = io.pangaea.model.Resources.of(run.resources() == null ? List.of()
                : run.resources());
        e.size = size;
        List<TaskRun> runs = new ArrayList<>();
        Map<TaskRun, List<TaskStatus>> unacked = new java.util.LinkedHashMap<>();
        for (AgentCheckpoints.Checkpointed ct : c.tasks()) {
            TaskRun t = new TaskRun(c.framework().id(), ct.task(), e.sandbox, e.containerId, e, null);
            t.delivered = true;
            unacked.put(t, restore(t, ct));
            runs.add(t);
        }
        Container recovered = find("executor " + e.info.executorId().value(), run.containerizer(),
                ctx.executorManager.executorSpec(e, run.containerizer(), run.isolation(), size, Map.of()), deadline)
                .container();
        boolean alive = recovered != null && !recovered.termination().toCompletableFuture().isDone();
        state.execute(() -> {
            frameworks.putIfAbsent(c.framework().id(), c.framework());
            executors.put(e.key(), e);
            for (TaskRun t : runs) {
                tasks.put(t.info.taskId(), t);
                e.tasks.put(t.info.taskId(), t);
                for (TaskStatus u : unacked.get(t)) {
                    ctx.updates.update(t.frameworkId, u); // sent again once the agent has registered
                }
            }
            if (recovered == null) {
                e.reason = TaskStatus.Reason.REASON_EXECUTOR_TERMINATED;
                e.reasonState = ExecutorManager.goneOrLost(e.framework);
                e.reasonMessage = "The executor's container could not be recovered after the agent restarted";
                ctx.executorManager.executorEnded(e, null, null, null);
                return;
            }
            if (!alive) {
                e.reason = TaskStatus.Reason.REASON_EXECUTOR_TERMINATED;
                e.reasonState = ExecutorManager.goneOrLost(e.framework);
                e.reasonMessage = "The executor ended while the agent was down";
            }
            ctx.executorManager.executorLaunched(e, recovered);
            if (alive) {
                ctx.executorManager.awaitReregistration(e);
            }
        });
        return alive;
    }

    /** A task's statuses from its journal; returns those never acknowledged. */
    private static List<TaskStatus> restore(TaskRun t, AgentCheckpoints.Checkpointed c) {
        t.checkpointed = true;
        t.statuses.addAll(c.updates());
        if (!c.updates().isEmpty()) {
            t.state = c.updates().get(c.updates().size() - 1).state();
        }
        List<TaskStatus> unacknowledged = new ArrayList<>();
        for (TaskStatus u : c.updates()) {
            if (u.uuid() != null && !c.acknowledged().contains(u.uuid())) {
                unacknowledged.add(u);
            }
        }
        return unacknowledged;
    }

    /** Takes one checkpointed task up again; true when its container still runs. */
    private boolean recoverTask(AgentCheckpoints.Checkpointed c, ExecutorRun executor, long deadline) {
        TaskRun t = new TaskRun(c.framework().id(), c.task(), c.run() == null ? c.runDir() : Path.of(c.run()
                .sandbox()), c.containerId(), executor, executor == null ? null : group(c, taskInfos));
        List<TaskStatus> unacknowledged = restore(t, c);
        boolean terminal = t.state.isTerminal();
        if (terminal && unacknowledged.isEmpty()) {
            // done with before the restart, all but forgotten
            ctx.checkpoints.removeTask(t);
            ctx.checkpoints.removeRuntimeDir(t.containerId);
            return false;
        }
        Container container = null;
        String failure = null;
        boolean notFound = false;
        if (!terminal && c.run() == null) {
            failure = "its executor's run left no information";
            errors.add("task " + t.info.taskId().value() + ": " + failure);
        } else if (!terminal) {
            String kind = c.run().containerizer();
            Found found = find("task " + t.info.taskId().value(), kind,
                    ctx.launcher.spec(t, kind, c.run().isolation(), Map.of()), deadline);
            container = found.container();
            failure = found.failure();
            notFound = found.notFound();
        }
        Container recovered = container;
        String why = failure;
        boolean neverLaunched = notFound;
        state.execute(() -> {
            frameworks.putIfAbsent(c.framework().id(), c.framework());
            tasks.put(t.info.taskId(), t);
            if (executor != null) {
                executor.tasks.put(t.info.taskId(), t);
            }
            for (TaskStatus u : unacknowledged) {
                ctx.updates.update(t.frameworkId, u); // sent again once the agent has registered
            }
            if (recovered != null) {
                t.container = recovered;
                if (t.state == TaskState.TASK_STAGING || t.state == TaskState.TASK_STARTING) {
                    // the agent went down between the launch and its TASK_RUNNING
                    ctx.statuses.send(t, TaskState.TASK_RUNNING, null, null);
                }
                recovered.termination().whenComplete((term, err) -> state.execute(() ->
                        ctx.launcher.ended(t, term, err)));
            } else if (neverLaunched && !t.state.isTerminal()) {
                ctx.statuses.terminal(t, ExecutorManager.goneOrLost(c.framework()), "The agent stopped while"
                        + " launching the task's container; the task did not run on",
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED);
            } else if (!t.state.isTerminal()) {
                ctx.statuses.terminal(t, TaskState.TASK_FAILED, "The task's container could not be recovered after"
                        + " the agent restarted: " + why, TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
            }
        });
        return recovered != null && !recovered.termination().toCompletableFuture().isDone();
    }

    /** What recovery found of a container: it, or why not (null when its launch was not seen through). */
    private record Found(Container container, String failure, boolean notFound) {}

    /**
     * Recovers the container {@code what} (a task's or an executor's) ran in with containerizer {@code kind}. A
     * failure is logged and counted as a recovery error; a container whose launch the agent did not see through is
     * not an error: it is left to the orphan sweep.
     */
    private Found find(String what, String kind, ContainerSpec spec, long deadline) {
        Containerizer z = await(kind, deadline);
        String failure;
        if (z == null) {
            failure = "containerizer '" + kind + "' is not installed";
        } else {
            try {
                return new Found(recoverContainer(z, spec, deadline), null, false);
            } catch (io.pangaea.agent.spi.ContainerNotFoundException e) {
                LOG.info("{}: the agent stopped while launching its container: {}", what, e.getMessage());
                halfLaunched.add(spec.containerId());
                return new Found(null, null, true);
            } catch (ContainerException | RuntimeException e) {
                failure = e.getMessage();
                LOG.warn("{}: its container {} could not be recovered: {}", what, spec.containerId().value(),
                        e.toString());
            }
        }
        errors.add(what + ": " + failure);
        return new Found(null, failure, false);
    }

    /** Recovers, waiting (within the deadline) for isolators that Karaf has not started yet. */
    private static Container recoverContainer(Containerizer z, ContainerSpec spec, long deadline)
            throws ContainerException {
        while (true) {
            try {
                return z.recover(spec);
            } catch (ContainerException e) {
                if (!e.getMessage().contains("is not installed") || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
            }
        }
    }

    /** The containerizer {@code name}, waiting (within the deadline) for its bundle to start. */
    private Containerizer await(String name, long deadline) {
        while (true) {
            Containerizer z = containerizers.apply(name);
            if (z != null || System.nanoTime() > deadline) {
                return z;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    /**
     * Every container an earlier run left that no checkpoint names goes: the tasks of frameworks that do not
     * checkpoint (their supervisors kill them when the agent's process ends, and what is left is cleaned here), and
     * whatever a crash left half launched.
     */
    private void destroyOrphans(Set<ContainerId> known, long deadline) {
        Path root = ctx.checkpoints.runtimeRoot();
        boolean anything;
        try (var s = Files.isDirectory(root) ? Files.list(root) : java.util.stream.Stream.<Path>empty()) {
            anything = s.anyMatch(d -> Files.isDirectory(d)
                    && !known.contains(ContainerId.of(d.getFileName().toString())));
        } catch (java.io.IOException e) {
            LOG.warn("Cannot list {}: {}", root, e.toString());
            return;
        }
        // a Docker container may be left without a runtime directory (a crash between its creation and the
        // directory's): the engine is asked whenever Docker is enabled
        if (!anything && !config().containerizers().contains("docker")) {
            return;
        }
        int destroyed = 0;
        for (String name : TaskLauncher.RECOVERABLE) {
            if (!config().containerizers().contains(name)) {
                continue; // not enabled here: nothing of it is waited for
            }
            Containerizer z = await(name, deadline);
            if (z == null) {
                LOG.warn("Containers of an earlier run are left in {}: containerizer '{}' is not installed", root,
                        name);
                continue;
            }
            destroyed += z.destroyOrphans(root, known);
        }
        if (destroyed > 0) {
            LOG.info("Destroyed {} container(s) that an earlier run of the agent left", destroyed);
        }
    }
}
