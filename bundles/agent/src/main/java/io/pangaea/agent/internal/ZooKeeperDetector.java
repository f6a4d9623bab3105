package io.pangaea.agent.internal;

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
 * Finds the leading master in ZooKeeper for an agent configured with {@code master = zk://host:port/path}, as Mesos
 * lays masters out there: the contender {@code json.info_<seq>} with the lowest sequence leads, and its data is its
 * MasterInfo as JSON. Asked on each (re-)subscription; the session is opened on first use and again when lost. Each
 * read also watches the contenders: when they change (a leader's node goes, a master joins), {@code onChange} is told
 * at once, so that an agent waiting to subscribe again does not wait out its backoff.
 */
final class ZooKeeperDetector implements AutoCloseable {

    private static final String PREFIX = "json.info_";
    private final String connect;
    private final String path;
    private ZooKeeper zk;
    private final Runnable onChange;

    ZooKeeperDetector(String zkUrl) {
        this(zkUrl, () -> { });
    }

    ZooKeeperDetector(String zkUrl, Runnable onChange) {
        this.onChange = onChange;
        URI u = URI.create(zkUrl);
        if (u.getAuthority() == null || u.getAuthority().isEmpty()) {
            throw new IllegalArgumentException("'master' names no ZooKeeper server: '" + zkUrl + "'");
        }
        this.connect = u.getAuthority();
        this.path = u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/") ? "/pangaea"
                : u.getPath().replaceAll("/+$", "");
    }

    /** {@code http://ip:port} of the leading master. */
    synchronized URI leader() throws IOException {
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
            return URI.create("http://" + ip + ":" + port);
        } catch (KeeperException e) {
            if (e.code() == KeeperException.Code.SESSIONEXPIRED) {
                close();
            }
            throw new IOException("cannot read the leader from ZooKeeper: " + e.getMessage(), e);
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
