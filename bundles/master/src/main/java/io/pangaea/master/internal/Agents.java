package io.pangaea.master.internal;

import io.pangaea.http.EventSink;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.ExecutorEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Durations;
import io.pangaea.model.Attribute;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.OfferId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents: registration and re-registration (ids, total resources with the registry's reservations), the
 * health check (PING and PONG), attribute updates, disconnection, the unreachable timeout, MARK_AGENT_GONE and
 * removal, and the channel to each agent. Owns {@code state.agents} and {@code state.goneAgents}; what a re-registering agent reports
 * is reconciled by {@link AgentReconciliation}, and drain and deactivation are {@link Maintenance}'s.
 * Must not touch: the framework table or offers other than through {@link Offers}.
 */
final class Agents extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Agents.class);

    private long nextAgentNumber;
    private final RegisteredEvent registered = new RegisteredEvent();

    Agents(MasterContext ctx) {
        super(ctx);
    }

    /** The agent that registered last at each address ({@code hostname|ip|port}); entries may be stale. */
    private final java.util.Map<String, AgentEntry> byAddress = new java.util.HashMap<>();

    /**
     * At the start of a master (a new leader): the agents the registry admitted are expected back. Each has
     * {@code agent_reregister_timeout} to re-register; those that do not are then marked unreachable in the
     * registry, unless they are more than {@code recovery_agent_removal_limit} of them. Gone agents stay gone.
     */
    void recoverFromRegistry() {
        registry.goneAgents().forEach(id -> state.goneAgents.add(AgentId.of(id)));
        for (Registry.AgentRecord a : registry.admittedAgents()) {
            state.recoveredAgents.put(AgentId.of(a.id()), a);
        }
        if (state.recoveredAgents.isEmpty()) {
            return;
        }
        int expected = state.recoveredAgents.size();
        LOG.info("Waiting up to {} for the {} agent(s) the registry admitted to re-register (and {} unreachable)",
                Durations.format(config().agentReregisterTimeout()), expected, registry.unreachableAgents().size());
        loop.schedule(() -> recoveredAgentsTimedOut(expected), config().agentReregisterTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void recoveredAgentsTimedOut(int expected) {
        if (state.recoveredAgents.isEmpty()) {
            return;
        }
        int missing = state.recoveredAgents.size();
        double share = (double) missing / expected;
        if (!config().mayMarkUnreachableAfterFailover(missing, expected)) {
            // too many to be a few broken machines: the master itself is more likely cut off from them
            LOG.error("{} of the {} agents admitted before this master was elected did not re-register within {}:"
                    + " {}% is above recovery_agent_removal_limit={}%; none is marked unreachable. Check this"
                    + " master's network; raise the limit to have them marked", missing, expected,
                    Durations.format(config().agentReregisterTimeout()), Math.round(share * 100),
                    Math.round(config().recoveryAgentRemovalLimit() * 100));
            return;
        }
        double now = Master.now();
        for (AgentId id : List.copyOf(state.recoveredAgents.keySet())) {
            state.recoveredAgents.remove(id);
            registry.markAgentUnreachable(id.value(), now);
            metrics.inc("recovery_slave_removals");
            metrics.inc("slave_unreachable_completed");
            LOG.warn("Agent {} did not re-register within {} of this master's election: marked unreachable", id,
                    Durations.format(config().agentReregisterTimeout()));
        }
    }

    void subscribe(AgentCall.Subscribe sub, EventSink stream) {
        AgentInfo info = sub.agentInfo();
        AgentId id = info.id();
        if (id != null && state.goneAgents.contains(id)) {
            LOG.info("Agent {} was marked gone; refusing its registration", id);
            stream.send(MesosJson.write(AgentEvent.error("Agent " + id + " has been marked gone")));
            stream.close();
            return;
        }
        String ip = sub.address() != null && sub.address().ip() != null && !sub.address().ip().isBlank()
                ? sub.address().ip() : info.hostname();
        if (ctx.schedule.isDown(info.hostname(), ip)) {
            LOG.info("Agent {} at {} is on a machine that is down for maintenance; refusing its registration", id,
                    info.hostname());
            stream.send(MesosJson.write(AgentEvent.error("Agent is on a machine that is down for maintenance")));
            stream.close();
            return;
        }
        AgentEntry agent = id == null ? null : state.agents.get(id);
        boolean known = agent != null;
        if (id == null) {
            id = AgentId.of(ctx.masterId + "-S" + nextAgentNumber++);
        }
        if (agent == null) {
            replacedAtSameAddress(id, info.hostname(), ip, info.port());
            agent = new AgentEntry(id, state.agentViews);
            agent.registeredTime = Master.now();
            state.agents.put(id, agent);
            state.agentViews.membershipChanged();
        } else {
            if (agent.stream != null) {
                agent.stream.close();
            }
            stopPings(agent);
            for (OfferId o : List.copyOf(agent.offers)) {
                ctx.offers.removeOffer(o, true, false);
            }
            agent.reregisteredTime = Master.now();
        }
        if (agent.unreachableTimer != null) {
            if (agent.unreachableTime == null && agent.unreachableTimer.cancel(false)) {
                metrics.inc("slave_unreachable_canceled");
            }
            agent.unreachableTimer = null;
        }
        if (agent.unreachableTime != null) {
            LOG.info("Unreachable agent {} is back", id);
            agent.unreachableTime = null;
        }
        agent.setInfo(info.withId(id));
        agent.ip = ip;
        byAddress.put(info.hostname() + "|" + ip + "|" + info.port(), agent);
        state.recoveredAgents.remove(id);
        registry.admitAgent(new Registry.AgentRecord(id.value(), info.hostname(), info.port()));
        agent.setTotal(registry.applyReservations(id.value(), Resources.of(info.resources())));
        agent.version = sub.version();
        agent.stream = stream;
        agent.setConnected(true);
        if (!ctx.quiet) {
            LOG.info("Agent {} at {}:{} {} with {}", id, info.hostname(), info.port(),
                    known ? "re-registered" : (info.id() != null ? "registered with its previous id" : "registered"),
                    agent.total());
        }
        ctx.reconciliation.reconcileAgentTasks(agent, sub);
        AgentEntry subscribed = agent;
        if (!known) {
            ctx.events.publish("AGENT_ADDED", "agent", () -> views().agent(subscribed));
        }
        metrics.inc(info.id() == null ? "messages_register_slave" : "messages_reregister_slave");
        metrics.inc(known || info.id() != null ? "slave_reregistrations" : "slave_registrations");
        stream.onClose(() -> loop.execute(() -> agentDisconnected(subscribed, stream)));
        stream.send(registered.encode(id, ctx.masterInfo, config().heartbeatInterval().toMillis() / 1000.0,
                config().agentUnreachableTimeout().toMillis() / 1000.0));
        startPings(subscribed);
        ctx.allocation.requestAllocation();
    }

    /**
     * A new agent registered at the address (hostname, IP and port) of one the master has under another id: that agent restarted as a new
     * one (its machine rebooted, or it was started with recover=cleanup), so nothing of it runs any more. It is
     * removed, as Mesos removes it, and its tasks end TASK_GONE (TASK_LOST for frameworks that are not
     * partition-aware) with REASON_AGENT_RESTARTED.
     */
    private void replacedAtSameAddress(AgentId id, String hostname, String ip, Integer port) {
        // the agent last registered at this address, if any: a look-up rather than a scan of every agent, which made
        // registering n agents cost n^2 / 2 comparisons
        String address = hostname + "|" + ip + "|" + port;
        AgentEntry last = byAddress.put(address, null);
        List<AgentEntry> candidates = last == null || state.agents.get(last.id) != last ? List.of() : List.of(last);
        for (AgentEntry old : candidates) {
            if (old.id.equals(id) || old.info() == null || port == null || !port.equals(old.info().port())
                    || !java.util.Objects.equals(old.ip, ip) || !java.util.Objects.equals(old.info().hostname(),
                    hostname)) {
                continue;
            }
            LOG.info("Agent {} at {}:{} is replaced by new agent {} at the same address; removing it", old.id, ip,
                    port, id);
            String why = "Agent " + old.info().hostname() + " restarted as a new agent";
            for (TaskEntry t : List.copyOf(old.tasks.values())) {
                if (!t.state().isTerminal() || t.state() == TaskState.TASK_UNREACHABLE) {
                    FrameworkEntry fw = state.frameworks.get(t.frameworkId);
                    boolean pa = fw != null && fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE);
                    ctx.tasks.endTask(fw, t, pa ? TaskState.TASK_GONE : TaskState.TASK_LOST, why,
                            TaskStatus.Reason.REASON_AGENT_RESTARTED);
                }
            }
            registry.removeAgent(old.id.value());
            removeAgent(old, "A new agent registered at this agent's address");
        }
    }

    /** Where each connected agent is in the health check; replaced when the ping interval changes. */
    private PingWheel<AgentEntry> pings;
    private java.util.concurrent.ScheduledFuture<?> pingTicker;
    /** PONGs as they came from the HTTP threads, counted at the next tick (they wake nothing). */
    private final java.util.concurrent.ConcurrentLinkedQueue<AgentId> pongs =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final byte[] PING = MesosJson.write(AgentEvent.PING);

    /**
     * (Re)starts a connected agent's health check on its current stream: a PING every {@code agent_ping_timeout}
     * ({@link PingWheel}: the first within one interval). A PING still unanswered when the next is due counts as
     * missed; {@code max_agent_ping_timeouts} misses in a row and the agent is taken for unreachable even though its
     * connection looks open (a hung agent, a long pause, a network that drops packets without a reset).
     */
    void startPings(AgentEntry agent) {
        stopPings(agent);
        if (agent.stream == null) {
            return;
        }
        if (pings == null) {
            startWheel();
        }
        pings.add(agent);
    }

    private void startWheel() {
        pings = new PingWheel<>(config().agentPingTimeout().toMillis());
        pingTicker = loop.scheduleAtFixedRate(this::pingTick, pings.tickMs(), pings.tickMs(), TimeUnit.MILLISECONDS);
    }

    /** One tick of the health check: the PONGs that came are counted, then this tick's agents are pinged. */
    private void pingTick() {
        for (AgentId id; (id = pongs.poll()) != null; ) {
            pong(id);
        }
        for (AgentEntry agent : pings.turn()) {
            ping(agent);
        }
    }

    private void ping(AgentEntry agent) {
        EventSink stream = agent.stream;
        if (stream == null) {
            pings.remove(agent);
            return;
        }
        if (agent.pongPending) {
            agent.pingsMissed++;
            if (agent.pingsMissed >= Math.max(1, config().maxAgentPingTimeouts())) {
                healthCheckFailed(agent);
                return;
            }
        }
        agent.pongPending = true;
        stream.send(PING);
    }

    private void stopPings(AgentEntry agent) {
        if (pings != null) {
            pings.remove(agent);
        }
        agent.pongPending = false;
        agent.pingsMissed = 0;
    }

    /** A PONG from an HTTP thread: counted on the loop at the next tick, without waking it now. */
    void pongArrived(AgentId id) {
        pongs.add(id);
    }

    /** The agent answered a PING: it is alive and reads its stream. */
    void pong(AgentId id) {
        AgentEntry agent = state.agents.get(id);
        if (agent == null || !agent.connected()) {
            LOG.debug("PONG from agent {}, which is not connected, ignored", id);
            return;
        }
        agent.pongPending = false;
        agent.pingsMissed = 0;
    }

    /**
     * The agent missed {@code max_agent_ping_timeouts} PINGs in a row: its connection is closed and it is marked
     * unreachable at once, as a disconnected agent is after the same time. When it comes back it re-registers, and
     * its tasks return.
     */
    private void healthCheckFailed(AgentEntry agent) {
        LOG.warn("Agent {} at {} did not answer {} pings in a row ({} each); taking it for unreachable", agent.id,
                agent.info().hostname(), agent.pingsMissed, config().agentPingTimeout());
        EventSink stream = agent.stream;
        agent.stream = null;
        agent.setConnected(false);
        stopPings(agent);
        for (OfferId o : List.copyOf(agent.offers)) {
            ctx.offers.removeOffer(o, true, false);
        }
        if (stream != null) {
            stream.close();
        }
        metrics.inc("slave_unreachable_scheduled");
        markUnreachable(agent, "it did not answer " + Math.max(1, config().maxAgentPingTimeouts()) + " pings");
    }

    /** The live settings changed: pings go at the new interval. */
    void reconfigured(MasterConfig before) {
        if (!config().agentPingTimeout().equals(before.agentPingTimeout()) && pings != null) {
            List<AgentEntry> members = pings.members();
            pingTicker.cancel(false);
            startWheel();
            members.forEach(this::startPings);
        }
    }

    /**
     * A running agent's attributes changed (it installed or removed a containerizer or isolator): its outstanding
     * offers, which carry the old ones, are rescinded and its resources offered again with the new ones.
     */
    void updateAttributes(AgentId id, List<Attribute> attributes) {
        AgentEntry agent = state.agents.get(id);
        if (agent == null || agent.info() == null) {
            LOG.debug("Attributes for unknown agent {} ignored", id);
            return;
        }
        metrics.inc("messages_update_slave");
        agent.setInfo(new AgentInfo(agent.info().hostname(), agent.info().port(), agent.info().resources(),
                List.copyOf(attributes), agent.info().id()));
        LOG.info("Agent {} now has attributes {}", id, attributes.stream()
                .map(a -> a.name() + ":" + a.plainValue()).toList());
        for (OfferId o : List.copyOf(agent.offers)) {
            ctx.offers.removeOffer(o, true, false);
        }
        ctx.allocation.requestAllocation();
    }

    void agentDisconnected(AgentEntry agent, EventSink stream) {
        if (agent.stream != stream) {
            return;
        }
        if (!ctx.quiet) {
            LOG.info("Agent {} disconnected", agent.id);
        }
        agent.stream = null;
        agent.setConnected(false);
        stopPings(agent);
        for (OfferId o : List.copyOf(agent.offers)) {
            ctx.offers.removeOffer(o, true, false);
        }
        metrics.inc("slave_unreachable_scheduled");
        agent.unreachableTimer = loop.schedule(() -> {
            if (!agent.connected() && state.agents.get(agent.id) == agent && agent.unreachableTime == null) {
                markUnreachable(agent, "it did not reconnect within " + config().agentUnreachableTimeout());
            }
        }, config().agentUnreachableTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A disconnected agent did not come back in time: its tasks become TASK_UNREACHABLE for partition-aware
     * frameworks (they may come back with the agent) and TASK_LOST for the others.
     */
    void markUnreachable(AgentEntry agent, String reason) {
        LOG.info("Agent {} is unreachable: {}", agent.id, reason);
        agent.unreachableTime = Master.now();
        registry.markAgentUnreachable(agent.id.value(), agent.unreachableTime);
        metrics.inc("slave_unreachable_completed");
        ctx.events.publish("AGENT_REMOVED", "agent_id", () -> agent.id);
        String why = "Agent " + agent.info().hostname() + " is unreachable";
        for (TaskEntry t : List.copyOf(agent.tasks.values())) {
            if (!t.state().isTerminal()) {
                FrameworkEntry fw = state.frameworks.get(t.frameworkId);
                boolean pa = fw != null && fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE);
                ctx.tasks.endTask(fw, t, pa ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST, why,
                        TaskStatus.Reason.REASON_AGENT_REMOVED);
            }
        }
        // the agent reports the executors it still runs when it comes back
        for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
            ctx.executors.removeExecutor(agent, e);
        }
        ctx.allocation.requestAllocation();
    }

    /**
     * MARK_AGENT_GONE: the agent is gone for good. Its tasks become TASK_GONE_BY_OPERATOR (TASK_LOST for frameworks
     * that are not partition-aware), it is told to shut down if it is connected, and it may not register again.
     * Completes with false when the agent is unknown.
     */
    boolean markAgentGone(AgentId id) {
        AgentEntry agent = state.agents.get(id);
        if (agent == null && (state.recoveredAgents.remove(id) != null
                || registry.unreachableAgents().containsKey(id.value()))) {
            // known from the registry only: it may not come back
            LOG.info("Agent {} (not re-registered with this master) marked gone by the operator", id);
            state.goneAgents.add(id);
            registry.markAgentGone(id.value());
            return true;
        }
        if (agent == null) {
            return state.goneAgents.contains(id);
        }
        LOG.info("Agent {} marked gone by the operator", id);
        state.goneAgents.add(id);
        registry.markAgentGone(id.value());
        for (TaskEntry t : List.copyOf(agent.tasks.values())) {
            FrameworkEntry fw = state.frameworks.get(t.frameworkId);
            boolean pa = fw != null && fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE);
            if (!t.state().isTerminal() || t.state() == TaskState.TASK_UNREACHABLE) {
                ctx.tasks.endTask(fw, t, pa ? TaskState.TASK_GONE_BY_OPERATOR : TaskState.TASK_LOST,
                        "Agent " + agent.info().hostname() + " has been marked gone",
                        TaskStatus.Reason.REASON_AGENT_REMOVED_BY_OPERATOR);
            }
        }
        removeAgent(agent, "Agent has been marked gone");
        return true;
    }

    void removeAgent(AgentEntry agent, String why) {
        for (OfferId o : List.copyOf(agent.offers)) {
            ctx.offers.removeOffer(o, true, false);
        }
        stopPings(agent);
        if (agent.unreachableTimer != null) {
            agent.unreachableTimer.cancel(false);
        }
        EventSink stream = agent.stream;
        agent.stream = null;
        agent.setConnected(false);
        if (stream != null) {
            stream.send(MesosJson.write(AgentEvent.error(why)));
            stream.close();
        }
        for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
            ctx.executors.removeExecutor(agent, e);
        }
        state.agents.remove(agent.id);
        state.agentViews.membershipChanged();
        metrics.inc("slave_removals");
        ctx.events.publish("AGENT_REMOVED", "agent_id", () -> agent.id);
        ctx.allocation.requestAllocation();
    }

    void sendToAgent(AgentEntry agent, AgentEvent event) {
        if (agent.stream != null) {
            agent.stream.send(MesosJson.write(event));
        }
    }

    /** Sends an event already encoded (see {@code AgentEventsJson}) to the agent, if connected. */
    void sendToAgent(AgentEntry agent, byte[] event) {
        if (agent.stream != null) {
            agent.stream.send(event);
        }
    }
}
