package io.pangaea.master.internal;

import io.pangaea.allocator.Allocator;
import io.pangaea.http.EventSink;
import io.pangaea.http.LoggingLevel;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.Address;
import io.pangaea.model.AgentId;
import io.pangaea.model.Attribute;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.operator.OperatorCall;
import io.pangaea.model.operator.QuotaConfig;
import io.pangaea.model.operator.WeightInfo;
import io.pangaea.model.scheduler.Call;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master core's coordinator. One event loop thread owns every piece of state ({@link MasterState}); the public
 * methods may be called from any thread and post their work to the loop, answering through futures. The work itself
 * is done by the parts wired in {@link MasterContext}, each owning one job: {@link Frameworks}, {@link Offers},
 * {@link Accepts} (with {@link LaunchValidator} and {@link Operations}), {@link Executors}, {@link Tasks},
 * {@link Agents} (with {@link AgentReconciliation} and {@link Maintenance}), {@link AllocationLoop} (with
 * {@link AllocationExplainer}) and {@link OperatorEvents}. Allocation decisions are made by the active
 * {@link Allocator} on a separate thread from a snapshot, and applied back on the loop. See
 * {@code docs/architecture.md}.
 */
public final class Master implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Master.class);

    /** The Mesos API version Pangaea speaks; clients such as Marathon check it. */
    public static final String MESOS_VERSION = io.pangaea.http.MesosVersion.VERSION;

    /** When this master was elected (made leader; at its creation without an election). */
    private final double electedTime = now();
    private final LoopExecutor loop;
    private final ExecutorService allocationThread;
    private final MasterContext ctx;
    private volatile LoggingLevel loggingLevel;
    private volatile java.nio.file.Path logFile;

    public Master(MasterConfig config) {
        this(config, Registry.inMemory());
    }

    /** A master whose weights and quotas live in {@code registry}. */
    public Master(MasterConfig config, Registry registry) {
        this(config, registry, UUID.randomUUID().toString());
    }

    /** A master with the id it contended for leadership under. */
    public Master(MasterConfig config, Registry registry, String id) {
        this.loop = new LoopExecutor(r -> daemon(r, "pangaea-master-loop"),
                r -> daemon(r, "pangaea-master-timers"));
        this.allocationThread = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> daemon(r, "pangaea-master-allocator"));
        this.ctx = new MasterContext(this, config, registry, id, loop);
        ctx.allocation.setThread(allocationThread);
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
        ctx.registry.batchAgentWritesOn(loop);
        onLoop(() -> {
            ctx.agents.recoverFromRegistry();
            return null;
        });
        ctx.lag.start();
        ctx.allocation.start();
        if (!ctx.quiet) {
            LOG.info("Master {} started on {}:{}", ctx.masterId, config().ip(), config().port());
        }
    }

    /** Logs no line per agent (call before {@link #start}): for the made-up agents of a standby's rehearsal. */
    public void quiet() {
        ctx.quiet = true;
    }

    @Override
    public void close() {
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            ctx.allocation.stop();
            ctx.lag.stop();
            for (FrameworkEntry f : ctx.state.frameworks.values()) {
                if (f.stream != null) {
                    f.stream.close();
                }
            }
            for (AgentEntry a : ctx.state.agents.values()) {
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
        return ctx.config();
    }

    /**
     * Applies settings that can change while the master runs: {@code allocation_interval}, {@code offer_timeout}
     * (for new offers), {@code min_allocatable_resources}, the heartbeat interval, the agent ping settings (pings
     * go at the new interval), {@code max_completed_*} and the allocator. Nothing restarts and no
     * stream drops. Those that need a new master ({@code ip}, {@code port}, {@code hostname}) are refused.
     */
    public CompletableFuture<Void> reconfigure(MasterConfig next) {
        MasterConfig now = ctx.config();
        if (!next.ip().equals(now.ip()) || next.port() != now.port() || !next.hostname().equals(now.hostname())) {
            throw new IllegalArgumentException("ip, port and hostname need a restart of the master");
        }
        return CompletableFuture.runAsync(() -> {
            MasterConfig before = ctx.config();
            ctx.setConfig(next);
            ctx.frameworks.reconfigured(before);
            ctx.agents.reconfigured(before);
            ctx.events.reconfigured(before);
            ctx.allocation.reconfigured(before);
            LOG.info("Master settings applied live: {}", Settings.changes(before, next));
        }, loop);
    }

    public MasterInfo masterInfo() {
        return ctx.masterInfo;
    }

    public String id() {
        return ctx.masterId;
    }

    /** The registry (state thread for consistent reads). */
    Registry registry() {
        return ctx.registry;
    }

    /** Counters for {@code /metrics/snapshot} (event loop only). */
    MasterMetrics metrics() {
        return ctx.metrics;
    }

    /** When this master became the leader: at its creation (it is created on winning an election). */
    public double electedTime() {
        return electedTime;
    }

    /** When this process started (seconds since the epoch). */
    public static double processStartTime() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
    }

    static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** Who sets the log level (the Karaf component); without one, GET/SET_LOGGING_LEVEL are not available. */
    public void setLoggingLevel(LoggingLevel l) {
        this.loggingLevel = l;
    }

    public LoggingLevel loggingLevel() {
        return loggingLevel;
    }

    /** The master's log, served as {@code /master/log} (LIST_FILES, READ_FILE, /files/*); none outside Karaf. */
    public void setLogFile(java.nio.file.Path file) {
        this.logFile = file;
    }

    /** The realms the master's HTTP server protects now, for {@code /master/flags}; set by its component. */
    private volatile java.util.function.Supplier<java.util.Set<String>> protectedRealms = java.util.Set::of;

    public void setProtectedRealms(java.util.function.Supplier<java.util.Set<String>> realms) {
        this.protectedRealms = realms;
    }

    java.util.Set<String> protectedRealms() {
        return protectedRealms.get();
    }

    /** The ACLs in force now ({@code acls} setting), read at each check; set by its component. */
    private volatile java.util.function.Supplier<io.pangaea.http.Acls> acls = io.pangaea.http.Acls::permissive;

    public void setAcls(java.util.function.Supplier<io.pangaea.http.Acls> acls) {
        this.acls = acls;
    }

    public io.pangaea.http.Acls acls() {
        return acls.get();
    }

    /** The rate limits in force ({@code rate_limits} setting); set by its component. */
    private volatile java.util.function.Supplier<io.pangaea.http.RateLimits> rateLimits =
            io.pangaea.http.RateLimits::none;

    public void setRateLimits(java.util.function.Supplier<io.pangaea.http.RateLimits> limits) {
        this.rateLimits = limits;
    }

    public io.pangaea.http.RateLimits rateLimits() {
        return rateLimits.get();
    }

    /** The principal a subscribed framework gave (any thread), or null. */
    public String frameworkPrincipal(FrameworkId id) {
        return ctx.principals.get(id);
    }

    /** What {@code principal} (null: unauthenticated) may see, under the ACLs in force. */
    public Viewer viewer(String principal) {
        return Viewer.of(acls(), principal);
    }

    public java.nio.file.Path logFile() {
        return logFile;
    }

    /**
     * When a completed task that a re-registering agent reports must have ended for its framework to keep it, as far
     * as the loop last said (a hint, read off the loop; see {@link MasterState#completedKeptAfter}).
     */
    public java.util.function.ToDoubleFunction<String> completedKeptAfter() {
        return id -> ctx.state.completedKeptAfter.getOrDefault(id, Double.NEGATIVE_INFINITY);
    }

    /** Runs {@code query} on the event loop against the live state; completes off it ({@link ReaderThreads}). */
    <T> CompletableFuture<T> query(Function<MasterState, T> query) {
        return ReaderThreads.handOff(CompletableFuture.supplyAsync(() -> query.apply(ctx.state), loop));
    }

    /** A read-only view for HTTP read endpoints and shell commands, computed on the loop. */
    public <T> CompletableFuture<T> read(Function<MasterViews, T> view) {
        return query(s -> view.apply(new MasterViews(this, s)));
    }

    /** The same, as {@code viewer} may see it. */
    public <T> CompletableFuture<T> read(Viewer viewer, Function<MasterViews, T> view) {
        return query(s -> view.apply(new MasterViews(this, s, viewer)));
    }

    private <T> CompletableFuture<T> onLoop(java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, loop);
    }

    // ---- the scheduler API ----------------------------------------------------------------------------------

    /**
     * SUBSCRIBE: the stream is already open (status 200 and headers sent); everything else is said on it.
     * The call has passed {@link CallValidator}.
     */
    public void subscribe(Call call, String streamId, EventSink stream) {
        loop.execute(() -> ctx.frameworks.subscribe(call, streamId, stream));
    }

    /**
     * Any call but SUBSCRIBE, already validated for shape by {@link CallValidator}. Answers with the HTTP status;
     * effects that Mesos reports asynchronously (task errors, reconciliation) go out on the stream.
     */
    public CompletableFuture<CallResult> call(Call call, String streamId) {
        return onLoop(() -> dispatch(call, streamId));
    }

    /** Checks that the call comes from the framework's live stream, then hands it to the part that owns it. */
    private CallResult dispatch(Call call, String streamId) {
        ctx.metrics.call(call.type());
        FrameworkEntry fw = ctx.state.frameworks.get(call.frameworkId());
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
        MasterMetrics.inc(fw.counters, "calls/" + call.type().name().toLowerCase(Locale.ROOT));
        switch (call.type()) {
            case TEARDOWN -> ctx.frameworks.teardown(fw, "Framework teardown");
            case ACCEPT -> ctx.accepts.accept(fw, call.accept());
            case DECLINE -> ctx.offers.decline(fw, call.decline().offerIds(), call.decline().filters());
            case REVIVE -> ctx.offers.revive(fw, call.revive() == null ? null : call.revive().roles());
            case SUPPRESS -> ctx.offers.suppress(fw, call.suppress() == null ? null : call.suppress().roles());
            case KILL -> ctx.tasks.kill(fw, call.kill());
            case SHUTDOWN -> ctx.executors.shutdownExecutor(fw, call.shutdown());
            case ACKNOWLEDGE -> ctx.tasks.acknowledge(fw, call.acknowledge());
            case RECONCILE -> ctx.tasks.reconcile(fw, call.reconcile());
            case MESSAGE -> ctx.executors.frameworkMessage(fw, call.message());
            case REQUEST -> LOG.debug("REQUEST from {}: Pangaea's allocators take no resource requests", fw.id);
            case ACCEPT_INVERSE_OFFERS -> ctx.schedule.answer(fw, call.acceptInverseOffers(), true);
            case DECLINE_INVERSE_OFFERS -> ctx.schedule.answer(fw, call.declineInverseOffers(), false);
            case ACKNOWLEDGE_OPERATION_STATUS ->
                    ctx.operations.acknowledgeOperation(fw, call.acknowledgeOperationStatus());
            case RECONCILE_OPERATIONS -> ctx.operations.reconcileOperations(fw, call.reconcileOperations());
            case UPDATE_FRAMEWORK -> {
                ctx.frameworks.updateFramework(fw, call.updateFramework());
                return new CallResult(200, "");
            }
            default -> {
                return new CallResult(501, "Call type " + call.type() + " is not implemented");
            }
        }
        return CallResult.ACCEPTED;
    }

    // ---- the agent protocol ---------------------------------------------------------------------------------

    /** An agent (re-)subscribes; its stream is open. */
    public void subscribeAgent(AgentCall.Subscribe sub, EventSink stream) {
        loop.execute(() -> ctx.agents.subscribe(sub, stream));
    }

    /** Status updates from an agent, in the order it sent them, to forward to their frameworks. */
    public void agentUpdates(List<AgentCall.Update> updates) {
        loop.execute(() -> updates.forEach(ctx.tasks::agentUpdate));
    }

    /**
     * A running agent's attributes changed (it installed or removed a containerizer or isolator): its outstanding
     * offers, which carry the old ones, are rescinded and its resources offered again with the new ones.
     */
    public void updateAgentAttributes(AgentId id, List<Attribute> attributes) {
        loop.execute(() -> ctx.agents.updateAttributes(id, attributes));
    }

    /** The agent answered the master's PING. */
    public void agentPong(AgentId agentId) {
        ctx.agents.pongArrived(agentId);
    }

    /** An executor's message, through its agent, for its framework (MESSAGE event). */
    public void executorMessage(AgentId agentId, AgentCall.Message message) {
        loop.execute(() -> ctx.executors.executorMessage(agentId, message));
    }

    /** An executor ended on its agent: its resources come back and its framework gets a FAILURE event. */
    public void executorExited(AgentId agentId, AgentCall.ExecutorExited exited) {
        loop.execute(() -> ctx.executors.executorExited(agentId, exited));
    }

    /**
     * The agent's files, for a client of the master, asked for over the agent's own connection
     * ({@link AgentFileRequests}): fails with {@link java.util.NoSuchElementException} when the agent is not
     * connected, and with a {@link java.util.concurrent.TimeoutException} when it does not answer within 15 s.
     */
    public CompletableFuture<AgentCall.FilesReply> agentFiles(AgentId agentId, String operation, String path,
                                                              Long offset, Long length) {
        CompletableFuture<AgentCall.FilesReply> reply = new CompletableFuture<>();
        loop.execute(() -> ctx.files.send(agentId, operation, path, offset, length, reply));
        return reply;
    }

    /** An agent's answer to a FILES event. */
    public void agentFilesReply(AgentId agentId, AgentCall.FilesReply reply) {
        loop.execute(() -> ctx.files.answered(reply));
    }

    // ---- the operator API -----------------------------------------------------------------------------------

    /**
     * Operator API SUBSCRIBE: the stream gets SUBSCRIBED with the whole state, then the events as they happen.
     */
    public void subscribeOperator(EventSink stream) {
        subscribeOperator(stream, Viewer.ALL);
    }

    /** The same, for a subscriber that sees only what {@code viewer} may. */
    public void subscribeOperator(EventSink stream, Viewer viewer) {
        loop.execute(() -> ctx.events.subscribe(stream, viewer));
    }

    /**
     * Operator TEARDOWN on behalf of {@code principal}: 200 when the framework is removed and its tasks killed, 400
     * when no such framework runs, 403 when the {@code teardown_frameworks} ACL does not let {@code principal} tear
     * down the frameworks of the framework's principal.
     */
    public CompletableFuture<CallResult> teardown(FrameworkId id, String principal) {
        return onLoop(() -> ctx.frameworks.teardownBy(id, principal, acls()));
    }

    /** MARK_AGENT_GONE; completes with false when the agent is unknown. */
    public CompletableFuture<Boolean> markAgentGone(AgentId id) {
        return onLoop(() -> ctx.agents.markAgentGone(id));
    }

    /** DEACTIVATE_AGENT (true) or REACTIVATE_AGENT (false); false when the agent is unknown. */
    public CompletableFuture<Boolean> setAgentActive(AgentId id, boolean active) {
        return onLoop(() -> ctx.maintenance.setAgentActive(id, active));
    }

    /** GET_MAINTENANCE_SCHEDULE. */
    public CompletableFuture<io.pangaea.model.maintenance.Schedule> maintenanceSchedule() {
        return onLoop(ctx.schedule::schedule);
    }

    /** GET_MAINTENANCE_STATUS. */
    public CompletableFuture<io.pangaea.model.maintenance.ClusterStatus> maintenanceStatus() {
        return onLoop(ctx.schedule::status);
    }

    /** UPDATE_MAINTENANCE_SCHEDULE: 200, or 400 naming what is wrong. */
    public CompletableFuture<CallResult> updateMaintenanceSchedule(io.pangaea.model.maintenance.Schedule s) {
        return onLoop(() -> ctx.schedule.update(s));
    }

    /** START_MAINTENANCE ({@code down}) or STOP_MAINTENANCE: 200, or 400 naming the machine that cannot. */
    public CompletableFuture<CallResult> maintenance(List<io.pangaea.model.maintenance.MachineId> machines,
                                                     boolean down) {
        return onLoop(() -> down ? ctx.schedule.start(machines) : ctx.schedule.stop(machines));
    }

    /** DRAIN_AGENT: deactivates the agent and kills its tasks; false when the agent is unknown. */
    public CompletableFuture<Boolean> drainAgent(OperatorCall.DrainAgent drain) {
        return onLoop(() -> ctx.maintenance.drainAgent(drain));
    }

    /** RESERVE_RESOURCES ({@code reserve}) or UNRESERVE_RESOURCES on an agent; see {@link Operations}. */
    public CompletableFuture<CallResult> operatorReservation(String agentId, List<io.pangaea.model.Resource> resources,
                                                             boolean reserve) {
        return onLoop(() -> ctx.operations.operatorReservation(agentId, resources, reserve));
    }

    public CompletableFuture<List<WeightInfo>> weights() {
        return onLoop(ctx.registry::weightInfos);
    }

    /** Sets role weights (already validated), persists them and re-allocates. */
    public CompletableFuture<Void> updateWeights(List<WeightInfo> infos) {
        return CompletableFuture.runAsync(() -> {
            ctx.registry.updateWeights(infos);
            ctx.allocation.requestAllocation();
        }, loop);
    }

    /**
     * Mesos's deprecated SET_QUOTA (already validated): {@code guarantee} becomes the role's guarantee and its
     * limit. 400 when the role has a quota already, as in Mesos.
     */
    public CompletableFuture<CallResult> setQuota(String role, Map<String, io.pangaea.model.Scalar> guarantee) {
        return onLoop(() -> {
            if (ctx.registry.quotas().containsKey(role)) {
                return new CallResult(400, "Failed to validate set quota request: Can not set quota for role '"
                        + role + "' which already has quota");
            }
            ctx.registry.updateQuotas(List.of(new QuotaConfig(role, guarantee, guarantee)));
            ctx.allocation.requestAllocation();
            return new CallResult(200, "");
        });
    }

    /** Mesos's deprecated REMOVE_QUOTA: the role has no quota from now on; 400 when it had none. */
    public CompletableFuture<CallResult> removeQuota(String role) {
        return onLoop(() -> {
            if (!ctx.registry.quotas().containsKey(role)) {
                return new CallResult(400, "Failed to remove quota: Role '" + role + "' has no quota set");
            }
            ctx.registry.updateQuotas(List.of(new QuotaConfig(role, Map.of(), Map.of())));
            ctx.allocation.requestAllocation();
            return new CallResult(200, "");
        });
    }

    /** CREATE_VOLUMES ({@code create}) or DESTROY_VOLUMES on an agent, by the operator; see {@link Operations}. */
    public CompletableFuture<CallResult> operatorVolumes(String agentId, List<io.pangaea.model.Resource> volumes,
                                                         boolean create) {
        return onLoop(() -> ctx.operations.operatorVolumes(agentId, volumes, create));
    }

    /** GROW_VOLUME ({@code addition}) or SHRINK_VOLUME ({@code subtract}) by the operator; see {@link Operations}. */
    public CompletableFuture<CallResult> operatorResize(String agentId, boolean grow, io.pangaea.model.Resource volume,
                                                        io.pangaea.model.Resource addition,
                                                        io.pangaea.model.Scalar subtract) {
        return onLoop(() -> ctx.operations.operatorResize(agentId, grow, volume, addition, subtract));
    }

    public CompletableFuture<List<QuotaConfig>> quotas() {
        return onLoop(ctx.registry::quotaConfigs);
    }

    /** Sets role quotas (already validated), persists them and re-allocates. */
    public CompletableFuture<Void> updateQuotas(List<QuotaConfig> configs) {
        return CompletableFuture.runAsync(() -> {
            ctx.registry.updateQuotas(configs);
            ctx.allocation.requestAllocation();
        }, loop);
    }

    // ---- allocation -----------------------------------------------------------------------------------------

    /** Sets the allocation policy (null: none, no offers are made); outstanding offers are rescinded. */
    public void setAllocator(Allocator next) {
        ctx.allocation.setAllocator(next);
    }

    public Allocator allocator() {
        return ctx.allocation.allocator();
    }

    /** Pauses (or resumes) allocation, as Mesos pauses its allocator while a master recovers. */
    public void setAllocationPaused(boolean paused) {
        ctx.allocation.setAllocationPaused(paused);
    }

    /** Asks for an allocation cycle soon; calls coalesce. Any thread. */
    public void requestAllocation() {
        ctx.allocation.requestAllocation();
    }

    /** Runs an allocation cycle as soon as the current one is done; completes with what it cost. */
    public CompletableFuture<AllocationCycle> allocateNow() {
        return ctx.allocation.allocateNow();
    }

    /** The figures of the last cycle that ran. */
    public AllocationCycle lastCycle() {
        return ctx.allocation.lastCycle();
    }

    /** Why the frameworks named by {@code subject} (an id or a role) have or have not been getting offers. */
    public CompletableFuture<List<Explanation>> explain(String subject) {
        return onLoop(() -> ctx.explainer.explain(subject));
    }

    /** Allocation cycles that made offers since the start (event loop). */
    int allocationRuns() {
        return ctx.allocation.allocationRuns();
    }

    io.pangaea.http.Metrics.Timer allocationRunTimer() {
        return ctx.allocation.allocationRunTimer();
    }

    io.pangaea.http.Metrics.Timer allocationLatencyTimer() {
        return ctx.allocation.allocationLatencyTimer();
    }

    /** How far behind the event loop is now, in ms (event loop). */
    double loopLagMillis() {
        return ctx.lag.millis();
    }

    /** Work posted to the loop and not started yet (timers not counted); any thread. */
    int loopBacklog() {
        return loop.waiting();
    }

    /** Allocation cycles put off because the loop was behind (event loop). */
    long allocationsDeferred() {
        return ctx.allocation.deferred();
    }

    /** Operator event streams open now (event loop). */
    int operatorSubscribers() {
        return ctx.events.operatorSubscribers();
    }

    ScheduledExecutorService loop() {
        return loop;
    }

    Duration allocationInterval() {
        return config().allocationInterval();
    }
}
