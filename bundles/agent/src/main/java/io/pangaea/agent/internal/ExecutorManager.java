package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import io.pangaea.model.Durations;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Custom executors: starting one per framework and executor id in a container sized for it and its tasks,
 * the registration timeout, queueing tasks until it subscribes and delivering them, resizing it as tasks come and
 * go, KILL and MESSAGE through it, SHUTDOWN with its grace period, its end (its unfinished tasks fail, the master is
 * told), and shutting down a whole framework. Owns {@code executors}.
 * Must not touch: the executor API's streams beyond closing one that ends, or command tasks' containers except when
 * their framework is shut down.
 */
final class ExecutorManager extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorManager.class);

    ExecutorManager(AgentContext ctx) {
        super(ctx);
    }

    /** An executor event in Mesos JSON, {@code {"type": type}}, for the caller to fill in. */
    static ObjectNode executorEvent(String type) {
        ObjectNode n = MesosJson.mapper().createObjectNode();
        n.put("type", type);
        return n;
    }

    Path executorSandbox(FrameworkId framework, ExecutorId executor, ContainerId container) {
        return config().workDir().resolve("slaves").resolve(ctx.agentId.value()).resolve("frameworks")
                .resolve(framework.value()).resolve("executors").resolve(executor.value()).resolve("runs")
                .resolve(container.value());
    }

    /**
     * The running executor of that id, or a new one (a custom one is started). Null when one of that id is
     * shutting down: tasks for it fail.
     */
    ExecutorRun executorFor(FrameworkInfo framework, ExecutorInfo info, Resources firstTasks) {
        ExecutorKey key = new ExecutorKey(framework.id(), info.executorId());
        ExecutorRun e = executors.get(key);
        if (e != null) {
            return e.terminating ? null : e;
        }
        ContainerId containerId = ContainerId.of(UUID.randomUUID().toString());
        e = new ExecutorRun(framework, info.withFrameworkId(framework.id()), containerId,
                executorSandbox(framework.id(), info.executorId(), containerId));
        executors.put(key, e);
        if (e.builtin) {
            try {
                Files.createDirectories(e.sandbox);
            } catch (IOException x) {
                LOG.warn("Cannot create the sandbox of executor {}", info.executorId(), x);
            }
        } else {
            startExecutor(e, firstTasks);
        }
        return e;
    }

    /** LAUNCH of a task with a custom executor: queued until the executor subscribes, then sent to it. */
    void launchOnExecutor(FrameworkInfo framework, TaskInfo task) {
        if (tasks.containsKey(task.taskId())) {
            LOG.warn("Task {} is already on this agent; ignoring a second launch", task.taskId());
            return;
        }
        frameworks.put(framework.id(), framework);
        ExecutorRun e = executorFor(framework, task.executor(), Resources.of(task.resources()));
        if (e == null) {
            failForStoppingExecutor(framework, task, task.executor().executorId());
            return;
        }
        TaskRun t = new TaskRun(framework.id(), task, e.sandbox, e.containerId, e, null);
        tasks.put(task.taskId(), t);
        e.tasks.put(task.taskId(), t);
        checkpoint(e, t);
        e.pending.add(t);
        resize(e);
        deliver(e);
    }

    /** A task given to a checkpointed custom executor is journalled with it. */
    void checkpoint(ExecutorRun e, TaskRun t) {
        if (e.checkpointed && !e.builtin) {
            t.checkpointed = true;
            ctx.checkpoints.writeExecutorTask(t);
        }
    }

    /** A task for an executor that is shutting down fails at once. */
    void failForStoppingExecutor(FrameworkInfo framework, TaskInfo task, ExecutorId executor) {
        TaskRun t = new TaskRun(framework.id(), task, config().workDir(), ContainerId.of("none"));
        tasks.put(task.taskId(), t);
        ctx.statuses.terminal(t, TaskState.TASK_FAILED, "Executor " + executor.value() + " is shutting down",
                TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
    }

    /** Sends a subscribed custom executor what waits for it. */
    void deliver(ExecutorRun e) {
        if (!e.subscribed || e.stream == null) {
            return;
        }
        for (Object p : List.copyOf(e.pending)) {
            if (p instanceof TaskRun t) {
                if (!t.state.isTerminal()) {
                    ObjectNode ev = executorEvent("LAUNCH");
                    ev.putObject("launch").set("task", MesosJson.tree(t.info));
                    e.stream.send(MesosJson.write(ev));
                    t.delivered = true;
                }
            } else if (p instanceof TaskGroupInfo g) {
                List<TaskInfo> live = g.tasks().stream().filter(x -> {
                    TaskRun t = tasks.get(x.taskId());
                    return t != null && !t.state.isTerminal();
                }).toList();
                if (!live.isEmpty()) {
                    ObjectNode ev = executorEvent("LAUNCH_GROUP");
                    ev.putObject("launch_group").set("task_group", MesosJson.tree(new TaskGroupInfo(live)));
                    e.stream.send(MesosJson.write(ev));
                    live.forEach(x -> tasks.get(x.taskId()).delivered = true);
                }
            }
        }
        e.pending.clear();
    }

    /**
     * Gives a custom executor's container its own resources plus those of its live tasks, when that changed: it
     * grows as tasks are given to it and shrinks as they end, as Mesos's containerizer update does.
     */
    void resize(ExecutorRun e) {
        if (e.builtin || e.container == null || e.ended) {
            return;
        }
        Resources wanted = e.info.resources() == null ? Resources.EMPTY : Resources.of(e.info.resources());
        for (TaskRun t : e.tasks.values()) {
            if (!t.state.isTerminal() && t.info.resources() != null) {
                wanted = wanted.plus(Resources.of(t.info.resources()));
            }
        }
        if (wanted.equals(e.size)) {
            return;
        }
        e.size = wanted;
        Container c = e.container;
        Resources size = wanted;
        e.resizing = e.resizing.thenRunAsync(() -> {
            try {
                c.update(size);
                LOG.debug("Executor {} now has {}", e.info.executorId(), size);
            } catch (ContainerException | RuntimeException x) {
                LOG.warn("Could not resize executor {} to {}: {}", e.info.executorId(), size, x.getMessage());
            }
        }, workers);
    }

    /** The Mesos environment of a custom executor. */
    Map<String, String> executorEnvironment(ExecutorRun e) {
        Map<String, String> env = ctx.launcher.baseEnvironment(e.framework.id(), e.info.executorId(), e.containerId, e.sandbox);
        env.put("MESOS_SLAVE_PID", "slave(1)@" + config().ip() + ":" + config().port());
        env.put("MESOS_CHECKPOINT", Boolean.TRUE.equals(e.framework.checkpoint()) ? "1" : "0");
        env.put("MESOS_RECOVERY_TIMEOUT", io.pangaea.model.Durations.format(config().recovery().recoveryTimeout()));
        env.put("MESOS_HTTP_COMMAND_EXECUTOR", "0");
        // a restarted agent waits executor_reregistration_timeout for its executors: they retry four times as often
        env.put("MESOS_SUBSCRIPTION_BACKOFF_MAX", Durations.format(Duration.ofMillis(Math.max(100,
                config().executorReregistrationTimeout().toMillis() / 4))));
        env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", Durations.format(shutdownGrace(e)));
        if (ctx.tls.enabled()) {
            // as Mesos passes its LIBPROCESS_SSL_* on: the executor calls the agent over TLS, trusting its CA
            env.put("LIBPROCESS_SSL_ENABLED", "true");
            if (ctx.tls.caFile() != null && !ctx.tls.caFile().isBlank()) {
                env.put("LIBPROCESS_SSL_CA_FILE", ctx.tls.caFile());
            }
            if (ctx.tls.requireCert() && !ctx.tls.certFile().isBlank()) {
                // the agent wants a client certificate: its executors show the agent's own
                env.put("LIBPROCESS_SSL_CERT_FILE", ctx.tls.certFile());
                env.put("LIBPROCESS_SSL_KEY_FILE", ctx.tls.keyFile());
            }
        }
        io.pangaea.http.ExecutorTokens tokens = ctx.executorTokens;
        if (tokens != null) {
            env.put(io.pangaea.http.ExecutorTokens.ENVIRONMENT, tokens.issue(e.framework.id().value(),
                    e.info.executorId().value(), e.containerId.value()));
        }
        return TaskLauncher.withCommandEnvironment(env, e.info.command());
    }

    Duration shutdownGrace(ExecutorRun e) {
        return e.info.shutdownGracePeriod() != null ? e.info.shutdownGracePeriod().toDuration()
                : config().killGracePeriod();
    }

    /** Starts a custom executor's process; it has {@code executor_registration_timeout} to subscribe. */
    void startExecutor(ExecutorRun e, Resources firstTasks) {
        String kind = ctx.launcher.containerizerFor(e.info.container(), e.info.labels());
        Containerizer containerizer = config().containerizers().contains(kind) ? containerizers.apply(kind) : null;
        if (containerizer == null) {
            state.execute(() -> executorEnded(e, null, "Containerizer '" + kind + "' is not available on this agent",
                    TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
            return;
        }
        Resources resources = (e.info.resources() == null ? Resources.EMPTY : Resources.of(e.info.resources()))
                .plus(firstTasks);
        e.size = resources;
        // a checkpointing framework's executor outlives the agent where its containerizer can recover it
        e.checkpointed = Boolean.TRUE.equals(e.framework.checkpoint()) && TaskLauncher.RECOVERABLE.contains(kind);
        if (e.checkpointed) {
            try {
                ctx.checkpoints.writeExecutor(e, new AgentCheckpoints.RunInfo(kind, config().isolation(),
                        ctx.checkpoints.runtimeDir(e.containerId).toString(), e.sandbox.toString(), e.info, null, null,
                        resources.toList()));
            } catch (IOException x) {
                LOG.warn("Executor {}: cannot checkpoint it; it will not survive an agent restart",
                        e.info.executorId(), x);
                e.checkpointed = false;
            }
        }
        ContainerSpec spec = executorSpec(e, kind, config().isolation(), resources, executorEnvironment(e));
        Duration timeout = config().executorRegistrationTimeout();
        e.registrationTimer = state.schedule(() -> registrationTimedOut(e, timeout), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        workers.execute(() -> {
            try {
                Files.createDirectories(e.sandbox);
                if (!ctx.launcher.fetched(e.info.command(), e.sandbox, why -> state.execute(() -> executorEnded(e, null, why,
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED)))) {
                    return;
                }
                Container c = containerizer.launch(spec);
                state.execute(() -> executorLaunched(e, c));
            } catch (IOException | ContainerException | RuntimeException | LinkageError x) {
                String why = x instanceof ContainerException ? x.getMessage() : x.toString();
                state.execute(() -> executorEnded(e, null, "Failed to launch the executor: " + why,
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
            }
        });
    }

    /**
     * What a custom executor's container is launched (and, after a restart, recovered) with: its runtime directory
     * is under the agent's, so that an agent that crashed finds it at its next start.
     */
    ContainerSpec executorSpec(ExecutorRun e, String kind, List<String> isolation, Resources resources,
                               Map<String, String> environment) {
        return new ContainerSpec(e.containerId, e.info.command(), e.info.container(), e.sandbox, environment,
                resources, isolation, Map.of("io.pangaea.agent", String.valueOf(ctx.agentId),
                "io.pangaea.framework", e.framework.id().value(), "io.pangaea.executor", e.info.executorId().value()),
                ctx.checkpoints.runtimeDir(e.containerId), e.checkpointed);
    }

    /**
     * A checkpointed executor found again after the agent restarted: it has {@code executor_reregistration_timeout}
     * to subscribe again. If it does not, its container is destroyed and its unfinished tasks end as Mesos ends
     * them: TASK_GONE for a partition-aware framework, else TASK_LOST, with REASON_EXECUTOR_REREGISTRATION_TIMEOUT.
     */
    void awaitReregistration(ExecutorRun e) {
        Duration timeout = config().executorReregistrationTimeout();
        e.registrationTimer = state.schedule(() -> {
            if (e.subscribed || e.terminating || e.ended) {
                return;
            }
            LOG.info("Executor {} of framework {} did not subscribe again within {} after the agent restarted;"
                    + " destroying it", e.info.executorId(), e.framework.id(), Durations.format(timeout));
            e.terminating = true;
            e.reason = TaskStatus.Reason.REASON_EXECUTOR_REREGISTRATION_TIMEOUT;
            e.reasonState = goneOrLost(e.framework);
            e.reasonMessage = "Executor did not reregister within " + Durations.format(timeout);
            if (e.container != null) {
                e.container.kill(Duration.ZERO);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What a task whose fate the agent cannot know becomes: TASK_GONE if its framework is partition-aware. */
    static TaskState goneOrLost(FrameworkInfo framework) {
        return framework.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE) ? TaskState.TASK_GONE
                : TaskState.TASK_LOST;
    }

    void executorLaunched(ExecutorRun e, Container c) {
        e.container = c;
        resize(e); // tasks may have come while it started
        c.termination().whenComplete((term, err) -> state.execute(() -> executorEnded(e, term,
                err != null ? "Executor container ended abnormally: " + err : null, null)));
        if (e.ended || (e.terminating && e.stream == null)) {
            c.kill(Duration.ZERO);
        }
    }

    void registrationTimedOut(ExecutorRun e, Duration timeout) {
        if (e.subscribed || e.terminating || e.ended) {
            return;
        }
        LOG.info("Executor {} of framework {} did not subscribe within {}; destroying it", e.info.executorId(),
                e.framework.id(), timeout);
        e.terminating = true;
        e.reason = TaskStatus.Reason.REASON_EXECUTOR_REGISTRATION_TIMEOUT;
        e.reasonState = TaskState.TASK_FAILED;
        e.reasonMessage = "Executor did not register within " + Durations.format(timeout);
        if (e.container != null) {
            e.container.kill(Duration.ZERO);
        }
    }

    /**
     * Asks an executor to end: a custom one gets SHUTDOWN and its shutdown grace period before its container is
     * killed; the default one kills its tasks. Tasks it leaves unfinished end in {@code state}.
     */
    void shutdownExecutor(ExecutorRun e, TaskState state, String message, TaskStatus.Reason reason) {
        if (e.ended || e.terminating) {
            return;
        }
        e.terminating = true;
        e.reason = reason;
        e.reasonState = state;
        e.reasonMessage = message;
        if (e.builtin) {
            List<TaskRun> live = e.tasks.values().stream().filter(t -> !t.state.isTerminal()).toList();
            if (live.isEmpty()) {
                executorEnded(e, Termination.exited(0), null, null);
            }
            for (TaskRun t : live) {
                t.killRequested = true;
                t.killGrace = shutdownGrace(e);
                if (t.container != null) {
                    t.container.kill(t.killGrace);
                } else if (t.state == TaskState.TASK_STAGING) {
                    ctx.statuses.terminal(t, state, message, reason);
                }
            }
            return;
        }
        if (e.stream != null) {
            e.stream.send(MesosJson.write(executorEvent("SHUTDOWN")));
            e.shutdownTimer = this.state.schedule(() -> {
                if (!e.ended && e.container != null) {
                    LOG.info("Executor {} did not end within its grace period; killing it", e.info.executorId());
                    e.container.kill(Duration.ZERO);
                }
            }, shutdownGrace(e).toMillis(), TimeUnit.MILLISECONDS);
        } else if (e.container != null) {
            e.container.kill(Duration.ZERO);
        }
    }

    /**
     * An executor is gone (its process ended, failed to start, or the default executor ran out of tasks). Its
     * unfinished tasks fail, the master is told, and it is forgotten.
     */
    void executorEnded(ExecutorRun e, Termination term, String failure, TaskStatus.Reason failureReason) {
        if (e.ended) {
            return;
        }
        e.ended = true;
        ctx.checkpoints.removeRuntimeDir(e.containerId);
        if (e.checkpointed) {
            ctx.checkpoints.removeExecutor(e);
        }
        for (var f : new java.util.concurrent.ScheduledFuture<?>[] {e.registrationTimer, e.shutdownTimer,
                e.heartbeat}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        if (e.stream != null) {
            e.stream.close();
            e.stream = null;
        }
        count("executors_terminated");
        TaskState taskState = TaskState.TASK_FAILED;
        TaskStatus.Reason reason = TaskStatus.Reason.REASON_EXECUTOR_TERMINATED;
        String message;
        if (failure != null) {
            message = failure;
            reason = failureReason != null ? failureReason : reason;
        } else if (e.reason != null) {
            message = e.reasonMessage;
            reason = e.reason;
            taskState = e.reasonState != null ? e.reasonState : taskState;
        } else if (term != null && term.limitation() != null) {
            message = term.message();
            reason = term.limitation();
        } else {
            message = "Executor terminated" + (term == null ? "" : term.signal() != null
                    ? " by signal " + TaskLauncher.signalName(term.signal()) : " with status " + term.exitCode());
        }
        for (TaskRun t : List.copyOf(e.tasks.values())) {
            if (!t.state.isTerminal() && tasks.get(t.info.taskId()) == t) {
                ctx.statuses.terminal(t, taskState, message, reason);
            }
        }
        executors.remove(e.key());
        ctx.history.completed(e.framework.id(), new CompletedHistory.CompletedExecutor(e, null, e.completedTasks));
        ctx.history.completeIfIdle(e.framework.id());
        LOG.info("Executor {} of framework {} ended: {}", e.info.executorId(), e.framework.id(), message);
        Integer status = term == null ? null : term.signal() != null ? term.signal()
                : term.exitCode() == null ? null : term.exitCode() << 8;
        ctx.link.tellMaster(AgentCall.executorExited(ctx.agentId, new AgentCall.ExecutorExited(e.framework.id(),
                e.info.executorId(), status)));
    }

    /** A framework's message, delivered to its executor if it is subscribed (messages are not retried). */
    void frameworkMessage(AgentEvent.Message m) {
        ExecutorRun e = executors.get(new ExecutorKey(m.frameworkId(), m.executorId()));
        if (e == null || e.builtin || e.stream == null) {
            LOG.info("Dropping a message for executor {} of framework {}: it is not subscribed here",
                    m.executorId(), m.frameworkId());
            return;
        }
        ObjectNode ev = executorEvent("MESSAGE");
        ev.putObject("message").put("data", m.data());
        e.stream.send(MesosJson.write(ev));
    }

    /** KILL of a custom executor's task: the executor is asked, unless it never got the task. */
    void killOnExecutor(TaskRun t, KillPolicy policy) {
        ExecutorRun e = t.executor;
        if (!t.delivered) {
            e.pending.remove(t);
            ctx.statuses.terminal(t, TaskState.TASK_KILLED, "Task killed before it was delivered to its executor", null);
            return;
        }
        if (e.stream == null) {
            LOG.info("Kill of task {} waits for executor {} to subscribe again", t.info.taskId(), e.info.executorId());
            return;
        }
        ObjectNode ev = executorEvent("KILL");
        ObjectNode k = ev.putObject("kill");
        k.set("task_id", MesosJson.tree(t.info.taskId()));
        if (policy != null) {
            k.set("kill_policy", MesosJson.tree(policy));
        }
        e.stream.send(MesosJson.write(ev));
    }

    void shutdownFramework(FrameworkId framework) {
        ctx.updates.forget(framework);
        for (ExecutorRun e : List.copyOf(executors.values())) {
            if (e.framework.id().equals(framework)) {
                e.tasks.values().forEach(t -> t.killRequested = true);
                // what had ended stays on record even though its last updates will never be acknowledged
                e.tasks.values().stream().filter(t -> t.state.isTerminal()).forEach(t -> CompletedHistory.keepCompleted(e, t));
                e.tasks.clear();
                e.pending.clear();
                shutdownExecutor(e, TaskState.TASK_KILLED, "Framework shut down",
                        TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
            }
        }
        for (TaskRun t : List.copyOf(tasks.values())) {
            if (t.frameworkId.equals(framework)) {
                t.killRequested = true;
                if (t.container != null && !t.state.isTerminal()) {
                    t.container.kill(Duration.ZERO);
                }
                tasks.remove(t.info.taskId());
                if (t.checkpointed) {
                    // a framework that is gone gets no more updates: nothing of it is to be recovered
                    ctx.checkpoints.removeTask(t);
                    t.checkpointed = false;
                }
                if (t.executor == null) {
                    ctx.history.completed(framework, new CompletedHistory.CompletedExecutor(null, t, List.of(t)));
                }
                if (t.container != null) {
                    // keep the container reachable until it is gone, so nothing is left behind
                    t.container.termination().whenComplete((x, e) -> {
                        LOG.debug("Task {} of removed framework {} ended", t.info.taskId(), framework);
                        ctx.checkpoints.removeRuntimeDir(t.containerId);
                    });
                }
            }
        }
        ctx.history.complete(framework);
    }
}
