package io.pangaea.master.internal;

import io.pangaea.http.EventSink;
import io.pangaea.http.LoggingLevel;
import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.allocator.OfferFilter;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.DeclineFilter;
import io.pangaea.master.internal.MasterState.ExecutorEntry;
import io.pangaea.master.internal.MasterState.ExecutorKey;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.OfferEntry;
import io.pangaea.master.internal.MasterState.OperationEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.master.internal.MasterState.TaskKey;
import io.pangaea.model.Address;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.AllocationInfo;
import io.pangaea.model.Attribute;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.OperationState;
import io.pangaea.model.OperationStatus;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.Url;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master core. One event loop thread owns every piece of state ({@link MasterState}); the public methods may
 * be called from any thread and post their work to the loop, answering through futures. Allocation decisions are
 * made by the active {@link Allocator} on a separate thread from a snapshot, and applied back on the loop.
 */
public final class Master implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Master.class);

    /** The Mesos API version Pangaea speaks; clients such as Marathon check it. */
    public static final String MESOS_VERSION = io.pangaea.http.MesosVersion.VERSION;

    private final MasterConfig config;
    private final String masterId;
    private final MasterInfo masterInfo;
    private final double startTime = now();
    private final ScheduledThreadPoolExecutor loop;
    private final ExecutorService allocationThread;
    private final AtomicReference<Allocator> allocator = new AtomicReference<>();
    private final MasterState state = new MasterState();
    private final Registry registry;
    private long cycleNumber;

    private long nextFrameworkNumber;
    private long nextAgentNumber;
    private long nextOfferNumber;
    private boolean allocationQueued;
    /** When the queued allocation was asked for (System.nanoTime), 0 when none is waiting (event loop). */
    private long allocationAskedNanos;
    /** How long cycles take from snapshot to offers, and how long they wait to start once asked for. */
    private final io.pangaea.http.Metrics.Timer allocationRunTimer = new io.pangaea.http.Metrics.Timer();
    private final io.pangaea.http.Metrics.Timer allocationLatencyTimer = new io.pangaea.http.Metrics.Timer();
    private boolean allocationRunning;
    private boolean allocationAgain;
    private ScheduledFuture<?> periodicAllocation;
    /** Callers of {@link #allocateNow} waiting for the next cycle to finish. */
    private final List<CompletableFuture<AllocationCycle>> cycleWaiters = new ArrayList<>();
    private volatile AllocationCycle lastCycle = AllocationCycle.SKIPPED;
    private volatile boolean allocationPaused;

    public Master(MasterConfig config) {
        this(config, Registry.inMemory());
    }

    /** A master whose weights and quotas live in {@code registry}. */
    public Master(MasterConfig config, Registry registry) {
        this(config, registry, UUID.randomUUID().toString());
    }

    /** A master with the id it contended for leadership under. */
    public Master(MasterConfig config, Registry registry, String id) {
        this.masterId = id;
        this.config = config;
        this.registry = registry;
        this.masterInfo = masterInfo(masterId, config);
        this.loop = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "pangaea-master-loop"));
        this.loop.setRemoveOnCancelPolicy(true);
        this.allocationThread = Executors.newSingleThreadExecutor(r -> daemon(r, "pangaea-master-allocator"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The MasterInfo a master with this id and configuration advertises (and contends with). */
    public static MasterInfo masterInfo(String id, MasterConfig config) {
        return new MasterInfo(id, MasterInfo.ipToInt(config.ip()), config.port(),
                "master@" + config.ip() + ":" + config.port(), config.hostname(), MESOS_VERSION,
                new Address(config.hostname(), config.ip(), config.port()),
                List.of(new MasterInfo.Capability("AGENT_UPDATE"), new MasterInfo.Capability("AGENT_DRAINING"),
                        new MasterInfo.Capability("QUOTA_V2")));
    }

    public void start() {
        long ms = Math.max(1, config.allocationInterval().toMillis());
        periodicAllocation = loop.scheduleWithFixedDelay(this::requestAllocation, ms, ms, TimeUnit.MILLISECONDS);
        LOG.info("Master {} started on {}:{}", masterId, config.ip(), config.port());
    }

    @Override
    public void close() {
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            if (periodicAllocation != null) {
                periodicAllocation.cancel(false);
            }
            for (FrameworkEntry f : state.frameworks.values()) {
                if (f.stream != null) {
                    f.stream.close();
                }
            }
            for (AgentEntry a : state.agents.values()) {
                if (a.stream != null) {
                    a.stream.close();
                }
            }
        }, loop);
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Master shutdown did not finish cleanly", e);
        }
        loop.shutdownNow();
        allocationThread.shutdownNow();
    }

    public MasterConfig config() {
        return config;
    }

    public MasterInfo masterInfo() {
        return masterInfo;
    }

    public String id() {
        return masterId;
    }

    /** The registry (state thread for consistent reads). */
    Registry registry() {
        return registry;
    }

    public double startTime() {
        return startTime;
    }

    /** Sets the allocation policy (null: none, no offers are made); outstanding offers are rescinded. */
    public void setAllocator(Allocator next) {
        Allocator prev = allocator.getAndSet(next);
        if (prev != next && prev != null) {
            loop.execute(this::rescindAllOffers);
        }
        requestAllocation();
    }

    public Allocator allocator() {
        return allocator.get();
    }

    /** Runs {@code query} on the event loop against the live state; for read endpoints and shell commands. */
    <T> CompletableFuture<T> query(Function<MasterState, T> query) {
        return CompletableFuture.supplyAsync(() -> query.apply(state), loop);
    }

    /** A read-only view for HTTP read endpoints and shell commands, computed on the loop. */
    public <T> CompletableFuture<T> read(Function<MasterViews, T> view) {
        return query(s -> view.apply(new MasterViews(this, s)));
    }

    static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    // ---- frameworks -------------------------------------------------------------------------------------------

    // ---- operator event stream ------------------------------------------------------------------------------

    private volatile LoggingLevel loggingLevel;

    /** Who sets the log level (the Karaf component); without one, GET/SET_LOGGING_LEVEL are not available. */
    public void setLoggingLevel(LoggingLevel l) {
        this.loggingLevel = l;
    }

    public LoggingLevel loggingLevel() {
        return loggingLevel;
    }

    /** Counters for {@code /metrics/snapshot} (event loop only). */
    final MasterMetrics metrics = new MasterMetrics();
    private int allocationRuns;

    /** Operator API SUBSCRIBE streams (event loop only). */
    private final List<EventSink> operatorStreams = new ArrayList<>();
    private ScheduledFuture<?> operatorHeartbeat;

    /**
     * Operator API SUBSCRIBE: the stream gets SUBSCRIBED with the whole state, then TASK_ADDED, TASK_UPDATED,
     * AGENT_ADDED, AGENT_REMOVED, FRAMEWORK_ADDED, FRAMEWORK_UPDATED and FRAMEWORK_REMOVED as they happen, and
     * HEARTBEAT at the heartbeat interval.
     */
    public void subscribeOperator(EventSink stream) {
        loop.execute(() -> {
            com.fasterxml.jackson.databind.node.ObjectNode body =
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            body.set("get_state", views().getState());
            body.put("heartbeat_interval_seconds", config.heartbeatInterval().toMillis() / 1000.0);
            stream.send(MesosJson.write(V1Views.response("SUBSCRIBED", body)));
            operatorStreams.add(stream);
            stream.onClose(() -> loop.execute(() -> operatorStreams.remove(stream)));
            if (operatorHeartbeat == null) {
                long ms = config.heartbeatInterval().toMillis();
                byte[] heartbeat = MesosJson.write(V1Views.response("HEARTBEAT", null));
                operatorHeartbeat = loop.scheduleAtFixedRate(() -> List.copyOf(operatorStreams)
                        .forEach(s -> s.send(heartbeat)), ms, ms, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Operator TEARDOWN: the framework is removed and its tasks killed. False when no such framework runs. */
    public CompletableFuture<Boolean> teardown(FrameworkId id) {
        return CompletableFuture.supplyAsync(() -> {
            FrameworkEntry fw = state.frameworks.get(id);
            if (fw == null) {
                return false;
            }
            EventSink s = fw.stream;
            removeFramework(fw, "Framework teardown by the operator");
            if (s != null) {
                s.close();
            }
            return true;
        }, loop);
    }

    private V1Views views() {
        return new MasterViews(this, state).v1();
    }

    /** Sends an operator event of {@code type} whose message holds {@code key}: {@code value} (loop only). */
    private void operatorEvent(String type, String key, java.util.function.Supplier<Object> value) {
        if (operatorStreams.isEmpty()) {
            return;
        }
        com.fasterxml.jackson.databind.node.ObjectNode body =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        Object v = value.get();
        body.set(key, v instanceof com.fasterxml.jackson.databind.JsonNode j ? j : MesosJson.tree(v));
        byte[] event = MesosJson.write(V1Views.response(type, body));
        for (EventSink s : List.copyOf(operatorStreams)) {
            if (!s.send(event)) {
                operatorStreams.remove(s);
            }
        }
    }

    /**
     * SUBSCRIBE: the stream is already open (status 200 and headers sent); everything else is said on it.
     * The call has passed {@link CallValidator}.
     */
    public void subscribe(Call call, String streamId, EventSink stream) {
        loop.execute(() -> doSubscribe(call, streamId, stream));
    }

    private void doSubscribe(Call call, String streamId, EventSink stream) {
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
                fw.registeredTime = now();
                state.frameworks.put(requested, fw);
                LOG.info("Framework {} ({}) subscribed with a known id", requested, info.name());
            } else {
                failover(fw);
                fw.reregisteredTime = now();
            }
        } else {
            FrameworkId id = FrameworkId.of(String.format("%s-%04d", masterId, nextFrameworkNumber++));
            fw = new FrameworkEntry(id);
            fw.registeredTime = now();
            state.frameworks.put(id, fw);
            LOG.info("Framework {} ({}) subscribed", id, info.name());
        }
        fw.info = info.withId(fw.id);
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
        double hb = config.heartbeatInterval().toMillis() / 1000.0;
        stream.send(MesosJson.write(Event.subscribed(new Event.Subscribed(fw.id, hb, masterInfo))));
        MasterMetrics.inc(fw.counters, "calls/subscribe");
        MasterMetrics.inc(fw.counters, "events/subscribed");
        boolean added = fw.reregisteredTime == 0;
        metrics.inc(added ? "messages_register_framework" : "messages_reregister_framework");
        operatorEvent(added ? "FRAMEWORK_ADDED" : "FRAMEWORK_UPDATED", "framework",
                () -> views().framework(subscribed, false));
        // operation statuses it has not acknowledged come again on its new stream
        for (OperationEntry op : subscribed.operations.values()) {
            if (op.pendingUuid != null) {
                sendOperationStatus(subscribed, op.latest());
            }
        }
        long hbMs = config.heartbeatInterval().toMillis();
        fw.heartbeat = loop.scheduleAtFixedRate(() -> {
            if (subscribed.stream == stream) {
                stream.send(MesosJson.write(Event.HEARTBEAT));
                MasterMetrics.inc(subscribed.counters, "events/heartbeat");
            }
        }, hbMs, hbMs, TimeUnit.MILLISECONDS);
        requestAllocation();
    }

    /** A new subscription replaces a live one: the old stream is told and closed; its offers are rescinded. */
    private void failover(FrameworkEntry fw) {
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
            removeOffer(o, true, false);
        }
    }

    private void disconnected(FrameworkEntry fw, EventSink stream) {
        if (fw.stream != stream || !state.frameworks.containsKey(fw.id)) {
            return;
        }
        LOG.info("Framework {} disconnected", fw.id);
        fw.stream = null;
        fw.connected = false;
        fw.active = false;
        fw.unregisteredTime = now();
        if (fw.heartbeat != null) {
            fw.heartbeat.cancel(false);
        }
        for (OfferId o : List.copyOf(fw.offers)) {
            removeOffer(o, false, false);
        }
        double timeout = fw.info.failoverTimeout() == null ? 0 : fw.info.failoverTimeout();
        long nanos = (long) Math.min(Long.MAX_VALUE / 2.0, Math.max(0, timeout) * 1e9);
        fw.failoverTimer = loop.schedule(() -> {
            if (!fw.connected && state.frameworks.containsKey(fw.id)) {
                LOG.info("Framework {} failover timeout elapsed", fw.id);
                removeFramework(fw, "Framework failover timeout");
            }
        }, nanos, TimeUnit.NANOSECONDS);
        requestAllocation();
    }

    /**
     * Any call but SUBSCRIBE, already validated for shape by {@link CallValidator}. Answers with the HTTP status;
     * effects that Mesos reports asynchronously (task errors, reconciliation) go out on the stream.
     */
    public CompletableFuture<CallResult> call(Call call, String streamId) {
        return CompletableFuture.supplyAsync(() -> doCall(call, streamId), loop);
    }

    private CallResult doCall(Call call, String streamId) {
        metrics.call(call.type());
        FrameworkEntry fw = state.frameworks.get(call.frameworkId());
        if (fw == null) {
            return CallResult.badRequest("Framework cannot be found");
        }
        if (!fw.connected) {
            return CallResult.forbidden("Framework is not subscribed");
        }
        if (streamId == null) {
            return CallResult.badRequest("All non-subscribe calls should include the 'Mesos-Stream-Id' header");
        }
        if (!streamId.equals(fw.streamId)) {
            return CallResult.badRequest("The stream ID '" + streamId + "' included in this request didn't match"
                    + " the stream ID currently associated with framework ID " + fw.id);
        }
        MasterMetrics.inc(fw.counters, "calls/" + call.type().name().toLowerCase(java.util.Locale.ROOT));
        switch (call.type()) {
            case TEARDOWN -> {
                EventSink s = fw.stream;
                removeFramework(fw, "Framework teardown");
                if (s != null) {
                    s.close();
                }
            }
            case ACCEPT -> accept(fw, call.accept());
            case DECLINE -> decline(fw, call.decline().offerIds(), call.decline().filters());
            case REVIVE -> revive(fw, call.revive() == null ? null : call.revive().roles());
            case SUPPRESS -> suppress(fw, call.suppress() == null ? null : call.suppress().roles());
            case KILL -> kill(fw, call.kill());
            case SHUTDOWN -> shutdownExecutor(fw, call.shutdown());
            case ACKNOWLEDGE -> acknowledge(fw, call.acknowledge());
            case RECONCILE -> reconcile(fw, call.reconcile());
            case MESSAGE -> frameworkMessage(fw, call.message());
            case REQUEST -> LOG.debug("REQUEST from {}: Pangaea's allocators take no resource requests", fw.id);
            // no maintenance schedules, so no inverse offers; operations are applied at once, without status
            // updates to acknowledge or reconcile: these calls are valid and change nothing
            case ACCEPT_INVERSE_OFFERS, DECLINE_INVERSE_OFFERS ->
                    LOG.debug("{} from {}: nothing outstanding", call.type(), fw.id);
            case ACKNOWLEDGE_OPERATION_STATUS -> acknowledgeOperation(fw, call.acknowledgeOperationStatus());
            case RECONCILE_OPERATIONS -> reconcileOperations(fw, call.reconcileOperations());
            case UPDATE_FRAMEWORK -> {
                updateFramework(fw, call.updateFramework());
                return new CallResult(200, "");
            }
            default -> {
                return new CallResult(501, "Call type " + call.type() + " is not implemented");
            }
        }
        return CallResult.ACCEPTED;
    }

    private void removeFramework(FrameworkEntry fw, String why) {
        LOG.info("Removing framework {}: {}", fw.id, why);
        operatorEvent("FRAMEWORK_REMOVED", "framework_info", () -> fw.info);
        for (OfferId o : List.copyOf(fw.offers)) {
            removeOffer(o, false, false);
        }
        Set<AgentId> agentsWithTasks = new HashSet<>();
        for (TaskEntry t : List.copyOf(fw.tasks.values())) {
            agentsWithTasks.add(t.agentId);
            if (!t.state.isTerminal()) {
                metrics.terminal(TaskState.TASK_KILLED);
                MasterMetrics.inc(fw.counters, "tasks/terminal/task_killed");
                t.state = TaskState.TASK_KILLED;
                t.statuses.add(masterStatus(t, TaskState.TASK_KILLED, why, TaskStatus.Reason.REASON_FRAMEWORK_REMOVED));
            }
            recoverTaskResources(t);
            completeTask(fw, t);
        }
        for (AgentEntry agent : state.agents.values()) {
            for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
                if (e.info.frameworkId().equals(fw.id)) {
                    agentsWithTasks.add(agent.id);
                    removeExecutor(agent, e);
                }
            }
        }
        for (AgentId a : agentsWithTasks) {
            AgentEntry agent = state.agents.get(a);
            if (agent != null && agent.connected) {
                sendToAgent(agent, AgentEvent.shutdownFramework(fw.id));
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
        fw.unregisteredTime = now();
        fw.filters.clear();
        fw.allocated.clear();
        state.frameworks.remove(fw.id);
        state.completedFrameworks.addLast(fw);
        while (state.completedFrameworks.size() > config.maxCompletedFrameworks()) {
            state.completedFrameworks.removeFirst();
        }
        requestAllocation();
    }

    private void accept(FrameworkEntry fw, Call.Accept accept) {
        List<OfferEntry> used = new ArrayList<>();
        String invalid = null;
        for (OfferId id : accept.offerIds()) {
            OfferEntry o = state.offers.get(id);
            if (o == null) {
                invalid = "Offer " + id + " is no longer valid";
            } else if (!o.frameworkId.equals(fw.id)) {
                invalid = "Offer " + id + " is not for this framework";
            } else if (!used.isEmpty() && !used.get(0).agentId.equals(o.agentId)) {
                invalid = "Aggregated offers must belong to one single agent";
            } else if (!used.isEmpty() && !used.get(0).role.equals(o.role)) {
                invalid = "Aggregated offers must be allocated to the same role";
            } else if (used.stream().anyMatch(u -> u.offer.id().equals(id))) {
                invalid = "Offer " + id + " is used more than once";
            } else {
                used.add(o);
            }
        }
        fw.counters.merge("offers/accepted", (long) used.size(), Long::sum);
        for (Call.Operation op : accept.operations() == null ? List.<Call.Operation>of() : accept.operations()) {
            if (op.type() != null && op.type() != Call.Operation.Type.UNKNOWN) {
                MasterMetrics.inc(fw.counters, "operations/" + op.type().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        List<TaskInfo> launches = new ArrayList<>();
        for (Call.Operation op : accept.operations() == null ? List.<Call.Operation>of() : accept.operations()) {
            launches.addAll(tasksOf(op));
        }
        if (invalid != null || used.isEmpty()) {
            String msg = "Task launched with invalid offers: " + (invalid == null ? "no offers" : invalid);
            for (OfferEntry o : used) {
                removeOffer(o.offer.id(), false, false);
            }
            for (TaskInfo t : launches) {
                sendUpdate(fw, masterStatusFor(t.taskId(), null,
                        fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE)
                                ? TaskState.TASK_DROPPED : TaskState.TASK_LOST,
                        msg, TaskStatus.Reason.REASON_INVALID_OFFERS));
            }
            for (Call.Operation op : accept.operations() == null ? List.<Call.Operation>of() : accept.operations()) {
                if (op.type() != Call.Operation.Type.LAUNCH && op.type() != Call.Operation.Type.LAUNCH_GROUP) {
                    dropOperation(fw, null, op, OperationState.OPERATION_DROPPED, msg);
                }
            }
            return;
        }
        AgentEntry agent = state.agents.get(used.get(0).agentId);
        String role = used.get(0).role;
        Resources remaining = Resources.EMPTY;
        for (OfferEntry o : used) {
            remaining = remaining.plus(o.resources);
            state.offers.remove(o.offer.id());
            if (o.timeout != null) {
                o.timeout.cancel(false);
            }
            fw.offers.remove(o.offer.id());
            agent.offers.remove(o.offer.id());
        }
        // The offered resources stay allocated to the framework: they become the tasks' or are released below.
        // Operations apply in order, each to what the previous ones left (Mesos semantics).
        Set<TaskId> inThisCall = new HashSet<>();
        for (Call.Operation op : accept.operations() == null ? List.<Call.Operation>of() : accept.operations()) {
            String idError = operationIdError(fw, op);
            if (idError != null) {
                dropOperation(fw, agent, op, OperationState.OPERATION_ERROR, idError);
                for (TaskInfo t : tasksOf(op)) {
                    sendUpdate(fw, masterStatusFor(t.taskId(), agent.id, TaskState.TASK_ERROR, idError,
                            TaskStatus.Reason.REASON_TASK_INVALID));
                }
                continue;
            }
            switch (op.type()) {
                case LAUNCH -> {
                    for (TaskInfo task : op.launch().taskInfos() == null ? List.<TaskInfo>of()
                            : op.launch().taskInfos()) {
                        remaining = launchTask(fw, agent, task, remaining, role, inThisCall);
                    }
                }
                case LAUNCH_GROUP -> remaining = launchGroup(fw, agent, op.launchGroup(), remaining, role, inThisCall);
                case RESERVE, UNRESERVE -> {
                    boolean reserve = op.type() == Call.Operation.Type.RESERVE;
                    List<io.pangaea.model.Resource> asked = reserve ? op.reserve().resources()
                            : op.unreserve().resources();
                    String error = ReservationChange.invalid(asked, r -> role.equals(r) ? null
                            : "the reservation's role '" + r + "' is not the offer's role '" + role + "'");
                    ReservationChange change = error == null ? ReservationChange.of(asked, reserve) : null;
                    if (error == null && !remaining.contains(change.from().allocatedTo(role))) {
                        error = "the resources " + change.from() + " are not in the offer (" + remaining.unallocated()
                                + ")";
                    }
                    if (error != null) {
                        dropOperation(fw, agent, op, OperationState.OPERATION_ERROR, error);
                        continue;
                    }
                    remaining = remaining.minus(change.from().allocatedTo(role)).plus(change.to().allocatedTo(role));
                    fw.release(role, change.from().allocatedTo(role));
                    fw.allocate(role, change.to().allocatedTo(role));
                    apply(agent, change);
                    LOG.info("Framework {} {}D {} on agent {}", fw.id, op.type(), change.reserved(), agent.id);
                    finishOperation(fw, agent, op, change.to().allocatedTo(role));
                }
                case CREATE, DESTROY -> {
                    boolean create = op.type() == Call.Operation.Type.CREATE;
                    List<io.pangaea.model.Resource> volumes = create ? op.create().volumes() : op.destroy().volumes();
                    String error = invalidVolumes(agent, volumes, role, create, remaining);
                    if (error != null) {
                        dropOperation(fw, agent, op, OperationState.OPERATION_ERROR, error);
                        continue;
                    }
                    Resources asVolumes = Resources.of(volumes).unallocated();
                    Resources asDisk = Resources.of(volumes.stream().map(v -> v.withDisk(null)).toList())
                            .unallocated();
                    Resources from = create ? asDisk : asVolumes;
                    Resources to = create ? asVolumes : asDisk;
                    remaining = remaining.minus(from.allocatedTo(role)).plus(to.allocatedTo(role));
                    fw.release(role, from.allocatedTo(role));
                    fw.allocate(role, to.allocatedTo(role));
                    agent.total = agent.total.minus(from).plus(to);
                    if (create) {
                        registry.addReservation(agent.id.value(), asVolumes);
                    } else {
                        registry.removeReservation(agent.id.value(), asVolumes);
                        for (io.pangaea.model.Resource v : volumes) {
                            sendToAgent(agent, AgentEvent.destroyVolume(new AgentEvent.DestroyVolume(
                                    v.reservationRole(), v.disk().persistence().id())));
                        }
                    }
                    LOG.info("Framework {} {}D volumes {} on agent {}", fw.id, op.type(), asVolumes, agent.id);
                    finishOperation(fw, agent, op, to.allocatedTo(role));
                }
                default -> dropOperation(fw, agent, op, OperationState.OPERATION_ERROR,
                        "Offer operation '" + op.type() + "' is not supported by this Pangaea version");
            }
        }
        if (!remaining.isEmpty()) {
            fw.release(role, remaining);
            agent.available = agent.available.plus(remaining.unallocated());
            addFilter(fw, agent.id, remaining.unallocated(), accept.filters() == null
                    ? io.pangaea.model.Filters.DEFAULT_REFUSE_SECONDS
                    : accept.filters().refuseSecondsOrDefault());
            requestAllocation();
        }
    }

    /**
     * Why persistent volumes cannot be created (or destroyed), or null. A volume is {@code disk} reserved for the
     * framework's role, with a persistence id not in use on the agent and a relative {@code container_path}; it is
     * made out of reserved disk in the offer. A volume to destroy must be one in the offer.
     */
    private static String invalidVolumes(AgentEntry agent, List<io.pangaea.model.Resource> volumes, String role,
                                         boolean create, Resources offered) {
        if (volumes == null || volumes.isEmpty()) {
            return "no volumes";
        }
        Set<String> ids = new HashSet<>();
        for (io.pangaea.model.Resource v : volumes) {
            if (!"disk".equals(v.name()) || v.type() != io.pangaea.model.ValueType.SCALAR || v.scalar() == null
                    || !(v.scalar().value() > 0)) {
                return "a persistent volume must be a positive scalar 'disk' resource";
            }
            if (!v.isPersistentVolume()) {
                return "'disk.persistence.id' must be set on every volume";
            }
            String id = v.disk().persistence().id();
            if (id.contains("/") || id.equals(".") || id.equals("..") || id.chars().anyMatch(Character::isWhitespace)) {
                return "persistence id '" + id + "' contains invalid characters";
            }
            if (!ids.add(id)) {
                return "persistence id '" + id + "' is used twice";
            }
            String path = v.disk().volume() == null ? null : v.disk().volume().containerPath();
            if (path == null || path.isEmpty() || path.startsWith("/") || List.of(path.split("/")).contains("..")) {
                return "'disk.volume.container_path' of volume '" + id + "' must be a relative path inside the"
                        + " sandbox";
            }
            if (!v.isReserved()) {
                return "persistent volumes cannot be made from unreserved disk ('" + id + "')";
            }
            if (!Resources.isSelfOrAncestor(v.reservationRole(), role)) {
                return "volume '" + id + "' is reserved for '" + v.reservationRole() + "', not for the offer's role '"
                        + role + "'";
            }
            if (create && agent.total.toList().stream().anyMatch(r -> r.isPersistentVolume()
                    && r.disk().persistence().id().equals(id) && r.reservationRole().equals(v.reservationRole()))) {
                return "persistence id '" + id + "' already exists on agent " + agent.id.value();
            }
        }
        Resources needed = create
                ? Resources.of(volumes.stream().map(v -> v.withDisk(null)).toList()).unallocated().allocatedTo(role)
                : Resources.of(volumes).unallocated().allocatedTo(role);
        if (!offered.contains(needed)) {
            return (create ? "the reserved disk " : "the volumes ") + needed.unallocated() + " are not in the offer ("
                    + offered.unallocated() + ")";
        }
        return null;
    }

    private static List<TaskInfo> tasksOf(Call.Operation op) {
        if (op.type() == Call.Operation.Type.LAUNCH && op.launch() != null && op.launch().taskInfos() != null) {
            return op.launch().taskInfos();
        }
        if (op.type() == Call.Operation.Type.LAUNCH_GROUP && op.launchGroup() != null
                && op.launchGroup().taskGroup() != null && op.launchGroup().taskGroup().tasks() != null) {
            return op.launchGroup().taskGroup().tasks();
        }
        return List.of();
    }

    /** Why an operation's id cannot be taken: set on a launch, or already in use. Null when it can. */
    private String operationIdError(FrameworkEntry fw, Call.Operation op) {
        if (op.id() == null) {
            return null;
        }
        if (op.type() == Call.Operation.Type.LAUNCH || op.type() == Call.Operation.Type.LAUNCH_GROUP) {
            return "The 'id' field is not supported on " + op.type() + " operations: their tasks report their"
                    + " status themselves";
        }
        if (op.id().value() == null || op.id().value().isEmpty()) {
            return "'Operation.id.value' must not be empty";
        }
        if (fw.operations.containsKey(op.id())) {
            return "Operation id '" + op.id().value() + "' is already in use by this framework";
        }
        return null;
    }

    /**
     * An operation that was not applied. With an id, its framework is told (OPERATION_ERROR or OPERATION_DROPPED,
     * with no uuid: there is nothing to acknowledge, as in Mesos).
     */
    private void dropOperation(FrameworkEntry fw, AgentEntry agent, Call.Operation op, OperationState state,
                               String why) {
        LOG.info("Dropping {} from framework {}: {}", op.type(), fw.id, why);
        metrics.operation(op.type(), state == OperationState.OPERATION_DROPPED ? "dropped" : "error");
        if (op.id() != null) {
            sendOperationStatus(fw, new OperationStatus(op.id(), state, why, null, null,
                    agent == null ? null : agent.id));
        }
    }

    /**
     * An operation applied on the agent's default resources (so at once). With an id, its framework gets
     * OPERATION_FINISHED with the converted resources, to acknowledge; it is sent again when the framework
     * subscribes again, until acknowledged.
     */
    private void finishOperation(FrameworkEntry fw, AgentEntry agent, Call.Operation op, Resources converted) {
        metrics.operation(op.type(), "finished");
        if (op.id() == null) {
            return;
        }
        byte[] uuid = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(uuid);
        OperationEntry entry = new OperationEntry(fw.id, agent.id, op);
        OperationStatus status = new OperationStatus(op.id(), OperationState.OPERATION_FINISHED, null,
                converted.toList(), new OperationStatus.Uuid(java.util.Base64.getEncoder().encodeToString(uuid)),
                agent.id);
        entry.statuses.add(status);
        entry.pendingUuid = status.uuid().value();
        fw.operations.put(op.id(), entry);
        sendOperationStatus(fw, status);
    }

    private void sendOperationStatus(FrameworkEntry fw, OperationStatus status) {
        if (fw.stream != null) {
            fw.stream.send(MesosJson.write(Event.updateOperationStatus(status)));
            MasterMetrics.inc(fw.counters, "events/update_operation_status");
        }
    }

    /** ACKNOWLEDGE_OPERATION_STATUS: the operation's last status arrived; a terminal one ends its tracking. */
    private void acknowledgeOperation(FrameworkEntry fw, Call.AcknowledgeOperationStatus ack) {
        OperationEntry op = fw.operations.get(ack.operationId());
        if (op == null || op.pendingUuid == null || !op.pendingUuid.equals(ack.uuid())
                || (ack.agentId() != null && !ack.agentId().equals(op.agentId))) {
            metrics.inc("invalid_operation_status_update_acknowledgements");
            return;
        }
        metrics.inc("valid_operation_status_update_acknowledgements");
        op.pendingUuid = null;
        if (op.latest().state().isTerminal()) {
            fw.operations.remove(ack.operationId());
        }
    }

    /**
     * RECONCILE_OPERATIONS: the latest status of each operation named (all the framework's tracked operations when
     * none is named). An unknown operation is OPERATION_UNKNOWN, or what is known of the agent named: gone or
     * unreachable.
     */
    private void reconcileOperations(FrameworkEntry fw, Call.ReconcileOperations reconcile) {
        List<Call.ReconcileOperations.ReconcileOperation> asked = reconcile.operations() == null ? List.of()
                : reconcile.operations();
        if (asked.isEmpty()) {
            fw.operations.values().forEach(o -> sendOperationStatus(fw, o.latest().withoutUuid()));
            return;
        }
        for (Call.ReconcileOperations.ReconcileOperation r : asked) {
            OperationEntry known = r.operationId() == null ? null : fw.operations.get(r.operationId());
            if (known != null) {
                sendOperationStatus(fw, known.latest().withoutUuid());
                continue;
            }
            OperationState answer = OperationState.OPERATION_UNKNOWN;
            if (r.agentId() != null && state.goneAgents.contains(r.agentId())) {
                answer = OperationState.OPERATION_GONE_BY_OPERATOR;
            } else if (r.agentId() != null && state.agents.containsKey(r.agentId())
                    && state.agents.get(r.agentId()).unreachableTime != null) {
                answer = OperationState.OPERATION_UNREACHABLE;
            }
            sendOperationStatus(fw, new OperationStatus(r.operationId(), answer, null, null, null, r.agentId()));
        }
    }

    /** Launches one task out of {@code remaining}; returns what is left. */
    private Resources launchTask(FrameworkEntry fw, AgentEntry agent, TaskInfo task, Resources remaining, String role,
                                 Set<TaskId> inThisCall) {
        String error = validateTask(fw, agent, task, remaining, role, inThisCall);
        if (error != null) {
            sendUpdate(fw, masterStatusFor(task.taskId(), agent.id, TaskState.TASK_ERROR, error,
                    TaskStatus.Reason.REASON_TASK_INVALID));
            return remaining;
        }
        Resources taskResources = Resources.of(task.resources()).unallocated().allocatedTo(role);
        inThisCall.add(task.taskId());
        TaskInfo launched = task.withAgentId(agent.id);
        Resources left = remaining.minus(taskResources);
        if (task.executor() != null) {
            ExecutorInfo executor = task.executor().withFrameworkId(fw.id);
            launched = new TaskInfo(task.name(), task.taskId(), agent.id, task.resources(), executor, null,
                    task.container(), task.killPolicy(), task.data(), task.labels());
            left = left.minus(addExecutor(agent, executor, role));
        }
        TaskEntry entry = new TaskEntry(launched, fw.id, agent.id, role, taskResources);
        entry.executorId = task.executor() == null ? null : task.executor().executorId();
        fw.tasks.put(task.taskId(), entry);
        agent.tasks.put(entry.key(), entry);
        operatorEvent("TASK_ADDED", "task", () -> V1Views.task(entry));
        sendToAgent(agent, AgentEvent.launch(new AgentEvent.Launch(fw.info, launched)));
        return left;
    }

    /**
     * The resources a task's executor costs on top of the task's: its own the first time it is launched on the
     * agent (it is then recorded), nothing while it runs there.
     */
    private Resources executorCost(AgentEntry agent, ExecutorInfo executor, String role) {
        ExecutorKey key = new ExecutorKey(executor.frameworkId(), executor.executorId());
        if (agent.executors.containsKey(key) || executor.resources() == null) {
            return Resources.EMPTY;
        }
        return Resources.of(executor.resources()).unallocated().allocatedTo(role);
    }

    /** Records the executor on the agent unless it runs there already; returns what it newly uses. */
    private Resources addExecutor(AgentEntry agent, ExecutorInfo executor, String role) {
        Resources cost = executorCost(agent, executor, role);
        ExecutorKey key = new ExecutorKey(executor.frameworkId(), executor.executorId());
        if (!agent.executors.containsKey(key)) {
            agent.executors.put(key, new ExecutorEntry(executor, agent.id, role, cost));
        }
        return cost;
    }

    /** Forgets an executor and gives back what it used. */
    private void removeExecutor(AgentEntry agent, ExecutorEntry e) {
        agent.executors.remove(e.key());
        if (!e.resourcesRecovered) {
            e.resourcesRecovered = true;
            FrameworkEntry fw = state.frameworks.get(e.info.frameworkId());
            if (fw != null) {
                fw.release(e.role, e.resources);
            }
            agent.available = agent.available.plus(e.resources.unallocated());
            requestAllocation();
        }
    }

    /**
     * LAUNCH_GROUP: the tasks run together under the DEFAULT executor, all or none. An invalid group (or one that
     * does not fit in the offer) ends every one of its tasks in TASK_ERROR.
     */
    private Resources launchGroup(FrameworkEntry fw, AgentEntry agent, Call.Operation.LaunchGroup group,
                                  Resources remaining, String role, Set<TaskId> inThisCall) {
        List<TaskInfo> tasks = group == null || group.taskGroup() == null || group.taskGroup().tasks() == null
                ? List.of() : group.taskGroup().tasks();
        String error = null;
        if (group == null || group.executor() == null) {
            error = "'LaunchGroup.executor' must be set";
        } else if (tasks.isEmpty()) {
            error = "'LaunchGroup.task_group' must contain at least one task";
        } else {
            error = validateExecutor(fw, agent, group.executor(), true);
        }
        Set<TaskId> seen = new HashSet<>(inThisCall);
        Resources wanted = Resources.EMPTY;
        ExecutorInfo executor = null;
        if (error == null) {
            executor = group.executor().withFrameworkId(fw.id);
            wanted = executorCost(agent, executor, role);
            for (TaskInfo task : tasks) {
                if (task.executor() != null) {
                    error = "Task '" + task.taskId().value() + "' of a task group must not set 'executor'";
                } else {
                    error = validateTaskAlone(fw, agent, task, seen);
                }
                if (error != null) {
                    break;
                }
                seen.add(task.taskId());
                wanted = wanted.plus(Resources.of(task.resources()).unallocated().allocatedTo(role));
            }
        }
        if (error == null && !remaining.contains(wanted)) {
            error = "Task group uses more resources " + wanted.unallocated() + " than available "
                    + remaining.unallocated();
        }
        if (error != null) {
            for (TaskInfo task : tasks) {
                if (task.taskId() != null) {
                    sendUpdate(fw, masterStatusFor(task.taskId(), agent.id, TaskState.TASK_ERROR, error,
                            TaskStatus.Reason.REASON_TASK_GROUP_INVALID));
                }
            }
            return remaining;
        }
        addExecutor(agent, executor, role);
        List<TaskInfo> launched = new ArrayList<>();
        for (TaskInfo task : tasks) {
            inThisCall.add(task.taskId());
            TaskInfo t = task.withAgentId(agent.id);
            launched.add(t);
            TaskEntry entry = new TaskEntry(t, fw.id, agent.id, role,
                    Resources.of(task.resources()).unallocated().allocatedTo(role));
            entry.executorId = executor.executorId();
            fw.tasks.put(task.taskId(), entry);
            agent.tasks.put(entry.key(), entry);
            operatorEvent("TASK_ADDED", "task", () -> V1Views.task(entry));
        }
        sendToAgent(agent, AgentEvent.launchGroup(new AgentEvent.LaunchGroup(fw.info, executor,
                new TaskGroupInfo(launched))));
        return remaining.minus(wanted);
    }

    /** Applies a reservation change to the agent's total and records it in the registry. */
    private void apply(AgentEntry agent, ReservationChange change) {
        agent.total = agent.total.minus(change.from()).plus(change.to());
        if (change.reserve()) {
            registry.addReservation(agent.id.value(), change.reserved());
        } else {
            registry.removeReservation(agent.id.value(), change.reserved());
        }
    }

    private String validateTask(FrameworkEntry fw, AgentEntry agent, TaskInfo task, Resources remaining, String role,
                                Set<TaskId> inThisCall) {
        String error = validateTaskAlone(fw, agent, task, inThisCall);
        if (error != null) {
            return error;
        }
        if ((task.command() == null) == (task.executor() == null)) {
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
        }
        Resources wanted = Resources.of(task.resources()).unallocated().allocatedTo(role);
        if (task.executor() != null) {
            error = validateExecutor(fw, agent, task.executor(), false);
            if (error != null) {
                return error;
            }
            wanted = wanted.plus(executorCost(agent, task.executor().withFrameworkId(fw.id), role));
        }
        if (!remaining.contains(wanted)) {
            return "Task uses more resources " + wanted.unallocated() + " than available " + remaining.unallocated();
        }
        return null;
    }

    /** An executor a task names: well formed, of the right type, and the same as the one running, if any. */
    private String validateExecutor(FrameworkEntry fw, AgentEntry agent, ExecutorInfo executor, boolean group) {
        if (executor.executorId() == null || executor.executorId().value() == null
                || executor.executorId().value().isEmpty()) {
            return "'ExecutorInfo.executor_id' must be set";
        }
        String eid = executor.executorId().value();
        if (eid.contains("/") || eid.chars().anyMatch(Character::isWhitespace) || eid.equals(".")
                || eid.equals("..")) {
            return "'ExecutorID.value' '" + eid + "' contains invalid characters";
        }
        if (executor.frameworkId() != null && !fw.id.equals(executor.frameworkId())) {
            return "ExecutorInfo has an invalid FrameworkID (Actual: " + executor.frameworkId().value()
                    + " vs Expected: " + fw.id.value() + ")";
        }
        if (group && (executor.type() == null || executor.type() == ExecutorInfo.Type.UNKNOWN)) {
            return "'ExecutorInfo.type' must be set (CUSTOM or DEFAULT) for a task group";
        }
        if (!group && executor.type() == ExecutorInfo.Type.DEFAULT) {
            return "The DEFAULT executor runs task groups only (LAUNCH_GROUP); a task needs a CUSTOM executor";
        }
        if (executor.type() == ExecutorInfo.Type.DEFAULT && executor.command() != null) {
            return "'ExecutorInfo.command' must not be set for the DEFAULT executor";
        }
        if (executor.type() != ExecutorInfo.Type.DEFAULT && (executor.command() == null
                || executor.command().value() == null || executor.command().value().isEmpty())) {
            return "'ExecutorInfo.command' must be set for a CUSTOM executor";
        }
        if (executor.resources() != null) {
            String bad = invalidResources("Executor", executor.resources());
            if (bad != null) {
                return bad;
            }
        }
        ExecutorEntry running = agent.executors.get(new ExecutorKey(fw.id, executor.executorId()));
        if (running != null && !running.info.equals(executor.withFrameworkId(fw.id))) {
            return "ExecutorInfo is not compatible with the ExecutorInfo of the running executor '" + eid + "'";
        }
        return null;
    }

    /** What can be checked of a task on its own: id, agent, command and the form of its resources. */
    private String validateTaskAlone(FrameworkEntry fw, AgentEntry agent, TaskInfo task, Set<TaskId> inThisCall) {
        if (task.taskId() == null || task.taskId().value() == null || task.taskId().value().isEmpty()) {
            return "Task ID must not be empty";
        }
        String tid = task.taskId().value();
        if (tid.contains("/") || tid.chars().anyMatch(Character::isWhitespace)) {
            return "'TaskID.value' '" + tid + "' contains invalid characters";
        }
        if (fw.tasks.containsKey(task.taskId()) || inThisCall.contains(task.taskId())) {
            return "Task has duplicate ID: " + tid;
        }
        if (task.agentId() != null && !agent.id.equals(task.agentId())) {
            return "Task uses invalid agent: " + task.agentId();
        }
        if (task.command() == null && task.executor() == null) {
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
        }
        if (task.command() != null && task.command().isShell() && (task.command().value() == null || task.command().value().isEmpty())) {
            return "'CommandInfo.value' must be set for a shell command";
        }
        if (task.command() != null && !task.command().isShell() && (task.command().value() == null || task.command().value().isEmpty())) {
            return "'CommandInfo.value' must name the executable when 'shell' is false";
        }
        if (task.resources() == null || task.resources().isEmpty()) {
            return "Task uses no resources";
        }
        return invalidResources("Task", task.resources());
    }

    /** Why {@code who}'s (a task's or an executor's) resources are not well formed, or null. */
    private static String invalidResources(String who, List<io.pangaea.model.Resource> resources) {
        try {
            Resources.of(resources);
        } catch (RuntimeException e) {
            return who + " uses invalid resources: " + e.getMessage();
        }
        for (io.pangaea.model.Resource r : resources) {
            if (r.name() == null || r.type() == null) {
                return who + " uses invalid resources: each resource needs 'name' and 'type'";
            }
            if (r.type() == io.pangaea.model.ValueType.SCALAR && (r.scalar() == null || r.scalar().value() < 0
                    || Double.isNaN(r.scalar().value()))) {
                return who + " uses invalid resources: '" + r.name() + "' needs a non-negative 'scalar.value'";
            }
        }
        return null;
    }

    private void decline(FrameworkEntry fw, List<OfferId> ids, io.pangaea.model.Filters filters) {
        double refuse = filters == null ? io.pangaea.model.Filters.DEFAULT_REFUSE_SECONDS
                : filters.refuseSecondsOrDefault();
        for (OfferId id : ids == null ? List.<OfferId>of() : ids) {
            OfferEntry o = state.offers.get(id);
            if (o == null || !o.frameworkId.equals(fw.id)) {
                continue;
            }
            removeOffer(id, false, false);
            MasterMetrics.inc(fw.counters, "offers/declined");
            addFilter(fw, o.agentId, o.resources.unallocated(), refuse);
        }
        requestAllocation();
    }

    private void addFilter(FrameworkEntry fw, AgentId agent, Resources resources, double refuseSeconds) {
        if (!(refuseSeconds > 0)) {
            return;
        }
        // Mesos holds a filter for at least one allocation interval.
        long nanos = (long) Math.min(Long.MAX_VALUE / 4.0,
                Math.max(refuseSeconds * 1e9, config.allocationInterval().toNanos()));
        fw.filters.computeIfAbsent(agent, k -> new ArrayList<>())
                .add(new DeclineFilter(resources, System.nanoTime() + nanos));
    }

    private void revive(FrameworkEntry fw, List<String> roles) {
        if (roles == null || roles.isEmpty()) {
            fw.suppressedRoles.clear();
        } else {
            roles.forEach(fw.suppressedRoles::remove);
        }
        fw.filters.clear();
        requestAllocation();
    }

    /**
     * UPDATE_FRAMEWORK: the framework's info (name, roles, capabilities, failover timeout, labels, ...) and its
     * suppressed roles are replaced. Outstanding offers are rescinded, since they may be for a role it left.
     */
    private void updateFramework(FrameworkEntry fw, Call.UpdateFramework update) {
        FrameworkInfo info = update.frameworkInfo().withId(fw.id);
        LOG.info("Framework {} updated: roles {}", fw.id, info.effectiveRoles());
        fw.info = info;
        fw.suppressedRoles.clear();
        if (update.suppressedRoles() != null) {
            fw.suppressedRoles.addAll(update.suppressedRoles());
        }
        for (OfferId o : List.copyOf(fw.offers)) {
            removeOffer(o, true, false);
        }
        operatorEvent("FRAMEWORK_UPDATED", "framework", () -> views().framework(fw, false));
        requestAllocation();
    }

    private void suppress(FrameworkEntry fw, List<String> roles) {
        fw.suppressedRoles.addAll(roles == null || roles.isEmpty() ? fw.roles() : roles);
    }

    private void kill(FrameworkEntry fw, Call.Kill kill) {
        TaskEntry t = fw.tasks.get(kill.taskId());
        AgentEntry agent = t == null ? null : state.agents.get(t.agentId);
        if (t == null || agent == null) {
            // Mesos answers a kill of an unknown task with a reconciliation of that task.
            reconcile(fw, new Call.Reconcile(List.of(new Call.Reconcile.ReconcileTask(kill.taskId(),
                    kill.agentId()))));
            return;
        }
        if (!agent.connected) {
            LOG.info("Kill of task {} waits for agent {} to reconnect", kill.taskId(), agent.id);
            return;
        }
        sendToAgent(agent, AgentEvent.kill(new AgentEvent.Kill(fw.id, kill.taskId(),
                kill.killPolicy() != null ? kill.killPolicy() : t.info.killPolicy())));
    }

    private void shutdownExecutor(FrameworkEntry fw, Call.Shutdown shutdown) {
        AgentEntry agent = state.agents.get(shutdown.agentId());
        if (agent != null && agent.executors.containsKey(new ExecutorKey(fw.id, shutdown.executorId()))) {
            if (agent.connected) {
                sendToAgent(agent, AgentEvent.shutdownExecutor(fw.id, shutdown.executorId()));
            }
            return;
        }
        // A command task's executor has the task's id: shutting it down kills the task.
        TaskEntry t = fw.tasks.get(TaskId.of(shutdown.executorId().value()));
        if (t != null) {
            kill(fw, new Call.Kill(t.info.taskId(), t.agentId, null));
        }
    }

    private void acknowledge(FrameworkEntry fw, Call.Acknowledge ack) {
        TaskEntry t = fw.tasks.get(ack.taskId());
        AgentEntry agent = state.agents.get(ack.agentId());
        metrics.inc(agent != null ? "valid_status_update_acknowledgements" : "invalid_status_update_acknowledgements");
        if (t != null && ack.uuid().equals(t.statusUpdateUuid) && t.statusUpdateState != null
                && t.statusUpdateState.isTerminal()) {
            recoverTaskResources(t);
            completeTask(fw, t);
        }
        if (agent != null && agent.connected) {
            sendToAgent(agent, AgentEvent.acknowledge(new AgentEvent.Acknowledge(fw.id, ack.taskId(), ack.uuid())));
        }
    }

    private void reconcile(FrameworkEntry fw, Call.Reconcile reconcile) {
        double now = now();
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
            TaskEntry done = fw.completedTasks.stream().filter(c -> c.info.taskId().equals(rt.taskId()))
                    .findFirst().orElse(null);
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
            } else if (agent != null && agent.unreachableTime != null) {
                answer = TaskState.TASK_UNREACHABLE;
                message = "Reconciliation: Task is unreachable";
            } else if (agent != null && agent.connected) {
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

    private TaskStatus latestStatus(TaskEntry t) {
        if (t.latestStatus != null) {
            TaskStatus s = t.latestStatus;
            return new TaskStatus(s.taskId(), t.state, s.message(), s.source(), s.reason(), s.data(), t.agentId,
                    s.executorId(), s.timestamp(), null, s.healthy(), s.labels(), s.containerStatus());
        }
        return masterStatus(t, t.state, null, null);
    }

    private TaskStatus masterStatus(TaskEntry t, TaskState s, String message, TaskStatus.Reason reason) {
        return masterStatusFor(t.info.taskId(), t.agentId, s, message, reason);
    }

    private static TaskStatus masterStatusFor(TaskId task, AgentId agent, TaskState s, String message,
                                              TaskStatus.Reason reason) {
        return new TaskStatus(task, s, message, TaskStatus.Source.SOURCE_MASTER, reason, null, agent, null, now(),
                null, null, null, null);
    }

    private void sendUpdate(FrameworkEntry fw, TaskStatus status) {
        if (fw.stream != null) {
            fw.stream.send(MesosJson.write(Event.update(status)));
            MasterMetrics.inc(fw.counters, "events/update");
        }
        if (!operatorStreams.isEmpty() && status.reason() != TaskStatus.Reason.REASON_RECONCILIATION) {
            TaskEntry t = fw.tasks.get(status.taskId());
            if (t != null) {
                com.fasterxml.jackson.databind.node.ObjectNode body =
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                body.set("framework_id", MesosJson.tree(fw.id));
                body.set("status", MesosJson.tree(status));
                body.put("state", t.state.name());
                byte[] event = MesosJson.write(V1Views.response("TASK_UPDATED", body));
                List.copyOf(operatorStreams).forEach(s -> s.send(event));
            }
        }
    }

    private void completeTask(FrameworkEntry fw, TaskEntry t) {
        fw.tasks.remove(t.info.taskId());
        AgentEntry agent = state.agents.get(t.agentId);
        if (agent != null) {
            agent.tasks.remove(t.key());
        }
        fw.completedTasks.addLast(t);
        while (fw.completedTasks.size() > config.maxCompletedTasksPerFramework()) {
            fw.completedTasks.removeFirst();
        }
    }

    private void recoverTaskResources(TaskEntry t) {
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
            agent.available = agent.available.plus(t.resources.unallocated());
        }
        requestAllocation();
    }

    // ---- agents -----------------------------------------------------------------------------------------------

    /** A framework's message for an executor goes to the executor's agent, if it is connected. */
    private void frameworkMessage(FrameworkEntry fw, Call.Message message) {
        AgentEntry agent = state.agents.get(message.agentId());
        if (agent == null || !agent.connected) {
            metrics.inc("invalid_framework_to_executor_messages");
            LOG.info("Dropping a message from framework {} for executor {}: agent {} is not connected", fw.id,
                    message.executorId(), message.agentId());
            return;
        }
        metrics.inc("valid_framework_to_executor_messages");
        sendToAgent(agent, AgentEvent.message(new AgentEvent.Message(fw.id, message.executorId(), message.data())));
    }

    /** An executor's message, through its agent, for its framework (MESSAGE event). */
    public void executorMessage(AgentId agentId, AgentCall.Message message) {
        loop.execute(() -> {
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
        });
    }

    /** An executor ended on its agent: its resources come back and its framework gets a FAILURE event. */
    public void executorExited(AgentId agentId, AgentCall.ExecutorExited exited) {
        loop.execute(() -> {
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
        });
    }

    /** An agent (re-)subscribes; its stream is open. */
    public void subscribeAgent(AgentCall.Subscribe sub, EventSink stream) {
        loop.execute(() -> doSubscribeAgent(sub, stream));
    }

    private void doSubscribeAgent(AgentCall.Subscribe sub, EventSink stream) {
        AgentInfo info = sub.agentInfo();
        AgentId id = info.id();
        if (id != null && state.goneAgents.contains(id)) {
            LOG.info("Agent {} was marked gone; refusing its registration", id);
            stream.send(MesosJson.write(AgentEvent.error("Agent " + id + " has been marked gone")));
            stream.close();
            return;
        }
        AgentEntry agent = id == null ? null : state.agents.get(id);
        boolean known = agent != null;
        if (id == null) {
            id = AgentId.of(masterId + "-S" + nextAgentNumber++);
        }
        if (agent == null) {
            agent = new AgentEntry(id);
            agent.registeredTime = now();
            state.agents.put(id, agent);
        } else {
            if (agent.stream != null) {
                agent.stream.close();
            }
            if (agent.heartbeat != null) {
                agent.heartbeat.cancel(false);
            }
            for (OfferId o : List.copyOf(agent.offers)) {
                removeOffer(o, true, false);
            }
            agent.reregisteredTime = now();
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
        agent.info = info.withId(id);
        agent.total = registry.applyReservations(id.value(), Resources.of(info.resources()));
        agent.version = sub.version();
        agent.stream = stream;
        agent.connected = true;
        LOG.info("Agent {} at {}:{} {} with {}", id, info.hostname(), info.port(),
                known ? "re-registered" : (info.id() != null ? "registered with its previous id" : "registered"),
                agent.total);
        reconcileAgentTasks(agent, sub);
        AgentEntry subscribed = agent;
        if (!known) {
            operatorEvent("AGENT_ADDED", "agent", () -> views().agent(subscribed));
        }
        metrics.inc(info.id() == null ? "messages_register_slave" : "messages_reregister_slave");
        metrics.inc(known || info.id() != null ? "slave_reregistrations" : "slave_registrations");
        stream.onClose(() -> loop.execute(() -> agentDisconnected(subscribed, stream)));
        sendToAgent(agent, AgentEvent.registered(new AgentEvent.Registered(id, masterInfo,
                config.heartbeatInterval().toMillis() / 1000.0)));
        long hbMs = config.heartbeatInterval().toMillis();
        agent.heartbeat = loop.scheduleAtFixedRate(() -> {
            if (subscribed.stream == stream) {
                stream.send(MesosJson.write(AgentEvent.HEARTBEAT));
            }
        }, hbMs, hbMs, TimeUnit.MILLISECONDS);
        requestAllocation();
    }

    /**
     * A running agent's attributes changed (it installed or removed a containerizer or isolator): its outstanding
     * offers, which carry the old ones, are rescinded and its resources offered again with the new ones.
     */
    public void updateAgentAttributes(AgentId id, List<Attribute> attributes) {
        loop.execute(() -> {
            AgentEntry agent = state.agents.get(id);
            if (agent == null || agent.info == null) {
                LOG.debug("Attributes for unknown agent {} ignored", id);
                return;
            }
            metrics.inc("messages_update_slave");
            agent.info = new AgentInfo(agent.info.hostname(), agent.info.port(), agent.info.resources(),
                    List.copyOf(attributes), agent.info.id());
            LOG.info("Agent {} now has attributes {}", id, attributes.stream()
                    .map(a -> a.name() + ":" + a.plainValue()).toList());
            for (OfferId o : List.copyOf(agent.offers)) {
                removeOffer(o, true, false);
            }
            requestAllocation();
        });
    }

    private boolean isCompletedTask(FrameworkId fid, TaskId tid) {
        FrameworkEntry fw = state.frameworks.get(fid);
        return fw != null && fw.completedTasks.stream().anyMatch(c -> c.info.taskId().equals(tid)
                && c.state == TaskState.TASK_LOST);
    }

    /** Adopts the tasks an agent reports; tasks the master had there and the agent no longer has are lost. */
    private void reconcileAgentTasks(AgentEntry agent, AgentCall.Subscribe sub) {
        Map<FrameworkId, FrameworkInfo> infos = new HashMap<>();
        if (sub.frameworks() != null) {
            sub.frameworks().forEach(f -> infos.put(f.id(), f));
        }
        Set<TaskKey> reported = new HashSet<>();
        Set<FrameworkId> toShutDown = new HashSet<>();
        for (Task task : sub.tasks() == null ? List.<Task>of() : sub.tasks()) {
            TaskKey key = new TaskKey(task.frameworkId(), task.taskId());
            reported.add(key);
            TaskEntry known = agent.tasks.get(key);
            if (known != null) {
                if (known.state == TaskState.TASK_UNREACHABLE && !task.state().isTerminal()) {
                    // back with its agent: the framework (partition-aware) learns the task's state again
                    FrameworkEntry fw = state.frameworks.get(known.frameworkId);
                    known.state = task.state();
                    known.resourcesRecovered = false;
                    TaskStatus back = masterStatus(known, task.state(), "Agent reregistered",
                            TaskStatus.Reason.REASON_AGENT_REREGISTERED);
                    known.statuses.add(back);
                    known.latestStatus = back;
                    if (fw != null) {
                        fw.allocate(known.role, known.resources);
                        sendUpdate(fw, back);
                    }
                }
                continue;
            }
            if (isCompletedTask(task.frameworkId(), task.taskId()) && !task.state().isTerminal()) {
                // marked lost while its agent was away, and its framework was told: it must not run on
                sendToAgent(agent, AgentEvent.kill(new AgentEvent.Kill(task.frameworkId(), task.taskId(), null)));
                continue;
            }
            if (state.completedFrameworks.stream().anyMatch(c -> c.id.equals(task.frameworkId()))) {
                toShutDown.add(task.frameworkId());
                continue;
            }
            FrameworkEntry fw = state.frameworks.get(task.frameworkId());
            if (fw == null) {
                FrameworkInfo fi = infos.get(task.frameworkId());
                if (fi == null) {
                    toShutDown.add(task.frameworkId());
                    continue;
                }
                // Known only through its agent (e.g. after a master failover) until it subscribes again.
                fw = new FrameworkEntry(task.frameworkId());
                fw.info = fi;
                fw.registeredTime = now();
                state.frameworks.put(fw.id, fw);
            }
            String role = task.resources() == null || task.resources().isEmpty()
                    || task.resources().get(0).allocationInfo() == null
                    ? fw.roles().isEmpty() ? "*" : fw.roles().get(0)
                    : task.resources().get(0).allocationInfo().role();
            Resources res = Resources.of(task.resources()).unallocated().allocatedTo(role);
            TaskInfo ti = new TaskInfo(task.name(), task.taskId(), agent.id, task.resources(), null, null,
                    task.container(), null, null, task.labels());
            TaskEntry t = new TaskEntry(ti, fw.id, agent.id, role, res);
            if (task.executorId() != null && sub.executors() != null && sub.executors().stream().anyMatch(
                    e -> e != null && task.executorId().equals(e.executorId())
                            && task.frameworkId().equals(e.frameworkId()))) {
                t.executorId = task.executorId();
            }
            t.state = task.state();
            t.statusUpdateState = task.statusUpdateState();
            t.statusUpdateUuid = task.statusUpdateUuid();
            if (task.statuses() != null) {
                t.statuses.addAll(task.statuses());
            }
            fw.tasks.put(task.taskId(), t);
            agent.tasks.put(key, t);
            if (task.state().isTerminal()) {
                t.resourcesRecovered = true;
            } else {
                fw.allocate(role, res);
            }
        }
        for (TaskEntry t : List.copyOf(agent.tasks.values())) {
            if (!reported.contains(t.key()) && !t.state.isTerminal()) {
                FrameworkEntry fw = state.frameworks.get(t.frameworkId);
                t.state = TaskState.TASK_LOST;
                TaskStatus lost = masterStatus(t, TaskState.TASK_LOST, "Task is unknown to the agent",
                        TaskStatus.Reason.REASON_AGENT_RESTARTED);
                t.statuses.add(lost);
                t.latestStatus = lost;
                recoverTaskResources(t);
                if (fw != null) {
                    sendUpdate(fw, lost);
                    completeTask(fw, t);
                }
            }
        }
        adoptExecutors(agent, sub, toShutDown);
        Resources used = agent.used().unallocated();
        agent.available = agent.total.minus(used);
        for (FrameworkId f : toShutDown) {
            sendToAgent(agent, AgentEvent.shutdownFramework(f));
        }
    }

    /**
     * The executors a (re-)registering agent runs become the master's record of its executors: known ones stay,
     * new ones (after a master failover or a partition) are adopted with their resources, and those the agent no
     * longer runs are forgotten.
     */
    private void adoptExecutors(AgentEntry agent, AgentCall.Subscribe sub, Set<FrameworkId> toShutDown) {
        Set<ExecutorKey> reported = new HashSet<>();
        for (ExecutorInfo e : sub.executors() == null ? List.<ExecutorInfo>of() : sub.executors()) {
            if (e == null || e.frameworkId() == null || e.executorId() == null) {
                continue;
            }
            ExecutorKey key = new ExecutorKey(e.frameworkId(), e.executorId());
            reported.add(key);
            FrameworkEntry fw = state.frameworks.get(e.frameworkId());
            if (fw == null) {
                toShutDown.add(e.frameworkId());
                continue;
            }
            if (agent.executors.containsKey(key)) {
                continue;
            }
            List<io.pangaea.model.Resource> rs = e.resources() == null ? List.of() : e.resources();
            String role = rs.isEmpty() || rs.get(0).allocationInfo() == null
                    ? fw.roles().isEmpty() ? "*" : fw.roles().get(0) : rs.get(0).allocationInfo().role();
            Resources res = Resources.of(rs).unallocated().allocatedTo(role);
            agent.executors.put(key, new ExecutorEntry(e, agent.id, role, res));
            fw.allocate(role, res);
        }
        for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
            if (!reported.contains(e.key())) {
                removeExecutor(agent, e);
            }
        }
    }

    private void agentDisconnected(AgentEntry agent, EventSink stream) {
        if (agent.stream != stream) {
            return;
        }
        LOG.info("Agent {} disconnected", agent.id);
        agent.stream = null;
        agent.connected = false;
        if (agent.heartbeat != null) {
            agent.heartbeat.cancel(false);
        }
        for (OfferId o : List.copyOf(agent.offers)) {
            removeOffer(o, true, false);
        }
        metrics.inc("slave_unreachable_scheduled");
        agent.unreachableTimer = loop.schedule(() -> {
            if (!agent.connected && state.agents.get(agent.id) == agent && agent.unreachableTime == null) {
                markUnreachable(agent);
            }
        }, config.agentUnreachableTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A disconnected agent did not come back in time: its tasks become TASK_UNREACHABLE for partition-aware
     * frameworks (they may come back with the agent) and TASK_LOST for the others.
     */
    private void markUnreachable(AgentEntry agent) {
        LOG.info("Agent {} is unreachable: it did not reconnect within {}", agent.id,
                config.agentUnreachableTimeout());
        agent.unreachableTime = now();
        metrics.inc("slave_unreachable_completed");
        operatorEvent("AGENT_REMOVED", "agent_id", () -> agent.id);
        String why = "Agent " + agent.info.hostname() + " is unreachable";
        for (TaskEntry t : List.copyOf(agent.tasks.values())) {
            if (!t.state.isTerminal()) {
                FrameworkEntry fw = state.frameworks.get(t.frameworkId);
                boolean pa = fw != null && fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE);
                endTask(fw, t, pa ? TaskState.TASK_UNREACHABLE : TaskState.TASK_LOST, why,
                        TaskStatus.Reason.REASON_AGENT_REMOVED);
            }
        }
        // the agent reports the executors it still runs when it comes back
        for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
            removeExecutor(agent, e);
        }
        requestAllocation();
    }

    /**
     * The master itself moves a task to {@code to} (unreachable, lost, gone) and tells its framework. Resources
     * are released; a terminal task is completed.
     */
    private void endTask(FrameworkEntry fw, TaskEntry t, TaskState to, String message, TaskStatus.Reason reason) {
        if (!t.state.isTerminal() && to.isTerminal()) {
            metrics.terminal(to);
            if (fw != null) {
                MasterMetrics.inc(fw.counters, "tasks/terminal/" + to.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        t.state = to;
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

    /**
     * MARK_AGENT_GONE: the agent is gone for good. Its tasks become TASK_GONE_BY_OPERATOR (TASK_LOST for frameworks
     * that are not partition-aware), it is told to shut down if it is connected, and it may not register again.
     * Completes with false when the agent is unknown.
     */
    public CompletableFuture<Boolean> markAgentGone(AgentId id) {
        return CompletableFuture.supplyAsync(() -> {
            AgentEntry agent = state.agents.get(id);
            if (agent == null) {
                return state.goneAgents.contains(id);
            }
            LOG.info("Agent {} marked gone by the operator", id);
            state.goneAgents.add(id);
            for (TaskEntry t : List.copyOf(agent.tasks.values())) {
                FrameworkEntry fw = state.frameworks.get(t.frameworkId);
                boolean pa = fw != null && fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE);
                if (!t.state.isTerminal() || t.state == TaskState.TASK_UNREACHABLE) {
                    endTask(fw, t, pa ? TaskState.TASK_GONE_BY_OPERATOR : TaskState.TASK_LOST,
                            "Agent " + agent.info.hostname() + " has been marked gone",
                            TaskStatus.Reason.REASON_AGENT_REMOVED_BY_OPERATOR);
                }
            }
            removeAgent(agent, "Agent has been marked gone");
            return true;
        }, loop);
    }

    /**
     * DEACTIVATE_AGENT (true) or REACTIVATE_AGENT (false): offers from the agent stop (outstanding ones are
     * rescinded) or resume; reactivation also ends a drain. False when the agent is unknown.
     */
    public CompletableFuture<Boolean> setAgentActive(AgentId id, boolean active) {
        return CompletableFuture.supplyAsync(() -> {
            AgentEntry agent = state.agents.get(id);
            if (agent == null) {
                return false;
            }
            LOG.info("Agent {} {}", id, active ? "reactivated" : "deactivated");
            agent.deactivated = !active;
            if (active) {
                agent.drainState = null;
                agent.drain = null;
            } else {
                for (OfferId o : List.copyOf(agent.offers)) {
                    removeOffer(o, true, false);
                }
            }
            requestAllocation();
            return true;
        }, loop);
    }

    /** DRAIN_AGENT: deactivates the agent and kills its tasks; DRAINED once none is left. */
    public CompletableFuture<Boolean> drainAgent(io.pangaea.model.operator.OperatorCall.DrainAgent drain) {
        return CompletableFuture.supplyAsync(() -> {
            AgentEntry agent = state.agents.get(drain.agentId());
            if (agent == null) {
                return false;
            }
            LOG.info("Draining agent {}", agent.id);
            agent.deactivated = true;
            agent.drainState = "DRAINING";
            agent.drain = drain;
            for (OfferId o : List.copyOf(agent.offers)) {
                removeOffer(o, true, false);
            }
            io.pangaea.model.KillPolicy policy = drain.maxGracePeriod() == null ? null
                    : new io.pangaea.model.KillPolicy(new io.pangaea.model.DurationInfo(
                    drain.maxGracePeriod().toNanos()));
            for (TaskEntry t : List.copyOf(agent.tasks.values())) {
                if (!t.state.isTerminal()) {
                    io.pangaea.model.KillPolicy p = policy;
                    if (p == null || (t.info.killPolicy() != null && t.info.killPolicy().gracePeriod() != null
                            && t.info.killPolicy().gracePeriod().nanoseconds()
                            < p.gracePeriod().nanoseconds())) {
                        p = t.info.killPolicy(); // the task's own grace period when it is shorter
                    }
                    sendToAgent(agent, AgentEvent.kill(new AgentEvent.Kill(t.frameworkId, t.info.taskId(), p)));
                }
            }
            checkDrained(agent);
            return true;
        }, loop);
    }

    private void checkDrained(AgentEntry agent) {
        if (!"DRAINING".equals(agent.drainState)
                || agent.tasks.values().stream().anyMatch(t -> !t.state.isTerminal())) {
            return;
        }
        agent.drainState = "DRAINED";
        LOG.info("Agent {} is drained", agent.id);
        if (agent.drain != null && Boolean.TRUE.equals(agent.drain.markGone())) {
            markAgentGone(agent.id);
        }
    }

    private void removeAgent(AgentEntry agent, String why) {
        for (OfferId o : List.copyOf(agent.offers)) {
            removeOffer(o, true, false);
        }
        if (agent.heartbeat != null) {
            agent.heartbeat.cancel(false);
        }
        if (agent.unreachableTimer != null) {
            agent.unreachableTimer.cancel(false);
        }
        EventSink stream = agent.stream;
        agent.stream = null;
        agent.connected = false;
        if (stream != null) {
            stream.send(MesosJson.write(AgentEvent.error(why)));
            stream.close();
        }
        for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
            removeExecutor(agent, e);
        }
        state.agents.remove(agent.id);
        metrics.inc("slave_removals");
        operatorEvent("AGENT_REMOVED", "agent_id", () -> agent.id);
        requestAllocation();
    }

    /** Status updates from an agent, in the order it sent them, to forward to their frameworks. */
    public void agentUpdates(List<AgentCall.Update> updates) {
        loop.execute(() -> updates.forEach(this::doAgentUpdate));
    }

    private void doAgentUpdate(AgentCall.Update u) {
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
            t = fw.completedTasks.stream().filter(c -> c.info.taskId().equals(status.taskId())).findFirst()
                    .orElse(null);
        }
        if (t != null) {
            TaskState latest = u.latestState() != null ? u.latestState() : status.state();
            if (!t.state.isTerminal() && latest.isTerminal()) {
                metrics.terminal(latest);
                MasterMetrics.inc(fw.counters, "tasks/terminal/" + latest.name().toLowerCase(java.util.Locale.ROOT));
            }
            if (!t.state.isTerminal() || latest.isTerminal()) {
                t.state = latest;
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
            checkDrained(from);
        }
    }

    private void sendToAgent(AgentEntry agent, AgentEvent event) {
        if (agent.stream != null) {
            agent.stream.send(MesosJson.write(event));
        }
    }

    // ---- offers and allocation --------------------------------------------------------------------------------

    /** Removes an offer and returns its resources to the agent; optionally tells the framework (RESCIND). */
    private void removeOffer(OfferId id, boolean rescind, boolean keepAllocated) {
        OfferEntry o = state.offers.remove(id);
        if (o == null) {
            return;
        }
        if (o.timeout != null) {
            o.timeout.cancel(false);
        }
        FrameworkEntry fw = state.frameworks.get(o.frameworkId);
        AgentEntry agent = state.agents.get(o.agentId);
        if (fw != null) {
            fw.offers.remove(id);
            if (!keepAllocated) {
                fw.release(o.role, o.resources);
            }
            if (rescind && fw.stream != null) {
                fw.stream.send(MesosJson.write(Event.rescind(id)));
                MasterMetrics.inc(fw.counters, "events/rescind");
                MasterMetrics.inc(fw.counters, "offers/rescinded");
            }
        }
        if (agent != null) {
            agent.offers.remove(id);
            agent.available = agent.available.plus(o.resources.unallocated());
        }
    }

    private void rescindAllOffers() {
        for (OfferId id : List.copyOf(state.offers.keySet())) {
            removeOffer(id, true, false);
        }
    }

    /**
     * Pauses (or resumes) the periodic and event-triggered allocation cycles, as Mesos pauses its allocator while a
     * master recovers; {@link #allocateNow} still runs one. Resources are still freed and filters still expire.
     */
    public void setAllocationPaused(boolean paused) {
        allocationPaused = paused;
        if (!paused) {
            requestAllocation();
        }
    }

    /** Asks for an allocation cycle soon; calls coalesce. Any thread. */
    public void requestAllocation() {
        if (loop.isShutdown() || allocationPaused) {
            return;
        }
        loop.execute(() -> {
            if (!allocationQueued) {
                allocationQueued = true;
                if (allocationAskedNanos == 0) {
                    allocationAskedNanos = System.nanoTime();
                }
                loop.execute(this::startAllocation);
            }
        });
    }

    // ---- weights and quota (operator API) ---------------------------------------------------------------------

    public CompletableFuture<List<io.pangaea.model.operator.WeightInfo>> weights() {
        return CompletableFuture.supplyAsync(registry::weightInfos, loop);
    }

    /** Sets role weights (already validated), persists them and re-allocates. */
    public CompletableFuture<Void> updateWeights(List<io.pangaea.model.operator.WeightInfo> infos) {
        return CompletableFuture.runAsync(() -> {
            registry.updateWeights(infos);
            requestAllocation();
        }, loop);
    }

    public CompletableFuture<List<io.pangaea.model.operator.QuotaConfig>> quotas() {
        return CompletableFuture.supplyAsync(registry::quotaConfigs, loop);
    }

    /** Sets role quotas (already validated), persists them and re-allocates. */
    public CompletableFuture<Void> updateQuotas(List<io.pangaea.model.operator.QuotaConfig> configs) {
        return CompletableFuture.runAsync(() -> {
            registry.updateQuotas(configs);
            requestAllocation();
        }, loop);
    }

    /**
     * The operator's RESERVE_RESOURCES ({@code reserve}) or UNRESERVE_RESOURCES on an agent: the resources must be
     * free on it (outstanding offers of the agent are rescinded to make room). Completes with the HTTP status and
     * message: 202 when applied, 400/404/409 with the reason otherwise.
     */
    public CompletableFuture<CallResult> operatorReservation(String agentId, List<io.pangaea.model.Resource> resources,
                                                             boolean reserve) {
        return CompletableFuture.supplyAsync(() -> {
            AgentEntry agent = state.agents.get(AgentId.of(agentId));
            if (agent == null) {
                return new CallResult(404, "No agent with id '" + agentId + "'");
            }
            String error = ReservationChange.invalid(resources, r -> "*".equals(r)
                    || OperatorValidator.validateRole("role", r) != null ? "invalid reservation role '" + r + "'"
                    : null);
            if (error != null) {
                return new CallResult(400, error);
            }
            ReservationChange change;
            try {
                change = ReservationChange.of(resources, reserve);
            } catch (RuntimeException e) {
                return new CallResult(400, "Invalid resources: " + e.getMessage());
            }
            Resources from = change.from();
            Resources offered = Resources.EMPTY;
            for (OfferId o : agent.offers) {
                OfferEntry e = state.offers.get(o);
                offered = e == null ? offered : offered.plus(e.resources.unallocated());
            }
            if (!agent.available.plus(offered).contains(from)) {
                // checked before rescinding anything: a refused request changes nothing
                return new CallResult(409, "Agent " + agentId + " does not have " + from + " free (free or offered: "
                        + agent.available.plus(offered) + ")");
            }
            if (!agent.available.contains(from)) {
                for (OfferId o : List.copyOf(agent.offers)) {
                    removeOffer(o, true, false);
                }
            }
            agent.available = agent.available.minus(from).plus(change.to());
            apply(agent, change);
            requestAllocation();
            return new CallResult(202, "");
        }, loop);
    }

    /**
     * Why the frameworks named by {@code subject} (a framework id, or a role: all its frameworks) have or have not
     * been getting offers. Empty when nothing matches.
     */
    public CompletableFuture<List<Explanation>> explain(String subject) {
        return CompletableFuture.supplyAsync(() -> {
            List<Explanation> out = new ArrayList<>();
            for (FrameworkEntry f : state.frameworks.values()) {
                boolean byId = f.id.value().equals(subject);
                for (String role : f.roles()) {
                    if (byId || role.equals(subject)) {
                        out.add(explain(f, role));
                    }
                }
            }
            return out;
        }, loop);
    }

    private Explanation explain(FrameworkEntry f, String role) {
        List<String> notes = new ArrayList<>();
        if (!f.connected) {
            notes.add("the framework is disconnected: no offers until it subscribes again");
        } else if (!f.active) {
            notes.add("the framework is inactive");
        }
        if (f.suppressedRoles.contains(role)) {
            notes.add("the framework suppressed offers for this role (REVIVE to receive them again)");
        }
        if (allocator.get() == null) {
            notes.add("no allocator is installed");
        }
        Resources total = Resources.EMPTY;
        Resources roleAlloc = Resources.EMPTY;
        for (AgentEntry a : state.agents.values()) {
            if (a.connected) {
                total = total.plus(a.total);
            }
        }
        for (FrameworkEntry other : state.frameworks.values()) {
            for (Map.Entry<String, Resources> e : other.allocated.entrySet()) {
                if (Resources.isSelfOrAncestor(role, e.getKey())) {
                    roleAlloc = roleAlloc.plus(e.getValue());
                }
            }
        }
        io.pangaea.allocator.Quota quota = registry.quotas().getOrDefault(role, io.pangaea.allocator.Quota.NONE);
        boolean limitReached = false;
        for (io.pangaea.model.Resource l : quota.limits()) {
            if (roleAlloc.scalar(l.name()) >= l.scalar().value() - 1e-9) {
                limitReached = true;
            }
        }
        Map<String, Integer> reasons = new LinkedHashMap<>();
        int free = 0;
        long nowNanos = System.nanoTime();
        for (AgentEntry a : state.agents.values()) {
            if (!a.connected || a.deactivated || a.available.isEmpty()) {
                continue;
            }
            free++;
            Resources usable = a.available.usableBy(role);
            String reason;
            if (usable.isEmpty()) {
                reason = Explanation.RESERVED_ELSEWHERE;
            } else if (!ClusterView.isAllocatable(usable, config.minAllocatable())) {
                reason = Explanation.BELOW_MINIMUM;
            } else if (limitReached) {
                reason = Explanation.QUOTA_LIMIT;
            } else if (filtered(f.filters.get(a.id), usable, nowNanos)) {
                reason = Explanation.FILTERED;
            } else {
                reason = Explanation.ELIGIBLE;
            }
            reasons.merge(reason, 1, Integer::sum);
        }
        if (free == 0) {
            notes.add("no agent has anything free: everything is used by tasks or offered");
        }
        double share = io.pangaea.allocator.Allocations.dominantShare(
                f.allocated.getOrDefault(role, Resources.EMPTY).unallocated(), total);
        double roleShare = io.pangaea.allocator.Allocations.dominantShare(roleAlloc.unallocated(), total);
        int outstanding = (int) f.offers.stream().map(state.offers::get)
                .filter(o -> o != null && o.role.equals(role)).count();
        return new Explanation(f.id.value(), f.info.name(), role, registry.weights().getOrDefault(role, 1.0),
                roleShare, share, quota.guarantees().isEmpty() ? null : quota.guarantees().toString(),
                quota.limits().isEmpty() ? null : quota.limits().toString(), outstanding,
                f.lastOfferCycle < 0 ? null : cycleNumber - f.lastOfferCycle,
                f.lastOfferCycle < 0 ? null : Math.round((now() - f.lastOfferTime) * 10) / 10.0, free, reasons,
                notes);
    }

    /** True when a filter of {@code l} still in force at {@code nowNanos} covers {@code resources}. */
    private static boolean filtered(List<DeclineFilter> l, Resources resources, long nowNanos) {
        if (l == null) {
            return false;
        }
        Resources flat = resources.unallocated();
        for (DeclineFilter d : l) {
            if (d.expiresNanos() - nowNanos > 0 && d.resources().contains(flat)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs an allocation cycle as soon as the current one (if any) is done, and completes with what it cost once its
     * offers are made. For benchmarks, tests and operators; the periodic cycles go on as usual.
     */
    public CompletableFuture<AllocationCycle> allocateNow() {
        CompletableFuture<AllocationCycle> done = new CompletableFuture<>();
        loop.execute(() -> {
            cycleWaiters.add(done);
            if (allocationAskedNanos == 0) {
                allocationAskedNanos = System.nanoTime();
            }
            startAllocation();
        });
        return done;
    }

    /** Allocation cycles that made offers since the start (event loop). */
    int allocationRuns() {
        return allocationRuns;
    }

    /** The allocation timers ({@code allocator/mesos/allocation_run_ms} and {@code _latency_ms}). */
    io.pangaea.http.Metrics.Timer allocationRunTimer() {
        return allocationRunTimer;
    }

    io.pangaea.http.Metrics.Timer allocationLatencyTimer() {
        return allocationLatencyTimer;
    }

    /** Operator event streams open now (event loop). */
    int operatorSubscribers() {
        return operatorStreams.size();
    }

    /** The figures of the last cycle that ran. */
    public AllocationCycle lastCycle() {
        return lastCycle;
    }

    private void startAllocation() {
        allocationQueued = false;
        if (allocationRunning) {
            allocationAgain = true;
            return;
        }
        List<CompletableFuture<AllocationCycle>> waiters = List.copyOf(cycleWaiters);
        cycleWaiters.clear();
        Allocator policy = allocator.get();
        long t0 = System.nanoTime();
        if (allocationAskedNanos != 0) {
            allocationLatencyTimer.record((t0 - allocationAskedNanos) / 1e6);
            allocationAskedNanos = 0;
        }
        ClusterView view = policy == null ? null : snapshot();
        if (view == null || view.agents().isEmpty() || view.frameworks().isEmpty()) {
            waiters.forEach(w -> w.complete(AllocationCycle.SKIPPED));
            return;
        }
        long snapshotNanos = System.nanoTime() - t0;
        allocationRunning = true;
        allocationThread.execute(() -> {
            long t1 = System.nanoTime();
            List<Grant> grants;
            try {
                grants = policy.allocate(view);
            } catch (RuntimeException e) {
                LOG.error("Allocator {} failed", policy.getClass().getName(), e);
                grants = List.of();
            }
            long decideNanos = System.nanoTime() - t1;
            List<Grant> result = grants == null ? List.of() : grants;
            loop.execute(() -> {
                long t2 = System.nanoTime();
                int offers = applyGrants(view, result);
                AllocationCycle cycle = new AllocationCycle(snapshotNanos, decideNanos, System.nanoTime() - t2,
                        view.agents().size(), view.frameworks().size(), result.size(), offers);
                lastCycle = cycle;
                allocationRuns++;
                allocationRunTimer.record(cycle.totalNanos() / 1e6);
                waiters.forEach(w -> w.complete(cycle));
                if (allocationAgain) {
                    allocationAgain = false;
                    startAllocation();
                }
            });
        });
    }

    ClusterView snapshot() {
        List<AgentView> agents = new ArrayList<>();
        Resources total = Resources.EMPTY;
        for (AgentEntry a : state.agents.values()) {
            if (!a.connected) {
                continue;
            }
            total = total.plus(a.total);
            // a deactivated (or draining) agent counts in the total but has nothing to offer
            agents.add(new AgentView(a.id, a.info.hostname(), a.total, a.deactivated ? Resources.EMPTY : a.available,
                    a.info.attributes() == null ? List.of() : a.info.attributes()));
        }
        List<FrameworkView> frameworks = new ArrayList<>();
        Map<FrameworkId, Map<AgentId, List<DeclineFilter>>> filters = new HashMap<>();
        long nowNanos = System.nanoTime();
        for (FrameworkEntry f : state.frameworks.values()) {
            if (!f.connected || !f.active) {
                continue;
            }
            frameworks.add(new FrameworkView(f.id, f.info.name(), List.copyOf(f.roles()),
                    Set.copyOf(f.suppressedRoles), Map.copyOf(f.allocated)));
            f.filters.values().forEach(l -> l.removeIf(x -> x.expiresNanos() - nowNanos <= 0));
            f.filters.values().removeIf(List::isEmpty);
            if (!f.filters.isEmpty()) {
                Map<AgentId, List<DeclineFilter>> copy = new HashMap<>();
                f.filters.forEach((k, v) -> copy.put(k, List.copyOf(v)));
                filters.put(f.id, copy);
            }
        }
        OfferFilter filter = filters.isEmpty() ? OfferFilter.NONE : (fw, agent, res) -> {
            Map<AgentId, List<DeclineFilter>> byAgent = filters.get(fw);
            return byAgent != null && filtered(byAgent.get(agent), res, System.nanoTime());
        };
        return new ClusterView(agents, frameworks, registry.weights(), filter, total, config.minAllocatable(),
                registry.quotas());
    }

    /** Turns the valid grants into offers and sends them; returns how many offers were made. */
    private int applyGrants(ClusterView view, List<Grant> grants) {
        allocationRunning = false;
        int made = 0;
        Map<FrameworkEntry, List<Offer>> out = new LinkedHashMap<>();
        for (Grant g : grants) {
            FrameworkEntry fw = state.frameworks.get(g.frameworkId());
            AgentEntry agent = state.agents.get(g.agentId());
            if (fw == null || agent == null || !fw.connected || !agent.connected || g.resources() == null) {
                continue;
            }
            if (!fw.roles().contains(g.role()) || fw.suppressedRoles.contains(g.role())) {
                continue;
            }
            Resources res = g.resources().unallocated().usableBy(g.role());
            // (filters were checked by the allocator against this same snapshot)
            if (res.isEmpty() || !agent.available.contains(res) || !view.isAllocatable(res)) {
                continue;
            }
            agent.available = agent.available.minus(res);
            Resources allocated = res.allocatedTo(g.role());
            fw.allocate(g.role(), allocated);
            OfferId id = OfferId.of(masterId + "-O" + nextOfferNumber++);
            Offer offer = new Offer(id, fw.id, agent.id, agent.info.hostname(),
                    new Url("http", new Address(agent.info.hostname(), config.ip(), agent.info.port()), "/slave(1)"),
                    allocated.toList(), agent.info.attributes(), null, new AllocationInfo(g.role()));
            OfferEntry entry = new OfferEntry(offer, g.role(), allocated);
            if (config.offerTimeout() != null) {
                entry.timeout = loop.schedule(() -> {
                    if (state.offers.get(id) == entry) {
                        LOG.info("Offer {} timed out (offer_timeout {}); rescinding it", id, config.offerTimeout());
                        removeOffer(id, true, false);
                        requestAllocation();
                    }
                }, config.offerTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            state.offers.put(id, entry);
            fw.offers.add(id);
            agent.offers.add(id);
            out.computeIfAbsent(fw, k -> new ArrayList<>()).add(offer);
            made++;
        }
        // Encoding is the bulk of the work for big cycles: done in parallel, then sent in order from this thread.
        List<Map.Entry<FrameworkEntry, List<Offer>>> batches = new ArrayList<>(out.entrySet());
        List<byte[]> encoded = (batches.size() > 64 ? batches.parallelStream() : batches.stream())
                .map(e -> MesosJson.write(Event.offers(e.getValue()))).toList();
        cycleNumber++;
        double now = now();
        for (int i = 0; i < batches.size(); i++) {
            FrameworkEntry fw = batches.get(i).getKey();
            fw.lastOfferCycle = cycleNumber;
            fw.lastOfferTime = now;
            if (fw.stream != null) {
                fw.stream.send(encoded.get(i));
                MasterMetrics.inc(fw.counters, "events/offers");
                fw.counters.merge("offers/sent", (long) batches.get(i).getValue().size(), Long::sum);
            }
        }
        return made;
    }

    // ---- helpers for views -------------------------------------------------------------------------------------

    ScheduledExecutorService loop() {
        return loop;
    }

    Duration allocationInterval() {
        return config.allocationInterval();
    }
}
