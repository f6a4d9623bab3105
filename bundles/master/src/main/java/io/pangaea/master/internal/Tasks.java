package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks: status updates from agents (recorded, counted and forwarded), acknowledgements, KILL, explicit and
 * implicit reconciliation, the master's own statuses (lost, unreachable, gone) and completion into the framework's
 * history with its resources given back. Owns the task entries' state; launching them is {@link Accepts}'s.
 * Must not touch: offers or filters; of agents and frameworks it changes only what a task gives back.
 */
final class Tasks extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Tasks.class);

    Tasks(MasterContext ctx) {
        super(ctx);
    }

    void kill(FrameworkEntry fw, Call.Kill kill) {
        TaskEntry t = fw.tasks.get(kill.taskId());
        AgentEntry agent = t == null ? null : state.agents.get(t.agentId);
        if (t == null || agent == null) {
            // Mesos answers a kill of an unknown task with a reconciliation of that task.
            reconcile(fw, new Call.Reconcile(List.of(new Call.Reconcile.ReconcileTask(kill.taskId(),
                    kill.agentId()))));
            return;
        }
        if (!agent.connected()) {
            LOG.info("Kill of task {} waits for agent {} to reconnect", kill.taskId(), agent.id);
            return;
        }
        ctx.agents.sendToAgent(agent, AgentEvent.kill(new AgentEvent.Kill(fw.id, kill.taskId(),
                kill.killPolicy() != null ? kill.killPolicy() : t.info.killPolicy())));
    }

    void acknowledge(FrameworkEntry fw, Call.Acknowledge ack) {
        TaskEntry t = fw.tasks.get(ack.taskId());
        AgentEntry agent = state.agents.get(ack.agentId());
        metrics.inc(agent != null ? "valid_status_update_acknowledgements" : "invalid_status_update_acknowledgements");
        if (t != null && ack.uuid().equals(t.statusUpdateUuid) && t.statusUpdateState != null
                && t.statusUpdateState.isTerminal()) {
            recoverTaskResources(t);
            completeTask(fw, t);
        }
        if (agent != null && agent.connected()) {
            ctx.agents.sendToAgent(agent, io.pangaea.model.json.AgentEventsJson.acknowledge(fw.id, ack.taskId(),
                    ack.uuid()));
        }
    }

    void reconcile(FrameworkEntry fw, Call.Reconcile reconcile) {
        double now = Master.now();
        if (reconcile.tasks() == null || reconcile.tasks().isEmpty()) {
            for (TaskEntry t : fw.tasks.values()) {
                sendUpdate(fw, latestStatus(t).forReconciliation(now));
            }
            return;
        }
        boolean partitionAware = fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE);
        for (Call.Reconcile.ReconcileTask rt : reconcile.tasks()) {
            TaskEntry t = fw.tasks.get(rt.taskId());
            if (t != null) {
                sendUpdate(fw, latestStatus(t).forReconciliation(now));
                continue;
            }
            TaskEntry done = fw.completedTasks.get(rt.taskId());
            if (done != null) {
                sendUpdate(fw, latestStatus(done).forReconciliation(now));
                continue;
            }
            // unknown task: the answer depends on what the master knows of the agent named
            AgentEntry agent = rt.agentId() == null ? null : state.agents.get(rt.agentId());
            TaskState answer;
            String message;
            if (rt.agentId() != null && state.goneAgents.contains(rt.agentId())) {
                answer = TaskState.TASK_GONE_BY_OPERATOR;
                message = "Reconciliation: Task is gone";
            } else if (rt.agentId() != null && agent == null && state.recoveredAgents.containsKey(rt.agentId())) {
                continue; // admitted before this master was elected: it will report the task, or be unreachable
            } else if ((agent != null && agent.unreachableTime != null) || (agent == null && rt.agentId() != null
                    && registry.unreachableAgents().containsKey(rt.agentId().value()))) {
                answer = TaskState.TASK_UNREACHABLE;
                message = "Reconciliation: Task is unreachable";
            } else if (agent != null && agent.connected()) {
                answer = TaskState.TASK_GONE;
                message = "Reconciliation: Task is unknown to the agent";
            } else if (agent != null) {
                continue; // the agent is reconnecting: it will report the task, or the master will say it is lost
            } else {
                answer = TaskState.TASK_UNKNOWN;
                message = "Reconciliation: Task is unknown";
            }
            TaskStatus s = new TaskStatus(rt.taskId(), partitionAware ? answer : TaskState.TASK_LOST, message,
                    TaskStatus.Source.SOURCE_MASTER, TaskStatus.Reason.REASON_RECONCILIATION, null, rt.agentId(),
                    null, now, null, null, null, null);
            sendUpdate(fw, s);
        }
    }

    TaskStatus latestStatus(TaskEntry t) {
        if (t.latestStatus != null) {
            TaskStatus s = t.latestStatus;
            return new TaskStatus(s.taskId(), t.state(), s.message(), s.source(), s.reason(), s.data(), t.agentId,
                    s.executorId(), s.timestamp(), null, s.healthy(), s.labels(), s.containerStatus());
        }
        return masterStatus(t, t.state(), null, null);
    }

    TaskStatus masterStatus(TaskEntry t, TaskState s, String message, TaskStatus.Reason reason) {
        return masterStatusFor(t.info.taskId(), t.agentId, s, message, reason);
    }

    static TaskStatus masterStatusFor(TaskId task, AgentId agent, TaskState s, String message,
                                              TaskStatus.Reason reason) {
        return new TaskStatus(task, s, message, TaskStatus.Source.SOURCE_MASTER, reason, null, agent, null, Master.now(),
                null, null, null, null);
    }

    void sendUpdate(FrameworkEntry fw, TaskStatus status) {
        if (fw.stream != null) {
            fw.stream.send(MesosJson.write(Event.update(status)));
            MasterMetrics.inc(fw.counters, "events/update");
        }
        if (status.reason() != TaskStatus.Reason.REASON_RECONCILIATION) {
            ctx.events.taskUpdated(fw, status);
        }
    }

    void completeTask(FrameworkEntry fw, TaskEntry t) {
        fw.tasks.remove(t.info.taskId());
        AgentEntry agent = state.agents.get(t.agentId);
        if (agent != null) {
            agent.tasks.remove(t.key());
        }
        fw.completedTasks.add(t, config().maxCompletedTasksPerFramework());
    }

    void recoverTaskResources(TaskEntry t) {
        if (t.resourcesRecovered) {
            return;
        }
        t.resourcesRecovered = true;
        FrameworkEntry fw = state.frameworks.get(t.frameworkId);
        if (fw != null) {
            fw.release(t.role, t.resources);
        }
        AgentEntry agent = state.agents.get(t.agentId);
        if (agent != null) {
            agent.setAvailable(agent.available().plus(t.resources.unallocated()));
        }
        ctx.allocation.requestAllocation();
    }

    /**
     * The master itself moves a task to {@code to} (unreachable, lost, gone) and tells its framework. Resources
     * are released; a terminal task is completed.
     */
    void endTask(FrameworkEntry fw, TaskEntry t, TaskState to, String message, TaskStatus.Reason reason) {
        if (!t.state().isTerminal() && to.isTerminal()) {
            metrics.terminal(to);
            if (fw != null) {
                MasterMetrics.inc(fw.counters, "tasks/terminal/" + to.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        t.setState(to);
        TaskStatus status = masterStatus(t, to, message, reason);
        t.statuses.add(status);
        t.latestStatus = status;
        recoverTaskResources(t);
        if (fw != null) {
            sendUpdate(fw, status);
            if (to.isTerminal()) {
                completeTask(fw, t);
            }
        }
    }

    /** A status update from an agent, to record and forward to its framework. */
    void agentUpdate(AgentCall.Update u) {
        TaskStatus status = u.status();
        metrics.inc("messages_status_update");
        FrameworkEntry fw = state.frameworks.get(u.frameworkId());
        if (fw == null) {
            metrics.inc("invalid_status_updates");
            LOG.debug("Dropping update for task {} of unknown framework {}", status.taskId(), u.frameworkId());
            return;
        }
        TaskEntry t = fw.tasks.get(status.taskId());
        if (t == null) {
            t = fw.completedTasks.get(status.taskId());
        }
        if (t != null) {
            TaskState latest = u.latestState() != null ? u.latestState() : status.state();
            if (!t.state().isTerminal() && latest.isTerminal()) {
                metrics.terminal(latest);
                MasterMetrics.inc(fw.counters, "tasks/terminal/" + latest.name().toLowerCase(java.util.Locale.ROOT));
            }
            if (!t.state().isTerminal() || latest.isTerminal()) {
                t.setState(latest);
            }
            if (t.statuses.stream().noneMatch(s -> status.uuid() != null && status.uuid().equals(s.uuid()))) {
                t.statuses.add(status);
            }
            t.statusUpdateState = status.state();
            t.statusUpdateUuid = status.uuid();
            t.latestStatus = status;
            if (latest.isTerminal()) {
                recoverTaskResources(t);
            }
        }
        metrics.inc(t != null ? "valid_status_updates" : "invalid_status_updates");
        sendUpdate(fw, status);
        AgentEntry from = t == null ? null : state.agents.get(t.agentId);
        if (from != null) {
            ctx.maintenance.checkDrained(from);
        }
    }
}
