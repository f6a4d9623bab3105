package io.pangaea.framework.support;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;

/**
 * A {@link StateStore} in ZooKeeper, under {@code <adapter znode>/state}: one znode per key, so that every instance
 * of the adapter reads what the acting one wrote. A write is durable once ZooKeeper's quorum has it. Values are
 * limited by ZooKeeper's znode size (1 MB by default).
 */
public final class ZooKeeperStateStore implements StateStore {

    private final ZooKeeperSession session;
    private final String base;

    public ZooKeeperStateStore(ZooKeeperSession session) throws IOException {
        this.session = session;
        this.base = session.root() + "/state";
        session.ensure(base);
    }

    private String path(String key) {
        return base + "/" + StateStore.check(key);
    }

    @Override
    public Optional<byte[]> get(String key) throws IOException {
        try {
            return Optional.of(session.zk().getData(path(key), false, null));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (KeeperException e) {
            throw new IOException("cannot read " + key + " from ZooKeeper: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void put(String key, byte[] value) throws IOException {
        String p = path(key);
        try {
            try {
                session.zk().setData(p, value, -1);
            } catch (KeeperException.NoNodeException e) {
                session.ensure(p.substring(0, p.lastIndexOf('/')));
                try {
                    session.zk().create(p, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                } catch (KeeperException.NodeExistsException raced) {
                    session.zk().setData(p, value, -1);
                }
            }
        } catch (KeeperException e) {
            throw new IOException("cannot write " + key + " to ZooKeeper: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            session.zk().delete(path(key), -1);
        } catch (KeeperException.NoNodeException e) {
            // gone already
        } catch (KeeperException e) {
            throw new IOException("cannot delete " + key + " from ZooKeeper: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public List<String> list(String folder) throws IOException {
        try {
            return session.zk().getChildren(path(folder), false).stream().sorted().map(n -> folder + "/" + n)
                    .toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (KeeperException e) {
            throw new IOException("cannot list " + folder + " in ZooKeeper: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
