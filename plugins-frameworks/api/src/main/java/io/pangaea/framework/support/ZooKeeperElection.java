package io.pangaea.framework.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Election} in ZooKeeper under {@code <adapter znode>/leader}: each instance holds an ephemeral sequential
 * znode {@code member_<seq>} whose data is its API address, and the lowest sequence acts. The members are read on
 * every change (a watch) and every half second besides; an instance that cannot reach ZooKeeper stops acting at
 * once, before its session expires, so that two instances never act together for longer than a session timeout.
 */
public final class ZooKeeperElection implements Election {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperElection.class);
    private static final String PREFIX = "member_";

    private final ZooKeeperSession session;
    private final String dir;
    private final byte[] address;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "adapter-election");
        t.setDaemon(true);
        return t;
    });
    private Consumer<Boolean> listener = b -> { };
    /** Our member znode's name, and the session it belongs to. */
    private String member;
    private ZooKeeper memberSession;
    private volatile boolean acting;
    private volatile String actingAddress;
    private volatile boolean closed;

    public ZooKeeperElection(ZooKeeperSession session, String address) {
        this.session = session;
        this.dir = session.root() + "/leader";
        this.address = address.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void start(Consumer<Boolean> onChange) {
        this.listener = onChange;
        thread.scheduleWithFixedDelay(this::check, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** Reads the members and decides; on the election thread only. */
    private void check() {
        if (closed) {
            return;
        }
        boolean now;
        try {
            ZooKeeper zk = session.zk();
            if (member == null || memberSession != zk) {
                session.ensure(dir);
                member = zk.create(dir + "/" + PREFIX, address, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL_SEQUENTIAL).substring(dir.length() + 1);
                memberSession = zk;
                LOG.info("Adapter instance contends as {}{}", dir, "/" + member);
            }
            List<String> members = zk.getChildren(dir, e -> {
                if (!closed) {
                    try {
                        thread.execute(this::check);
                    } catch (java.util.concurrent.RejectedExecutionException stopping) {
                        // closed meanwhile
                    }
                }
            });
            if (!members.contains(member)) {
                member = null; // lost with an expired session: contend again
                now = false;
            } else {
                String first = members.stream().filter(m -> m.startsWith(PREFIX))
                        .min(Comparator.comparing(m -> m.substring(PREFIX.length()))).orElseThrow();
                now = first.equals(member);
                actingAddress = now ? new String(address, StandardCharsets.UTF_8)
                        : new String(zk.getData(dir + "/" + first, false, null), StandardCharsets.UTF_8);
            }
        } catch (IOException | KeeperException | RuntimeException e) {
            LOG.debug("Election check failed: {}", e.toString());
            now = false;
            actingAddress = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (now != acting) {
            acting = now;
            LOG.info("Adapter instance {} {}", new String(address, StandardCharsets.UTF_8),
                    now ? "acts" : "stands by");
            try {
                listener.accept(now);
            } catch (RuntimeException e) {
                LOG.warn("Election listener failed", e);
            }
        }
    }

    @Override
    public boolean isActing() {
        return acting;
    }

    @Override
    public String acting() {
        return actingAddress;
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (member != null && memberSession != null && memberSession.getState().isAlive()) {
            try {
                memberSession.delete(dir + "/" + member, -1); // the next instance acts at once
            } catch (KeeperException | InterruptedException e) {
                LOG.debug("Could not remove {}: {}", member, e.toString());
            }
        }
        if (acting) {
            acting = false;
            listener.accept(false);
        }
    }
}
