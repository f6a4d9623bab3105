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
        this.election = new ZooKeeperElection(zkUrl, (int) sessionTimeout.toMillis(),
                Master.masterInfo(id, this.config), this::leaderChanged);
    }

    public void start() {
        election.start();
    }

    /** New live settings (see {@link Master#reconfigure}): for the running master, and any master to come. */
    public synchronized void reconfigure(MasterConfig next) {
        config = next.port() == 0 ? next.withPort(http.port()) : next;
        if (master != null) {
            master.reconfigure(config);
        }
    }

    /** The running master while this process leads, else null. */
    public Master master() {
        return master;
    }

    public int port() {
        return http.port();
    }

    private synchronized void leaderChanged(MasterInfo leader, boolean self) {
        if (self) {
            if (master == null) {
                Registry registry = new Registry(election.registryStore());
                Master m = new Master(config, registry, id);
                m.start();
                master = m;
                onLead.accept(m);
                http.lead(m);
                LOG.info("Master {} leads at {}:{}", id, config.ip(), config.port());
            }
            return;
        }
        String to = leader == null || leader.address() == null ? null
                : leader.address().ip() + ":" + leader.address().port();
        http.follow(to);
        if (master != null) {
            LOG.warn("Master {} lost the lead; dropping its state (agents and frameworks go to {})", id, to);
            stopMaster();
        }
    }

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
        election.close();
        http.close();
        stopMaster();
    }
}
