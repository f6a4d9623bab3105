package io.pangaea.master.internal.ha;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.Registry;
import io.pangaea.model.MasterInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The election against a real ZooKeeper server: a leader that loses its connection stops leading at once and leads
 * again when its session survived; a node of its own session that it lost track of does not block the election; a
 * registry write over a version another master wrote is refused.
 */
public class ZooKeeperElectionTest {

    private TestingServer server;
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @Before
    public void start() throws Exception {
        server = new TestingServer(true);
    }

    @After
    public void stop() throws Exception {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
        server.close();
    }

    /** What the listener was last told: who leads, and whether it is this master. */
    private static final class Seen implements ZooKeeperElection.Listener {
        volatile MasterInfo leader;
        volatile boolean self;
        final List<Boolean> history = new CopyOnWriteArrayList<>();

        @Override
        public void leaderChanged(MasterInfo leader, boolean self) {
            this.leader = leader;
            this.self = self;
            history.add(self);
        }
    }

    private ZooKeeperElection election(String name, Seen seen, int sessionMs) {
        MasterInfo info = new MasterInfo(name, 0L, 5050, "master@127.0.0.1:5050", "localhost", "1.11.0", null,
                null);
        ZooKeeperElection e = new ZooKeeperElection("zk://" + server.getConnectString() + "/pangaea/election",
                sessionMs, info, seen);
        open.add(0, e);
        e.start();
        return e;
    }

    private ZooKeeper client() throws Exception {
        ZooKeeper z = new ZooKeeper(server.getConnectString(), 10_000, e -> { });
        open.add(0, z::close);
        Awaitility.await("client connected").atMost(Duration.ofSeconds(10)).until(() -> z.getState().isConnected());
        return z;
    }

    @Test
    public void aLeaderThatLosesItsConnectionStopsLeadingWithinASecondAndLeadsAgainIfItsSessionSurvived()
            throws Exception {
        Seen seen = new Seen();
        election("m1", seen, 20_000);
        Awaitility.await("m1 leads").atMost(Duration.ofSeconds(10)).until(() -> seen.self);
        server.stop(); // the connection drops; the session (20 s) outlives a short outage
        long lost = System.nanoTime();
        Awaitility.await("m1 stepped down").atMost(Duration.ofSeconds(10)).until(() -> !seen.self);
        double took = (System.nanoTime() - lost) / 1e9;
        assertTrue("stepped down " + took + " s after the connection dropped", took < 5);
        server.restart();
        Awaitility.await("m1 leads again").atMost(Duration.ofSeconds(30)).until(() -> seen.self);
        assertEquals(List.of(true, false, true), seen.history);
    }

    /**
     * The answer to the create of the master's node is lost (as when the connection drops during the call): the node
     * exists, owned by the master's session, but the master does not know its name. It is found by its owner and
     * used, so the master leads; no second node of the same session is left.
     */
    @Test
    public void aNodeOfItsOwnSessionWhoseCreationAnswerWasLostIsAdopted() throws Exception {
        Seen seen = new Seen();
        MasterInfo info = new MasterInfo("m-lost", 0L, 5050, "master@127.0.0.1:5050", "localhost", "1.11.0", null,
                null);
        ZooKeeperElection e = new ZooKeeperElection("zk://" + server.getConnectString() + "/pangaea/orphans",
                20_000, info, seen);
        open.add(0, e);
        e.loseNextCreateAnswer = true;
        e.start();
        Awaitility.await("the master leads with the node it lost track of").atMost(Duration.ofSeconds(10))
                .until(() -> seen.self);
        ZooKeeper z = client();
        List<String> nodes = z.getChildren("/pangaea/orphans", false).stream()
                .filter(c -> c.startsWith("json.info_")).toList();
        assertEquals("one node for the one master: " + nodes, 1, nodes.size());
        assertEquals(e.sessionId(), z.exists("/pangaea/orphans/" + nodes.get(0), false).getEphemeralOwner());
    }

    @Test
    public void aRegistryWriteOverAVersionAnotherMasterWroteIsRefused() throws Exception {
        Seen a = new Seen();
        Seen b = new Seen();
        ZooKeeperElection first = election("m-a", a, 20_000);
        ZooKeeperElection second = election("m-b", b, 20_000);
        Awaitility.await("both connected").atMost(Duration.ofSeconds(10))
                .until(() -> first.sessionId() != 0 && second.sessionId() != 0 && (a.self || b.self));
        Registry.Store deposed = first.registryStore();
        Registry.Store successor = second.registryStore();
        assertEquals(null, deposed.load());
        deposed.save("{\"v\":1}".getBytes(StandardCharsets.UTF_8));
        // the successor reads what the first wrote and writes on top of it
        assertEquals("{\"v\":1}", new String(successor.load(), StandardCharsets.UTF_8));
        successor.save("{\"v\":2}".getBytes(StandardCharsets.UTF_8));
        // the deposed master's next write is over a version it never read
        try {
            deposed.save("{\"v\":\"stale\"}".getBytes(StandardCharsets.UTF_8));
            throw new AssertionError("a stale registry write was taken");
        } catch (java.io.IOException expected) {
            assertTrue(expected.getMessage(), expected.getMessage().contains("changed by another master"));
        }
        assertEquals("{\"v\":2}", new String(successor.load(), StandardCharsets.UTF_8));
        // a write after reading again is taken
        deposed.load();
        deposed.save("{\"v\":3}".getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"v\":3}", new String(successor.load(), StandardCharsets.UTF_8));
        assertFalse(new String(successor.load(), StandardCharsets.UTF_8).contains("stale"));
    }
}
