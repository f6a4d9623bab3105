package io.pangaea.master.internal.ha;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.master.internal.Registry;
import io.pangaea.master.internal.http.MasterHttpServer;
import io.pangaea.model.MasterInfo;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master process in a group of masters: its HTTP server is up from the start, but a {@link Master} runs only
 * while this process leads, as elected through ZooKeeper. Until then, and after losing the lead, requests are
 * redirected to the leader. A new leader starts with what its registry (kept in ZooKeeper, so shared) holds and
 * rebuilds the rest as agents and frameworks re-subscribe: the master's state is soft. A master that loses the lead
 * drops its state and streams (Mesos's masters exit instead), so its agents and frameworks go to the new leader.
 */
public final class LeaderElectedMaster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectedMaster.class);

    private volatile MasterConfig config;
    private final MasterHttpServer http;
    private final ZooKeeperElection election;
    private final String id = UUID.randomUUID().toString();
    private final Consumer<Master> onLead;
    private final Consumer<Master> onFollow;
    private volatile Master master;
    /** Made-up agents a standby re-registers with a private master to rehearse a takeover; 0: none. */
    private volatile int rehearsalAgents;
    /** The rehearsal, once started (at most once per process); stopped when this process is elected. */
    private volatile StandbyRehearsal rehearsal;

    /**
     * @param onLead   called with the new master once it runs (to give it its allocator, register it, ...)
     * @param onFollow called with the master that stops leading, before it is closed
     */
    public LeaderElectedMaster(MasterConfig config, String zkUrl, Duration sessionTimeout, Consumer<Master> onLead,
                               Consumer<Master> onFollow) throws Exception {
        this(config, zkUrl, sessionTimeout, onLead, onFollow, new io.pangaea.http.HttpRoutes());
    }

    /** With the routes other bundles serve on the master's port (served whether this master leads or not). */
    public LeaderElectedMaster(MasterConfig config, String zkUrl, Duration sessionTimeout, Consumer<Master> onLead,
                               Consumer<Master> onFollow, io.pangaea.http.HttpRoutes routes) throws Exception {
        this(config, zkUrl, sessionTimeout, onLead, onFollow, routes, io.pangaea.http.HttpAuthentication::none);
    }

    /** With who may call what on this master's port, in force from the first request. */
    public LeaderElectedMaster(MasterConfig config, String zkUrl, Duration sessionTimeout, Consumer<Master> onLead,
                               Consumer<Master> onFollow, io.pangaea.http.HttpRoutes routes,
                               java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth)
            throws Exception {
        this(config, zkUrl, sessionTimeout, onLead, onFollow, routes, auth, io.pangaea.http.Tls.off());
    }

    /** Serving TLS as {@code tls} says. */
    public LeaderElectedMaster(MasterConfig config, String zkUrl, Duration sessionTimeout, Consumer<Master> onLead,
                               Consumer<Master> onFollow, io.pangaea.http.HttpRoutes routes,
                               java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth,
                               io.pangaea.http.Tls tls) throws Exception {
        ZooKeeperElection.parse(zkUrl);
        this.http = new MasterHttpServer(config.ip(), config.port(), routes, auth, tls);
        this.config = config.port() == 0 ? config.withPort(http.port()) : config;
        this.onLead = onLead;
        this.onFollow = onFollow;
        http.rehearsal(this::rehearsed);
        this.election = new ZooKeeperElection(zkUrl, (int) sessionTimeout.toMillis(),
                Master.masterInfo(id, this.config), this::leaderChanged);
    }

    public void start() {
        election.start();
    }

    /**
     * While this process stands by, it rehearses a takeover once: {@code agents} made-up agents re-register with a
     * private master of its own, so that the code a takeover runs is compiled before it is needed (see
     * {@link StandbyRehearsal}). 0, the default, rehearses nothing. Call before {@link #start}.
     */
    public void rehearse(int agents) {
        rehearsalAgents = Math.max(0, agents);
    }

    /** The made-up agents this standby's rehearsal has registered so far (0 if none ran). */
    public int rehearsed() {
        return rehearsal == null ? 0 : rehearsal.registered();
    }

    /** New live settings (see {@link Master#reconfigure}): for the running master, and any master to come. */
    public synchronized void reconfigure(MasterConfig next) {
        config = next.port() == 0 ? next.withPort(http.port()) : next;
        if (master != null) {
            master.reconfigure(config);
        }
    }

    /** ZooKeeper elected this process: its master runs, or is starting, or failed to start and is tried again. */
    public synchronized boolean elected() {
        return elected;
    }

    /** The running master while this process leads, else null. */
    public Master master() {
        return master;
    }

    public int port() {
        return http.port();
    }

    private synchronized void leaderChanged(MasterInfo leader, boolean self) {
        elected = self;
        if (self) {
            takeLead(0);
            return;
        }
        String to = leader == null || leader.address() == null ? null
                : leader.address().ip() + ":" + leader.address().port();
        http.follow(to);
        if (to != null && rehearsal == null && rehearsalAgents > 0 && !closed) {
            rehearsal = new StandbyRehearsal(config, rehearsalAgents);
            rehearsal.start();
        }
        if (master != null) {
            LOG.warn("Master {} lost the lead; dropping its state (agents and frameworks go to {})", id, to);
            stopMaster();
        }
    }

    /**
     * Starts this process's master, now that it is elected. When that fails (its registry cannot be read from
     * ZooKeeper, say), it is tried again, 1 s later and then less often, for as long as this process stays elected:
     * the election does not call again, and a master that holds the lead without serving leaves the cluster without
     * one.
     */
    private synchronized void takeLead(int attempt) {
        if (!elected || master != null || closed) {
            return;
        }
        if (rehearsal != null) {
            rehearsal.stop(); // its subscriptions in flight end on its own threads; the takeover does not wait
        }
        Master m = null;
        boolean told = false;
        try {
            Registry registry = new Registry(election.registryStore());
            m = new Master(config, registry, id);
            m.start();
            told = true;
            onLead.accept(m);
            master = m;
            http.lead(m);
            LOG.info("Master {} leads at {}:{}", id, config.ip(), config.port());
        } catch (RuntimeException e) {
            long delay = Math.min(10_000L, 1000L << Math.min(attempt, 4));
            LOG.error("Master {} is elected but could not start leading ({}); trying again in {} ms", id,
                    e.getMessage(), delay, e);
            http.follow(null); // 503 meanwhile: clients try again, rather than go to the leader that was
            if (m != null) {
                try {
                    if (told) {
                        onFollow.accept(m);
                    }
                } catch (RuntimeException cleanup) {
                    LOG.warn("Master {}: its owner could not let go of the master that failed to start", id, cleanup);
                } finally {
                    m.close();
                }
            }
            try {
                retries.schedule(() -> takeLead(attempt + 1), delay, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed meanwhile
            }
        }
    }

    /** Tries again to start leading (see {@link #takeLead}). */
    private final java.util.concurrent.ScheduledExecutorService retries =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pangaea-master-lead-retry");
                t.setDaemon(true);
                return t;
            });
    /** ZooKeeper elected this process, as last told. */
    private boolean elected;
    private volatile boolean closed;

    /** The running master, if any, stops: its owner is told, then its state and streams go. */
    private synchronized void stopMaster() {
        Master m = master;
        master = null;
        if (m != null) {
            try {
                onFollow.accept(m);
            } finally {
                m.close();
            }
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        synchronized (this) {
            if (rehearsal != null) {
                rehearsal.stop();
            }
        }
        retries.shutdownNow();
        election.close();
        http.close();
        stopMaster();
    }
}
