package io.pangaea.scheduler.zk;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.model.json.MesosJson;
import java.io.IOException;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The leading master of a {@code zk://host:port[,host:port]/path} URL, as Mesos lays masters out in ZooKeeper: the
 * contender {@code json.info_<seq>} with the lowest sequence leads, and its data is its MasterInfo as JSON. Asked
 * before each subscription (by the scheduler library, and by agents given {@code master = zk://...}); the session
 * opens on first use and again when lost. Each read also watches the contenders: when they change (a leader's node
 * goes, a master joins), {@code onChange} is told at once, so that a client waiting to subscribe again need not wait
 * out its backoff.
 */
public final class ZooKeeperMasters implements AutoCloseable {

    private static final String PREFIX = "json.info_";
    private final String connect;
    private final String path;
    private final String scheme;
    private final Runnable onChange;
    private ZooKeeper zk;

    /** For {@code zkUrl}; the leader is called over {@code scheme} (https when the masters serve TLS). */
    public ZooKeeperMasters(URI zkUrl, String scheme) {
        this(zkUrl, scheme, () -> { });
    }

    /** The same, telling {@code onChange} when the contenders change. */
    public ZooKeeperMasters(URI zkUrl, String scheme, Runnable onChange) {
        this.onChange = onChange;
        if (zkUrl.getAuthority() == null || zkUrl.getAuthority().isEmpty()) {
            throw new IllegalArgumentException("a zk:// master URL names its ZooKeeper servers: '" + zkUrl + "'");
        }
        this.connect = zkUrl.getAuthority();
        this.path = zkUrl.getPath() == null || zkUrl.getPath().isEmpty() || zkUrl.getPath().equals("/") ? "/pangaea"
                : zkUrl.getPath().replaceAll("/+$", "");
        this.scheme = scheme;
    }

    public static boolean isZooKeeper(URI master) {
        return "zk".equalsIgnoreCase(master.getScheme());
    }

    /** {@code scheme://ip:port} of the leading master now. */
    public synchronized URI leader() throws IOException {
        try {
            ZooKeeper z = session();
            List<String> children = z.getChildren(path, event -> {
                if (event.getType() == Watcher.Event.EventType.NodeChildrenChanged) {
                    onChange.run();
                }
            });
            String node = children.stream().filter(c -> c.startsWith(PREFIX))
                    .min(Comparator.comparing(c -> c.substring(PREFIX.length())))
                    .orElseThrow(() -> new IOException("no master contends under " + connect + path));
            JsonNode info = MesosJson.mapper().readTree(z.getData(path + "/" + node, false, null));
            String ip = info.at("/address/ip").asText("");
            int port = info.at("/address/port").asInt(info.path("port").asInt(0));
            if (ip.isEmpty() || port == 0) {
                throw new IOException("the leader's MasterInfo in " + node + " has no address");
            }
            return URI.create(scheme + "://" + ip + ":" + port);
        } catch (KeeperException e) {
            if (e.code() == KeeperException.Code.SESSIONEXPIRED) {
                close();
            }
            throw new IOException("cannot read the leading master from ZooKeeper: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private ZooKeeper session() throws IOException, InterruptedException {
        if (zk != null && zk.getState().isAlive()) {
            return zk;
        }
        CountDownLatch connected = new CountDownLatch(1);
        zk = new ZooKeeper(connect, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(10, TimeUnit.SECONDS)) {
            close();
            throw new IOException("cannot reach ZooKeeper at " + connect);
        }
        return zk;
    }

    @Override
    public synchronized void close() {
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
