package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.ExecutorEntry;
import io.pangaea.master.internal.MasterState.ExecutorKey;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executors the master launched tasks under, per agent: their cost (charged once per agent), adoption into the
 * book, their exit (resources back, FAILURE to the framework), SHUTDOWN, and the messages between frameworks and
 * executors. Owns {@code agent.executors}.
 * Must not touch: tasks (their resources are {@link Tasks}'s) or offers.
 */
final class Executors extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Executors.class);

    Executors(MasterContext ctx) {
        super(ctx);
    }

    /**
     * The resources a task's executor costs on top of the task's: its own the first time it is launched on the
     * agent (it is then recorded), nothing while it runs there.
     */
    static Resources executorCost(AgentEntry agent, ExecutorInfo executor, String role) {
        ExecutorKey key = new ExecutorKey(executor.frameworkId(), executor.executorId());
        if (agent.executors.containsKey(key) || executor.resources() == null) {
            return Resources.EMPTY;
        }
        return Resources.allocated(executor.resources(), role);
    }

    /** Records the executor on the agent unless it runs there already; returns what it newly uses. */
    Resources addExecutor(AgentEntry agent, ExecutorInfo executor, String role) {
        Resources cost = executorCost(agent, executor, role);
        ExecutorKey key = new ExecutorKey(executor.frameworkId(), executor.executorId());
        if (!agent.executors.containsKey(key)) {
            agent.executors.put(key, new ExecutorEntry(executor, agent.id, role, cost));
        }
        return cost;
    }

    /** Forgets an executor and gives back what it used. */
    void removeExecutor(AgentEntry agent, ExecutorEntry e) {
        agent.executors.remove(e.key());
        if (!e.resourcesRecovered) {
            e.resourcesRecovered = true;
            FrameworkEntry fw = state.frameworks.get(e.info.frameworkId());
            if (fw != null) {
                fw.release(e.role, e.resources);
            }
            agent.setAvailable(agent.available().plus(e.resources.unallocated()));
            ctx.allocation.requestAllocation();
        }
    }

    /** A framework's message for an executor goes to the executor's agent, if it is connected. */
    void frameworkMessage(FrameworkEntry fw, Call.Message message) {
        AgentEntry agent = state.agents.get(message.agentId());
        if (agent == null || !agent.connected()) {
            metrics.inc("invalid_framework_to_executor_messages");
            LOG.info("Dropping a message from framework {} for executor {}: agent {} is not connected", fw.id,
                    message.executorId(), message.agentId());
            return;
        }
        metrics.inc("valid_framework_to_executor_messages");
        ctx.agents.sendToAgent(agent, AgentEvent.message(new AgentEvent.Message(fw.id, message.executorId(), message.data())));
    }

    /** An executor's message, through its agent, for its framework (MESSAGE event). */
    void executorMessage(AgentId agentId, AgentCall.Message message) {
        metrics.inc("messages_executor_to_framework");
        FrameworkEntry fw = state.frameworks.get(message.frameworkId());
        if (!state.agents.containsKey(agentId) || fw == null || fw.stream == null) {
            metrics.inc("invalid_executor_to_framework_messages");
            LOG.info("Dropping a message from executor {} to framework {}: not connected",
                    message.executorId(), message.frameworkId());
            return;
        }
        metrics.inc("valid_executor_to_framework_messages");
        fw.stream.send(MesosJson.write(Event.message(new Event.Message(agentId, message.executorId(),
                message.data()))));
        MasterMetrics.inc(fw.counters, "events/message");
    }

    /** An executor ended on its agent: its resources come back and its framework gets a FAILURE event. */
    void executorExited(AgentId agentId, AgentCall.ExecutorExited exited) {
        metrics.inc("messages_exited_executor");
        AgentEntry agent = state.agents.get(agentId);
        ExecutorEntry e = agent == null ? null
                : agent.executors.get(new ExecutorKey(exited.frameworkId(), exited.executorId()));
        if (e == null) {
            return;
        }
        LOG.info("Executor {} of framework {} on agent {} exited with status {}", exited.executorId(),
                exited.frameworkId(), agentId, exited.status());
        removeExecutor(agent, e);
        FrameworkEntry fw = state.frameworks.get(exited.frameworkId());
        if (fw != null && fw.stream != null) {
            fw.stream.send(MesosJson.write(Event.failure(new Event.Failure(agentId, exited.executorId(),
                    exited.status()))));
            MasterMetrics.inc(fw.counters, "events/failure");
        }
    }

    void shutdownExecutor(FrameworkEntry fw, Call.Shutdown shutdown) {
        AgentEntry agent = state.agents.get(shutdown.agentId());
        if (agent != null && agent.executors.containsKey(new ExecutorKey(fw.id, shutdown.executorId()))) {
            if (agent.connected()) {
                ctx.agents.sendToAgent(agent, AgentEvent.shutdownExecutor(fw.id, shutdown.executorId()));
            }
            return;
        }
        // A command task's executor has the task's id: shutting it down kills the task.
        TaskEntry t = fw.tasks.get(TaskId.of(shutdown.executorId().value()));
        if (t != null) {
            ctx.tasks.kill(fw, new Call.Kill(t.info.taskId(), t.agentId, null));
        }
    }
}
