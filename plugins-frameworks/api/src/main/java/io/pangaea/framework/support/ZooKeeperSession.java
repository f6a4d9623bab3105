package io.pangaea.framework.support;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * One ZooKeeper session for an adapter, from its {@code zk} setting ({@code zk://host:port[,host:port]/path}; the
 * path is the adapter's own znode). The session is opened on first use and opened again when it expires;
 * {@link #onNewSession} listeners hear of each new one (the election then contends again). Thread-safe.
 */
public final class ZooKeeperSession implements AutoCloseable {

    private final String connect;
    private final String root;
    private final int timeoutMillis;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private ZooKeeper zk;
    private boolean closed;

    public ZooKeeperSession(String zkUrl, int sessionTimeoutMillis) {
        URI u = URI.create(zkUrl.trim());
        if (!"zk".equalsIgnoreCase(u.getScheme()) || u.getAuthority() == null || u.getAuthority().isEmpty()) {
            throw new IllegalArgumentException("zk: expected zk://host:port[,host:port]/path, got '" + zkUrl + "'");
        }
        String path = u.getPath() == null ? "" : u.getPath().replaceAll("/+$", "");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("zk: the URL names no znode for the adapter: '" + zkUrl + "'");
        }
        this.connect = u.getAuthority();
        this.root = path;
        this.timeoutMillis = sessionTimeoutMillis;
    }

    /** The adapter's own znode. */
    public String root() {
        return root;
    }

    public String connectString() {
        return connect;
    }

    /** Called (on a ZooKeeper thread) each time a session other than the first one is opened. */
    public void onNewSession(Runnable listener) {
        listeners.add(listener);
    }

    /** The live session, opening one if needed. */
    public ZooKeeper zk() throws IOException {
        boolean renewed;
        ZooKeeper z;
        synchronized (this) {
            if (closed) {
                throw new IOException("the ZooKeeper session is closed");
            }
            if (zk != null && zk.getState().isAlive()) {
                return zk;
            }
            renewed = zk != null;
            z = open();
            zk = z;
        }
        if (renewed) {
            listeners.forEach(Runnable::run);
        }
        return z;
    }

    private ZooKeeper open() throws IOException {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper z = new ZooKeeper(connect, timeoutMillis, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        try {
            if (!connected.await(Math.max(5_000, timeoutMillis), TimeUnit.MILLISECONDS)) {
                z.close();
                throw new IOException("cannot reach ZooKeeper at " + connect);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to ZooKeeper", e);
        }
        return z;
    }

    /** Creates {@code path} and its parents as persistent znodes where missing. */
    public void ensure(String path) throws IOException {
        StringBuilder p = new StringBuilder();
        for (String part : path.substring(1).split("/")) {
            p.append('/').append(part);
            try {
                zk().create(p.toString(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                // there already
            } catch (KeeperException e) {
                throw new IOException("cannot create " + p + " in ZooKeeper: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (zk != null) {
            try {
                zk.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            zk = null;
        }
    }
}
