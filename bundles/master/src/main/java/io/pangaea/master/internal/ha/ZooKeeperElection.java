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
 * sequence leads. So Mesos tools that read the leader from ZooKeeper find Pangaea's. Listeners are called on one
 * thread, in order.
 *
 * <p>A master that loses its connection to ZooKeeper stops leading at once (its listener hears "no leader"): it
 * cannot know whether its session, and so its node, still stands, and another master may lead by the time it hears.
 * If the connection comes back within the session, it looks again and leads again if its node is still the lowest;
 * if the session expired, it contends again with a new one. A node of its own session that it does not know of (one
 * created by a call whose answer the lost connection swallowed) is recognised by its owner session and taken as its
 * own, and any other such node removed, so that no orphan of a living session blocks the election.
 *
 * <p>Plain ZooKeeper client calls are used rather than Apache Curator's recipes: Curator's leader latch names its
 * nodes {@code _c_<uuid>-latch-}, which is not Mesos's layout, and the three cases above are what it would add.
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
    /** For tests: the next create of this master's node "loses its answer", as a dropped connection does. */
    volatile boolean loseNextCreateAnswer;

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
                case Disconnected -> {
                    // another master may lead by now: this one stops acting as leader until it knows
                    LOG.warn("Disconnected from ZooKeeper: this master stops leading until the connection is back"
                            + " (the session lasts {} ms)", sessionTimeoutMs);
                    tell(null, false, "");
                }
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
            ensurePath();
            adoptOwnNodes();
            if (ownNode == null) {
                String created = zk.create(path + "/" + PREFIX, info, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL_SEQUENTIAL);
                if (loseNextCreateAnswer) {
                    loseNextCreateAnswer = false;
                    throw new KeeperException.ConnectionLossException();
                }
                ownNode = created;
                LOG.info("Contending for leadership as {}", ownNode);
            }
            look();
        } catch (KeeperException.ConnectionLossException e) {
            // the node may have been made without this master hearing of it: the next try finds it by its owner
            LOG.info("ZooKeeper connection lost while contending; trying again");
            events.schedule(this::contend, 500, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("Leader election failed: {}; trying again", e.toString());
            retry();
        }
    }

    /**
     * The contenders that this master's session owns: the lowest becomes this master's node if it has none, and every
     * other one is removed (a node created by a call whose answer was lost).
     */
    private void adoptOwnNodes() throws KeeperException, InterruptedException {
        long session = zk.getSessionId();
        List<String> mine = new java.util.ArrayList<>();
        for (String c : zk.getChildren(path, false)) {
            if (!c.startsWith(PREFIX)) {
                continue;
            }
            org.apache.zookeeper.data.Stat stat = zk.exists(path + "/" + c, false);
            if (stat != null && stat.getEphemeralOwner() == session) {
                mine.add(path + "/" + c);
            }
        }
        mine.sort(Comparator.comparing(n -> n.substring(n.lastIndexOf(PREFIX) + PREFIX.length())));
        if (ownNode == null && !mine.isEmpty()) {
            ownNode = mine.get(0);
            LOG.info("Found this master's own node {} (its creation's answer was lost); contending with it", ownNode);
        }
        for (String n : mine) {
            if (!n.equals(ownNode)) {
                LOG.info("Removing {}, a node of this master's session that it does not use", n);
                try {
                    zk.delete(n, -1);
                } catch (KeeperException.NoNodeException gone) {
                    // gone already
                }
            }
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
     * The registry as stored in ZooKeeper: gzip-compressed, since a node holds at most 1 MB (jute.maxbuffer) and the
     * agents' records of a large cluster are several (40,000 agents: ~4 MB of JSON, ~10x less compressed).
     */
    static byte[] gzip(byte[] plain) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(Math.max(64, plain.length / 8));
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(plain);
        }
        return out.toByteArray();
    }

    /** What {@link #gzip} wrote, or a registry written before it was compressed (plain JSON) as it is. */
    static byte[] gunzip(byte[] stored) throws java.io.IOException {
        if (stored == null || stored.length < 2 || (stored[0] & 0xff) != 0x1f || (stored[1] & 0xff) != 0x8b) {
            return stored;
        }
        try (java.util.zip.GZIPInputStream z = new java.util.zip.GZIPInputStream(
                new java.io.ByteArrayInputStream(stored))) {
            return z.readAllBytes();
        }
    }

    /**
     * The registry shared by the masters: the node {@code <path>/registry}, read and written through this
     * master's session (only the leader writes it).
     */
    public io.pangaea.master.internal.Registry.Store registryStore() {
        String node = path + "/registry";
        return new io.pangaea.master.internal.Registry.Store() {
            /** The node's version this master last read or wrote; -1 when it did not exist. */
            private int version = -1;

            @Override
            public synchronized byte[] load() throws java.io.IOException {
                return zkCall(() -> {
                    try {
                        org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
                        byte[] data = session().getData(node, false, stat);
                        version = stat.getVersion();
                        return gunzip(data);
                    } catch (KeeperException.NoNodeException e) {
                        version = -1;
                        return null;
                    }
                });
            }

            /**
             * Writes only over the version this master read or wrote last (compare and set): a master that was deposed
             * meanwhile, whose successor wrote the registry, is refused instead of overwriting it.
             */
            @Override
            public synchronized void save(byte[] plain) throws java.io.IOException {
                byte[] bytes = gzip(plain);
                try {
                    zkCall(() -> {
                        if (version < 0) {
                            session().create(node, bytes, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                            version = 0;
                        } else {
                            version = session().setData(node, bytes, version).getVersion();
                        }
                        return null;
                    });
                } catch (java.io.IOException e) {
                    if (e.getCause() instanceof KeeperException.BadVersionException
                            || e.getCause() instanceof KeeperException.NodeExistsException
                            || e.getCause() instanceof KeeperException.NoNodeException) {
                        throw new java.io.IOException("The registry in " + node + " was changed by another master"
                                + " since this one read it; not overwriting it", e.getCause());
                    }
                    throw e;
                }
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

    /** For tests: this master's session (id and password), to act as it from another client. */
    long sessionId() {
        ZooKeeper z = zk;
        return z == null ? 0 : z.getSessionId();
    }

    /** For tests: the connect string. */
    String connectString() {
        return connect;
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
