package io.pangaea.agent.internal;

import io.pangaea.agent.internal.Agent.ExecutorReply;
import io.pangaea.http.EventSink;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.json.MesosJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend of the v1 executor API ({@code POST /api/v1/executor}): SUBSCRIBE (the event stream, with the tasks
 * and updates a re-subscribing executor did not get acknowledged), UPDATE (an executor's status updates, checked and
 * recorded), MESSAGE and HEARTBEAT. Owns each executor's stream and heartbeat; launching and ending executors is
 * {@link ExecutorManager}'s.
 * Must not touch: containers; it records what an executor says and hands the rest to {@link ExecutorManager}.
 */
final class ExecutorApiBackend extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorApiBackend.class);

    ExecutorApiBackend(AgentContext ctx) {
        super(ctx);
    }

    /** The executor a call names, or the 400 saying what is unknown. */
    private Object lookup(FrameworkId f, ExecutorId id) {
        if (!frameworks.containsKey(f)) {
            return new ExecutorReply(400, "Framework '" + f.value() + "' is not known to this agent");
        }
        ExecutorRun e = executors.get(new ExecutorKey(f, id));
        if (e == null || e.builtin || e.ended) {
            return new ExecutorReply(400, "Executor '" + id.value() + "' of framework '" + f.value()
                    + "' is not known to this agent");
        }
        return e;
    }

    /**
     * SUBSCRIBE: the executor's event stream. {@code open} gives the stream once the call is accepted; it gets
     * SUBSCRIBED, then the tasks waiting for the executor. {@code unacknowledgedUpdates} (the executor's own
     * updates that were never acknowledged, after a reconnection) are taken as if sent again.
     */
    ExecutorReply subscribe(FrameworkId f, ExecutorId id, List<TaskId> unacknowledgedTasks,
                            List<TaskStatus> unacknowledgedUpdates, java.util.function.Supplier<EventSink> open) {
        Object found = lookup(f, id);
        if (found instanceof ExecutorReply r) {
            return r;
        }
        ExecutorRun e = (ExecutorRun) found;
        if (e.terminating) {
            return new ExecutorReply(403, "Executor '" + id.value() + "' is shutting down");
        }
        if (e.stream != null) {
            e.stream.close(); // a new connection replaces the old one
        }
        EventSink stream = open.get();
        e.stream = stream;
        e.subscribed = true;
        if (e.registrationTimer != null) {
            e.registrationTimer.cancel(false);
        }
        stream.onClose(() -> state.execute(() -> {
            if (e.stream == stream) {
                e.stream = null;
            }
        }));
        ObjectNode ev = ExecutorManager.executorEvent("SUBSCRIBED");
        ObjectNode sub = ev.putObject("subscribed");
        sub.set("executor_info", MesosJson.tree(e.info));
        sub.set("framework_info", MesosJson.tree(e.framework));
        sub.set("agent_info", MesosJson.tree(new AgentInfo(config().hostname(), config().port(),
                config().resources().toList(), ctx.link.attributes(), ctx.agentId)));
        sub.set("container_id", MesosJson.tree(e.containerId));
        stream.send(MesosJson.write(ev));
        for (TaskStatus u : unacknowledgedUpdates) {
            TaskRun t = tasks.get(u.taskId());
            if (t != null && t.executor == e) {
                t.delivered = true;
                acceptUpdate(e, t, u);
            }
        }
        for (TaskId tid : unacknowledgedTasks) {
            TaskRun t = tasks.get(tid);
            if (t != null && t.executor == e) {
                t.delivered = true;
                e.pending.remove(t);
            }
        }
        // tasks it was sent but does not know of any more (e.g. it restarted) are sent again
        for (TaskRun t : e.tasks.values()) {
            if (t.delivered && !t.state.isTerminal() && !unacknowledgedTasks.contains(t.info.taskId())
                    && t.state == TaskState.TASK_STAGING && !e.pending.contains(t)) {
                e.pending.add(t);
            }
        }
        ctx.executorManager.deliver(e);
        for (TaskRun t : e.tasks.values()) {
            if (t.killRequested && t.delivered && !t.state.isTerminal()) {
                ctx.executorManager.killOnExecutor(t, t.info.killPolicy());
            }
        }
        if (e.heartbeat != null) {
            e.heartbeat.cancel(false); // one heartbeat per executor, whichever connection it is on
        }
        e.heartbeat = state.scheduleAtFixedRate(() -> {
            if (e.stream != null) {
                e.stream.send(MesosJson.write(ExecutorManager.executorEvent("HEARTBEAT")));
            }
        }, 30, 30, TimeUnit.SECONDS);
        LOG.info("Executor {} of framework {} subscribed", id, f);
        return new ExecutorReply(200, "");
    }

    /** UPDATE: a status update of one of the executor's tasks, forwarded reliably to its framework. */
    ExecutorReply update(FrameworkId f, ExecutorId id, TaskStatus status) {
        Object found = lookup(f, id);
        if (found instanceof ExecutorReply r) {
            return r;
        }
        ExecutorRun e = (ExecutorRun) found;
        TaskRun t = tasks.get(status.taskId());
        if (t == null || t.executor != e) {
            count("invalid_status_updates");
            return new ExecutorReply(400, "Task '" + status.taskId().value() + "' is not a task of executor '"
                    + id.value() + "'");
        }
        return acceptUpdate(e, t, status);
    }

    ExecutorReply acceptUpdate(ExecutorRun e, TaskRun t, TaskStatus status) {
        if (t.statuses.stream().anyMatch(x -> status.uuid().equals(x.uuid()))) {
            return ExecutorReply.ACCEPTED; // sent again: the first one is on its way
        }
        if (t.state.isTerminal()) {
            count("invalid_status_updates");
            return new ExecutorReply(400, "Task '" + t.info.taskId().value() + "' is already " + t.state);
        }
        if (status.state().isTerminal()) {
            count("tasks_" + status.state().name().substring("TASK_".length()).toLowerCase(java.util.Locale.ROOT));
        }
        count("valid_status_updates");
        t.state = status.state();
        t.delivered = true;
        ctx.statuses.record(t, new TaskStatus(status.taskId(), status.state(), status.message(), TaskStatus.Source.SOURCE_EXECUTOR,
                status.reason(), status.data(), ctx.agentId, e.info.executorId(),
                status.timestamp() != null ? status.timestamp() : System.currentTimeMillis() / 1000.0,
                status.uuid(), status.healthy(), status.labels(), status.containerStatus() != null
                ? status.containerStatus() : new TaskStatus.ContainerStatus(e.containerId, List.of(
                        new TaskStatus.NetworkInfo(List.of(new TaskStatus.IpAddress("IPv4", config().ip())))),
                        e.container == null || e.container.pid() <= 0 ? null : (int) e.container.pid())));
        return ExecutorReply.ACCEPTED;
    }

    /** MESSAGE: the executor's message for its framework, through the master (not retried). */
    ExecutorReply message(FrameworkId f, ExecutorId id, String data) {
        Object found = lookup(f, id);
        if (found instanceof ExecutorReply r) {
            return r;
        }
        ctx.link.tellMaster(AgentCall.message(ctx.agentId, new AgentCall.Message(f, id, data)));
        return ExecutorReply.ACCEPTED;
    }

    /** HEARTBEAT: only checks that the executor is known. */
    ExecutorReply heartbeat(FrameworkId f, ExecutorId id) {
        return lookup(f, id) instanceof ExecutorReply r ? r : ExecutorReply.ACCEPTED;
    }
}
