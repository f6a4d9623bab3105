package io.pangaea.master.internal.ha;

import io.pangaea.model.MasterInfo;
import io.pangaea.model.json.MesosJson;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among masters through ZooKeeper, in Mesos's layout: each master is an ephemeral sequential
 * znode {@code json.info_<seq>} under the path of its {@code zk} URL holding its MasterInfo as JSON; the lowest
 * sequence leads. So Mesos tools that read the leader from ZooKeeper find Pangaea's. A lost session (the master was
 * cut off longer than the session timeout) means the master no longer leads; it then contends again with a new
 * session. Listeners are called on one thread, in order.
 */
public final class ZooKeeperElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperElection.class);
    private static final String PREFIX = "json.info_";

    /** Told who leads now: {@code leader} is null while no one does; {@code self} when it is this master. */
    public interface Listener {
        void leaderChanged(MasterInfo leader, boolean self);
    }

    private final String connect;
    private final String path;
    private final int sessionTimeoutMs;
    private final byte[] info;
    private final Listener listener;
    private final ScheduledExecutorService events = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pangaea-master-election");
        t.setDaemon(true);
        return t;
    });
    private volatile ZooKeeper zk;
    private String ownNode;
    private String lastLeaderNode = "";
    private boolean lastSelf;
    private volatile boolean closed;

    /**
     * @param zkUrl {@code zk://host:port[,host:port]/path}
     */
    public ZooKeeperElection(String zkUrl, int sessionTimeoutMs, MasterInfo self, Listener listener) {
        URI u = parse(zkUrl);
        this.connect = u.getAuthority();
        this.path = u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/") ? "/pangaea"
                : u.getPath().replaceAll("/+$", "");
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.info = MesosJson.write(self);
        this.listener = listener;
    }

    /** Checks a {@code zk://} URL; throws IllegalArgumentException naming what is wrong. */
    public static URI parse(String zkUrl) {
        if (zkUrl == null || !zkUrl.startsWith("zk://")) {
            throw new IllegalArgumentException("'zk' must look like zk://host:port[,host:port]/path, not '"
                    + zkUrl + "'");
        }
        URI u = URI.create(zkUrl);
        if (u.getAuthority() == null || u.getAuthority().isEmpty()) {
            throw new IllegalArgumentException("'zk' names no ZooKeeper server: '" + zkUrl + "'");
        }
        return u;
    }

    /** The ZooKeeper path masters contend under. */
    public String path() {
        return path;
    }

    public void start() {
        events.execute(this::connect);
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            zk = new ZooKeeper(connect, sessionTimeoutMs, this::onSessionEvent);
        } catch (Exception e) {
            LOG.warn("Cannot reach ZooKeeper at {}: {}; trying again", connect, e.toString());
            retry();
        }
    }

    private void retry() {
        if (!closed) {
            events.schedule(this::connect, 1, TimeUnit.SECONDS);
        }
    }

    private void onSessionEvent(WatchedEvent e) {
        if (e.getType() != Watcher.Event.EventType.None) {
            return;
        }
        events.execute(() -> {
            switch (e.getState()) {
                case SyncConnected -> contend();
                case Expired -> {
                    LOG.warn("ZooKeeper session expired: this master no longer contends; joining again");
                    ownNode = null;
                    tell(null, false, "");
                    closeQuietly();
                    connect();
                }
                case Disconnected -> LOG.info("Disconnected from ZooKeeper; the session lasts {} ms",
                        sessionTimeoutMs);
                default -> { }
            }
        });
    }

    /** Joins the election (once per session) and looks at who leads. */
    private void contend() {
        if (closed || zk == null) {
            return;
        }
        try {
            if (ownNode == null) {
                ensurePath();
                ownNode = zk.create(path + "/" + PREFIX, info, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL_SEQUENTIAL);
                LOG.info("Contending for leadership as {}", ownNode);
            }
            look();
        } catch (KeeperException.ConnectionLossException e) {
            LOG.info("ZooKeeper connection lost while contending; waiting for it to come back");
        } catch (Exception e) {
            LOG.warn("Leader election failed: {}; trying again", e.toString());
            retry();
        }
    }

    private void ensurePath() throws KeeperException, InterruptedException {
        StringBuilder p = new StringBuilder();
        for (String part : path.substring(1).split("/")) {
            p.append('/').append(part);
            try {
                zk.create(p.toString(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException ignored) {
                // there already
            }
        }
    }

    /** Reads the contenders (watching them) and tells the listener when the leader changed. */
    private void look() throws KeeperException, InterruptedException {
        List<String> children = zk.getChildren(path, e -> events.execute(() -> {
            try {
                if (!closed && zk != null && zk.getState().isConnected()) {
                    look();
                }
            } catch (Exception x) {
                LOG.info("Could not read the contenders: {}", x.toString());
            }
        }));
        String leaderNode = children.stream().filter(c -> c.startsWith(PREFIX))
                .min(Comparator.comparing(c -> c.substring(PREFIX.length()))).orElse(null);
        if (leaderNode == null) {
            tell(null, false, "");
            return;
        }
        boolean self = ownNode != null && ownNode.endsWith("/" + leaderNode);
        MasterInfo leader;
        try {
            leader = MesosJson.read(zk.getData(path + "/" + leaderNode, false, null), MasterInfo.class);
        } catch (KeeperException.NoNodeException gone) {
            look(); // it went away meanwhile
            return;
        } catch (io.pangaea.model.json.MesosJsonException bad) {
            LOG.warn("Contender {} holds no MasterInfo JSON; ignoring it", leaderNode);
            return;
        }
        tell(leader, self, leaderNode);
    }

    private void tell(MasterInfo leader, boolean self, String node) {
        if (node.equals(lastLeaderNode) && self == lastSelf) {
            return;
        }
        lastLeaderNode = node;
        lastSelf = self;
        LOG.info(leader == null ? "No master leads" : self ? "This master now leads" : "Master {} leads",
                leader == null ? null : leader.pid());
        try {
            listener.leaderChanged(leader, self);
        } catch (RuntimeException e) {
            LOG.error("Leader change listener failed", e);
        }
    }

    private void closeQuietly() {
        ZooKeeper z = zk;
        zk = null;
        if (z != null) {
            try {
                z.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The registry shared by the masters: the node {@code <path>/registry}, read and written through this
     * master's session (only the leader writes it).
     */
    public io.pangaea.master.internal.Registry.Store registryStore() {
        String node = path + "/registry";
        return new io.pangaea.master.internal.Registry.Store() {
            @Override
            public byte[] load() throws java.io.IOException {
                return zkCall(() -> {
                    try {
                        return session().getData(node, false, null);
                    } catch (KeeperException.NoNodeException e) {
                        return null;
                    }
                });
            }

            @Override
            public void save(byte[] bytes) throws java.io.IOException {
                zkCall(() -> {
                    try {
                        return session().setData(node, bytes, -1);
                    } catch (KeeperException.NoNodeException e) {
                        return session().create(node, bytes, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    }
                });
            }

            @Override
            public String toString() {
                return "zk:" + node;
            }
        };
    }

    private interface ZkCall<T> {
        T run() throws KeeperException, InterruptedException, java.io.IOException;
    }

    /** A ZooKeeper call whose failures are IOExceptions (what the registry's store may throw). */
    private static <T> T zkCall(ZkCall<T> call) throws java.io.IOException {
        try {
            return call.run();
        } catch (KeeperException e) {
            throw new java.io.IOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted", e);
        }
    }

    private ZooKeeper session() throws java.io.IOException {
        ZooKeeper z = zk;
        if (z == null || !z.getState().isConnected()) {
            throw new java.io.IOException("not connected to ZooKeeper");
        }
        return z;
    }

    /** Leaves the election (the ephemeral node goes with the session). */
    @Override
    public void close() {
        closed = true;
        try {
            events.submit(this::closeQuietly).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Closing the election", e);
        }
        events.shutdownNow();
    }
}
