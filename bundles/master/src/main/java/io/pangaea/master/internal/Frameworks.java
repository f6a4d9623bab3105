package io.pangaea.master.internal;

import io.pangaea.http.EventSink;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.ExecutorEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.OperationEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frameworks: SUBSCRIBE (new ids, failover of a live subscription, ids known only from a previous leader),
 * heartbeats, disconnection and the failover timeout, UPDATE_FRAMEWORK, and removal (teardown or timeout) with
 * the completed-frameworks history. Owns {@code state.frameworks} and {@code state.completedFrameworks}; offers,
 * tasks and executors of a framework are given back through their own parts.
 * Must not touch: offers and executors directly (it asks {@link Offers} and {@link Executors}); of tasks it only
 * marks those removed with their framework as killed.
 */
final class Frameworks extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Frameworks.class);

    private long nextFrameworkNumber;

    Frameworks(MasterContext ctx) {
        super(ctx);
    }

    /** TEARDOWN, by the framework or the operator: the framework is removed and its stream closed. */
    void teardown(FrameworkEntry fw, String why) {
        EventSink s = fw.stream;
        removeFramework(fw, why);
        if (s != null) {
            s.close();
        }
    }

    /** SUBSCRIBE (already validated): a new framework, a failover of a known one, or one known by id only. */
    void subscribe(Call call, String streamId, EventSink stream) {
        FrameworkInfo info = call.subscribe().frameworkInfo();
        FrameworkId requested = info.id() != null ? info.id() : call.frameworkId();
        FrameworkEntry fw;
        if (requested != null && !requested.value().isEmpty()) {
            if (state.completedFrameworks.stream().anyMatch(c -> c.id.equals(requested))) {
                stream.send(MesosJson.write(Event.error("Framework has been removed")));
                stream.close();
                return;
            }
            fw = state.frameworks.get(requested);
            if (fw == null) {
                // A framework the master has never seen (e.g. after a master failover): Mesos accepts it.
                fw = new FrameworkEntry(requested);
                fw.registeredTime = Master.now();
                state.frameworks.put(requested, fw);
                LOG.info("Framework {} ({}) subscribed with a known id", requested, info.name());
            } else {
                failover(fw);
                fw.reregisteredTime = Master.now();
            }
        } else {
            FrameworkId id = FrameworkId.of(String.format("%s-%04d", ctx.masterId, nextFrameworkNumber++));
            fw = new FrameworkEntry(id);
            fw.registeredTime = Master.now();
            state.frameworks.put(id, fw);
            LOG.info("Framework {} ({}) subscribed", id, info.name());
        }
        fw.info = info.withId(fw.id);
        if (info.principal() != null) {
            ctx.principals.put(fw.id, info.principal());
        }
        fw.stream = stream;
        fw.streamId = streamId;
        fw.connected = true;
        fw.active = true;
        fw.suppressedRoles.clear();
        if (call.subscribe().suppressedRoles() != null) {
            fw.suppressedRoles.addAll(call.subscribe().suppressedRoles());
        }
        if (fw.failoverTimer != null) {
            fw.failoverTimer.cancel(false);
            fw.failoverTimer = null;
        }
        FrameworkEntry subscribed = fw;
        stream.onClose(() -> loop.execute(() -> disconnected(subscribed, stream)));
        double hb = config().heartbeatInterval().toMillis() / 1000.0;
        stream.send(MesosJson.write(Event.subscribed(new Event.Subscribed(fw.id, hb, ctx.masterInfo))));
        MasterMetrics.inc(fw.counters, "calls/subscribe");
        MasterMetrics.inc(fw.counters, "events/subscribed");
        boolean added = fw.reregisteredTime == 0;
        metrics.inc(added ? "messages_register_framework" : "messages_reregister_framework");
        ctx.events.publish(added ? "FRAMEWORK_ADDED" : "FRAMEWORK_UPDATED", "framework",
                () -> views().framework(subscribed, false), v -> v.framework(subscribed.info));
        // operation statuses it has not acknowledged come again on its new stream
        for (OperationEntry op : subscribed.operations.values()) {
            if (op.pendingUuid != null) {
                ctx.operations.sendOperationStatus(subscribed, op.latest());
            }
        }
        startHeartbeat(subscribed);
        ctx.allocation.requestAllocation();
    }

    /** (Re)starts a subscribed framework's heartbeats, at the configured interval, on its current stream. */
    void startHeartbeat(FrameworkEntry fw) {
        if (fw.heartbeat != null) {
            fw.heartbeat.cancel(false);
            fw.heartbeat = null;
        }
        EventSink stream = fw.stream;
        if (stream == null) {
            return;
        }
        long hbMs = config().heartbeatInterval().toMillis();
        fw.heartbeat = loop.scheduleAtFixedRate(() -> {
            if (fw.stream == stream) {
                stream.send(MesosJson.write(Event.HEARTBEAT));
                MasterMetrics.inc(fw.counters, "events/heartbeat");
            }
        }, hbMs, hbMs, TimeUnit.MILLISECONDS);
    }

    /**
     * The live settings changed: heartbeats go at the new interval, and no more completed frameworks are kept than
     * {@code max_completed_frameworks} now allows.
     */
    void reconfigured(MasterConfig before) {
        if (!config().heartbeatInterval().equals(before.heartbeatInterval())) {
            state.frameworks.values().forEach(this::startHeartbeat);
        }
        while (state.completedFrameworks.size() > config().maxCompletedFrameworks()) {
            state.completedFrameworks.removeFirst();
        }
        for (FrameworkEntry fw : state.frameworks.values()) {
            fw.completedTasks.trim(config().maxCompletedTasksPerFramework());
        }
    }

    /** A new subscription replaces a live one: the old stream is told and closed; its offers are rescinded. */
    void failover(FrameworkEntry fw) {
        if (fw.stream != null) {
            EventSink old = fw.stream;
            fw.stream = null;
            old.send(MesosJson.write(Event.error("Framework failed over")));
            MasterMetrics.inc(fw.counters, "events/error");
            old.close();
        }
        if (fw.heartbeat != null) {
            fw.heartbeat.cancel(false);
        }
        for (OfferId o : List.copyOf(fw.offers)) {
            ctx.offers.removeOffer(o, true, false);
        }
    }

    void disconnected(FrameworkEntry fw, EventSink stream) {
        if (fw.stream != stream || !state.frameworks.containsKey(fw.id)) {
            return;
        }
        LOG.info("Framework {} disconnected", fw.id);
        fw.stream = null;
        fw.connected = false;
        fw.active = false;
        fw.unregisteredTime = Master.now();
        if (fw.heartbeat != null) {
            fw.heartbeat.cancel(false);
        }
        for (OfferId o : List.copyOf(fw.offers)) {
            ctx.offers.removeOffer(o, false, false);
        }
        double timeout = fw.info.failoverTimeout() == null ? 0 : fw.info.failoverTimeout();
        long nanos = (long) Math.min(Long.MAX_VALUE / 2.0, Math.max(0, timeout) * 1e9);
        fw.failoverTimer = loop.schedule(() -> {
            if (!fw.connected && state.frameworks.containsKey(fw.id)) {
                LOG.info("Framework {} failover timeout elapsed", fw.id);
                removeFramework(fw, "Framework failover timeout");
            }
        }, nanos, TimeUnit.NANOSECONDS);
        ctx.allocation.requestAllocation();
    }

    /** Operator TEARDOWN of {@code id} on behalf of {@code principal}, as the {@code teardown_frameworks} ACL allows. */
    CallResult teardownBy(FrameworkId id, String principal, io.pangaea.http.Acls acls) {
        FrameworkEntry fw = state.frameworks.get(id);
        if (fw == null) {
            return CallResult.badRequest("No framework found with specified ID '" + id.value() + "'");
        }
        if (!acls.approves("teardown_frameworks", principal, fw.info.principal())) {
            return CallResult.forbidden("Forbidden: " + (principal == null ? "an unauthenticated caller"
                    : "principal '" + principal + "'") + " is not authorized to teardown the frameworks of "
                    + (fw.info.principal() == null ? "no principal" : "principal '" + fw.info.principal() + "'")
                    + " (ACL 'teardown_frameworks')");
        }
        teardown(fw, "Framework teardown by the operator");
        return new CallResult(200, "");
    }

    void removeFramework(FrameworkEntry fw, String why) {
        LOG.info("Removing framework {}: {}", fw.id, why);
        ctx.principals.remove(fw.id);
        ctx.events.publish("FRAMEWORK_REMOVED", "framework_info", () -> fw.info, v -> v.framework(fw.info));
        for (OfferId o : List.copyOf(fw.offers)) {
            ctx.offers.removeOffer(o, false, false);
        }
        Set<AgentId> agentsWithTasks = new HashSet<>();
        for (TaskEntry t : List.copyOf(fw.tasks.values())) {
            agentsWithTasks.add(t.agentId);
            if (!t.state().isTerminal()) {
                metrics.terminal(TaskState.TASK_KILLED);
                MasterMetrics.inc(fw.counters, "tasks/terminal/task_killed");
                t.setState(TaskState.TASK_KILLED);
                t.statuses.add(ctx.tasks.masterStatus(t, TaskState.TASK_KILLED, why, TaskStatus.Reason.REASON_FRAMEWORK_REMOVED));
            }
            ctx.tasks.recoverTaskResources(t);
            ctx.tasks.completeTask(fw, t);
        }
        for (AgentEntry agent : state.agents.values()) {
            for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
                if (e.info.frameworkId().equals(fw.id)) {
                    agentsWithTasks.add(agent.id);
                    ctx.executors.removeExecutor(agent, e);
                }
            }
        }
        for (AgentId a : agentsWithTasks) {
            AgentEntry agent = state.agents.get(a);
            if (agent != null && agent.connected()) {
                ctx.agents.sendToAgent(agent, AgentEvent.shutdownFramework(fw.id));
            }
        }
        if (fw.heartbeat != null) {
            fw.heartbeat.cancel(false);
        }
        if (fw.failoverTimer != null) {
            fw.failoverTimer.cancel(false);
        }
        fw.stream = null;
        fw.connected = false;
        fw.active = false;
        fw.unregisteredTime = Master.now();
        fw.clearFilters();
        fw.allocated.clear();
        state.frameworks.remove(fw.id);
        state.completedKeptAfter.remove(fw.id.value());
        state.completedFrameworks.addLast(fw);
        while (state.completedFrameworks.size() > config().maxCompletedFrameworks()) {
            state.completedFrameworks.removeFirst();
        }
        ctx.allocation.requestAllocation();
    }

    /**
     * UPDATE_FRAMEWORK: the framework's info (name, roles, capabilities, failover timeout, labels, ...) and its
     * suppressed roles are replaced. Outstanding offers are rescinded, since they may be for a role it left.
     */
    void updateFramework(FrameworkEntry fw, Call.UpdateFramework update) {
        FrameworkInfo info = update.frameworkInfo().withId(fw.id);
        LOG.info("Framework {} updated: roles {}", fw.id, info.effectiveRoles());
        fw.info = info;
        fw.suppressedRoles.clear();
        if (update.suppressedRoles() != null) {
            fw.suppressedRoles.addAll(update.suppressedRoles());
        }
        for (OfferId o : List.copyOf(fw.offers)) {
            ctx.offers.removeOffer(o, true, false);
        }
        ctx.events.publish("FRAMEWORK_UPDATED", "framework", () -> views().framework(fw, false),
                v -> v.framework(fw.info));
        ctx.allocation.requestAllocation();
    }
}
