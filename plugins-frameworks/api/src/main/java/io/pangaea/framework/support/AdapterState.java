package io.pangaea.framework.support;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an adapter instance keeps its state and how it learns whether it acts, from its settings: with a {@code zk}
 * URL, a {@link ZooKeeperStateStore} and a {@link ZooKeeperElection} under that znode; without, a
 * {@link FileStateStore} in {@code stateDir} and the sole instance acting.
 */
public final class AdapterState implements AutoCloseable {

    private final ZooKeeperSession zk;
    private final StateStore store;
    private final Election election;

    private AdapterState(ZooKeeperSession zk, StateStore store, Election election) {
        this.zk = zk;
        this.store = store;
        this.election = election;
    }

    /**
     * @param zkUrl         {@code zk://host:port/path}, or blank
     * @param timeoutMillis the ZooKeeper session timeout
     * @param stateDir      the folder of the state without ZooKeeper
     * @param api           this instance's API address, which the others forward to
     */
    public static AdapterState open(String zkUrl, int timeoutMillis, Path stateDir, String api) throws IOException {
        if (zkUrl == null || zkUrl.isBlank()) {
            return new AdapterState(null, new FileStateStore(stateDir), Election.sole(api));
        }
        ZooKeeperSession zk = new ZooKeeperSession(zkUrl, timeoutMillis);
        try {
            return new AdapterState(zk, new ZooKeeperStateStore(zk), new ZooKeeperElection(zk, api));
        } catch (IOException | RuntimeException e) {
            zk.close();
            throw e;
        }
    }

    public StateStore store() {
        return store;
    }

    public Election election() {
        return election;
    }

    /** The {@code master} setting: {@code host:port,host:port}, URLs, or one {@code zk://} URL. */
    public static List<URI> masters(String setting) {
        List<URI> out = new ArrayList<>();
        String s = setting == null ? "" : setting.trim();
        if (s.startsWith("zk://")) {
            out.add(URI.create(s));
            return out;
        }
        for (String part : s.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                out.add(URI.create(p.contains("://") ? p : "http://" + p));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("master: no master is given");
        }
        return out;
    }

    @Override
    public void close() {
        store.close();
        if (zk != null) {
            zk.close();
        }
    }
}
