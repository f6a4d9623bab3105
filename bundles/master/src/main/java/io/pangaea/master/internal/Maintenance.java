package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.OfferId;
import io.pangaea.model.agentproto.AgentEvent;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance of agents by the operator: DEACTIVATE_AGENT and REACTIVATE_AGENT, DRAIN_AGENT (kill every task with
 * the drain's grace period, DRAINED once none is left, then gone if asked). Owns each agent's deactivated flag and
 * drain state.
 * Must not touch: the maintenance schedule ({@link MaintenanceSchedule}'s) or tasks other than by asking the agent to
 * kill them.
 */
final class Maintenance extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);

    Maintenance(MasterContext ctx) {
        super(ctx);
    }

    /**
     * DEACTIVATE_AGENT (true) or REACTIVATE_AGENT (false): offers from the agent stop (outstanding ones are
     * rescinded) or resume; reactivation also ends a drain. False when the agent is unknown.
     */
    boolean setAgentActive(AgentId id, boolean active) {
        AgentEntry agent = state.agents.get(id);
        if (agent == null) {
            return false;
        }
        LOG.info("Agent {} {}", id, active ? "reactivated" : "deactivated");
        agent.setDeactivated(!active);
        if (active) {
            agent.drainState = null;
            agent.drain = null;
        } else {
            for (OfferId o : List.copyOf(agent.offers)) {
                ctx.offers.removeOffer(o, true, false);
            }
        }
        ctx.allocation.requestAllocation();
        return true;
    }

    /** DRAIN_AGENT: deactivates the agent and kills its tasks; DRAINED once none is left. */
    boolean drainAgent(io.pangaea.model.operator.OperatorCall.DrainAgent drain) {
        AgentEntry agent = state.agents.get(drain.agentId());
        if (agent == null) {
            return false;
        }
        LOG.info("Draining agent {}", agent.id);
        agent.setDeactivated(true);
        agent.drainState = "DRAINING";
        agent.drain = drain;
        for (OfferId o : List.copyOf(agent.offers)) {
            ctx.offers.removeOffer(o, true, false);
        }
        io.pangaea.model.KillPolicy policy = drain.maxGracePeriod() == null ? null
                : new io.pangaea.model.KillPolicy(new io.pangaea.model.DurationInfo(
                drain.maxGracePeriod().toNanos()));
        for (TaskEntry t : List.copyOf(agent.tasks.values())) {
            if (!t.state().isTerminal()) {
                io.pangaea.model.KillPolicy p = policy;
                if (p == null || (t.info.killPolicy() != null && t.info.killPolicy().gracePeriod() != null
                        && t.info.killPolicy().gracePeriod().nanoseconds()
                        < p.gracePeriod().nanoseconds())) {
                    p = t.info.killPolicy(); // the task's own grace period when it is shorter
                }
                ctx.agents.sendToAgent(agent, AgentEvent.kill(new AgentEvent.Kill(t.frameworkId, t.info.taskId(), p)));
            }
        }
        checkDrained(agent);
        return true;
    }

    void checkDrained(AgentEntry agent) {
        if (!"DRAINING".equals(agent.drainState)
                || agent.tasks.values().stream().anyMatch(t -> !t.state().isTerminal())) {
            return;
        }
        agent.drainState = "DRAINED";
        LOG.info("Agent {} is drained", agent.id);
        if (agent.drain != null && Boolean.TRUE.equals(agent.drain.markGone())) {
            ctx.agents.markAgentGone(agent.id);
        }
    }
}
