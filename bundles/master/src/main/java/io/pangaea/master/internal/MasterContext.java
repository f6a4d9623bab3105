package io.pangaea.master.internal;

import io.pangaea.model.MasterInfo;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The wiring of the master's parts: what they share (the state, the event loop, the registry, the counters and
 * the configuration) and a reference to each part, so that one part can hand work to the one that owns it. Built
 * once by {@link Master}; everything reached through it is touched on the event loop only, except where a part
 * says otherwise.
 */
final class MasterContext {

    /** The coordinator, for the read views parts send in events. */
    final Master master;
    final String masterId;
    final MasterInfo masterInfo;
    final MasterState state = new MasterState();
    final Registry registry;
    final ScheduledExecutorService loop;
    final MasterMetrics metrics = new MasterMetrics();
    /** How far behind the loop is (admission control for allocation cycles; a gauge). */
    final LoopLag lag;
    /** Replaced whole when a live setting changes; parts read it at each use. */
    private volatile MasterConfig config;

    final OperatorEvents events;
    final Frameworks frameworks;
    final Offers offers;
    final Accepts accepts;
    final Operations operations;
    final Executors executors;
    final Tasks tasks;
    final Agents agents;
    final AgentReconciliation reconciliation;
    final Maintenance maintenance;
    final MaintenanceSchedule schedule;
    final AllocationLoop allocation;
    final AllocationExplainer explainer;
    final AgentFileRequests files;

    /**
     * The principal of each subscribed framework that gave one, readable from any thread: the HTTP edge meters a
     * framework's calls by it ({@code rate_limits}). Written on the loop only.
     */
    final java.util.concurrent.ConcurrentHashMap<io.pangaea.model.FrameworkId, String> principals =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A master that logs no line per agent: a standby's rehearsal of a takeover (see
     * {@code ha.StandbyRehearsal}), whose thousands of made-up agents would otherwise fill the log.
     */
    volatile boolean quiet;

    /** The ACLs in force (permissive for a context without its master, as unit tests build one). */
    io.pangaea.http.Acls acls() {
        return master == null ? io.pangaea.http.Acls.permissive() : master.acls();
    }

    MasterContext(Master master, MasterConfig config, Registry registry, String masterId,
                  java.util.concurrent.ScheduledExecutorService loop) {
        this.master = master;
        this.config = config;
        this.registry = registry;
        this.masterId = masterId;
        this.masterInfo = Master.masterInfo(masterId, config);
        this.loop = loop;
        this.lag = new LoopLag(loop);
        this.events = new OperatorEvents(this);
        this.frameworks = new Frameworks(this);
        this.offers = new Offers(this);
        this.accepts = new Accepts(this);
        this.operations = new Operations(this);
        this.executors = new Executors(this);
        this.tasks = new Tasks(this);
        this.agents = new Agents(this);
        this.reconciliation = new AgentReconciliation(this);
        this.maintenance = new Maintenance(this);
        this.schedule = new MaintenanceSchedule(this);
        this.allocation = new AllocationLoop(this);
        this.explainer = new AllocationExplainer(this);
        this.files = new AgentFileRequests(this);
    }

    MasterConfig config() {
        return config;
    }

    void setConfig(MasterConfig next) {
        this.config = next;
    }
}
