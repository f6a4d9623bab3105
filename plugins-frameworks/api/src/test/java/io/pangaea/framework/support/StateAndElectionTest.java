package io.pangaea.framework.support;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

public class StateAndElectionTest {

    private static TestingServer zk;

    @BeforeClass
    public static void zooKeeper() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterClass
    public static void stop() throws Exception {
        zk.close();
    }

    private static String url(String path) {
        return "zk://" + zk.getConnectString() + path;
    }

    private static void exercise(StateStore store) throws Exception {
        assertTrue(store.get("framework-id").isEmpty());
        store.put("framework-id", "abc-0001".getBytes(StandardCharsets.UTF_8));
        store.put("framework-id", "abc-0002".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("abc-0002".getBytes(StandardCharsets.UTF_8), store.get("framework-id").orElseThrow());
        store.put("apps/web", new byte[] {1});
        store.put("apps/db", new byte[] {2});
        assertEquals(List.of("apps/db", "apps/web"), store.list("apps"));
        store.delete("apps/db");
        store.delete("apps/db");
        assertEquals(List.of("apps/web"), store.list("apps"));
        assertEquals(List.of(), store.list("nothing"));
        assertThrows(IllegalArgumentException.class, () -> store.put("../escape", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> store.get("a//b"));
    }

    @Test
    public void fileStore() throws Exception {
        Path dir = Files.createTempDirectory("state");
        exercise(new FileStateStore(dir));
        // what was written is there for the next instance on the same folder
        assertEquals(List.of("apps/web"), new FileStateStore(dir).list("apps"));
    }

    @Test
    public void zooKeeperStore() throws Exception {
        try (ZooKeeperSession s = new ZooKeeperSession(url("/store-test"), 5000)) {
            exercise(new ZooKeeperStateStore(s));
        }
        try (ZooKeeperSession s = new ZooKeeperSession(url("/store-test"), 5000)) {
            assertEquals(List.of("apps/web"), new ZooKeeperStateStore(s).list("apps"));
        }
    }

    @Test
    public void theMasterSetting() {
        assertEquals(List.of(java.net.URI.create("http://a:5050"), java.net.URI.create("https://b:5050")),
                AdapterState.masters(" a:5050, https://b:5050 "));
        assertEquals(List.of(java.net.URI.create("zk://z:2181/pangaea")), AdapterState.masters("zk://z:2181/pangaea"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterState.masters(" "));
        assertTrue(e.getMessage(), e.getMessage().startsWith("master:"));
    }

    @Test
    public void theStateOfASingleInstanceIsInFilesAndItActs() throws Exception {
        Path dir = Files.createTempDirectory("adapter-state");
        try (AdapterState state = AdapterState.open("", 5000, dir, "http://a:1")) {
            assertTrue(state.store() instanceof FileStateStore);
            state.election().start(on -> { });
            assertTrue(state.election().isActing());
            assertEquals("http://a:1", state.election().acting());
        }
    }

    @Test
    public void aLoopAnswersAndGoesOnAfterAFailure() throws Exception {
        AdapterLoop loop = new AdapterLoop("test-loop");
        try {
            assertThrows(IllegalStateException.class, () -> loop.call(() -> {
                throw new IllegalStateException("boom");
            }));
            assertEquals(Integer.valueOf(42), loop.call(() -> 42));
        } finally {
            loop.close();
        }
    }

    @Test
    public void badZkUrlsAreRefusedWithTheSettingNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ZooKeeperSession("http://x:2181/a", 5000));
        assertTrue(e.getMessage(), e.getMessage().startsWith("zk:"));
        assertThrows(IllegalArgumentException.class, () -> new ZooKeeperSession("zk://x:2181", 5000));
    }

    @Test
    public void oneInstanceActsAndTheNextTakesOverWhenItLeaves() throws Exception {
        ZooKeeperSession s1 = new ZooKeeperSession(url("/election-test"), 5000);
        ZooKeeperSession s2 = new ZooKeeperSession(url("/election-test"), 5000);
        ZooKeeperElection first = new ZooKeeperElection(s1, "http://a:8080");
        ZooKeeperElection second = new ZooKeeperElection(s2, "http://b:8080");
        AtomicInteger changes = new AtomicInteger();
        first.start(on -> changes.incrementAndGet());
        await().atMost(Duration.ofSeconds(10)).until(first::isActing);
        second.start(on -> { });
        await().atMost(Duration.ofSeconds(10)).until(() -> "http://a:8080".equals(second.acting()));
        assertFalse(second.isActing());
        first.close();
        s1.close();
        await().atMost(Duration.ofSeconds(10)).until(second::isActing);
        assertEquals("http://b:8080", second.acting());
        assertEquals(2, changes.get()); // acted, then stopped acting on close
        second.close();
        s2.close();
    }

    @Test
    public void anInstanceWhoseZooKeeperIsGoneStopsActing() throws Exception {
        try (TestingServer own = new TestingServer(true)) {
            ZooKeeperSession s = new ZooKeeperSession("zk://" + own.getConnectString() + "/gone", 4000);
            ZooKeeperElection e = new ZooKeeperElection(s, "http://a:8080");
            e.start(on -> { });
            await().atMost(Duration.ofSeconds(10)).until(e::isActing);
            own.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> !e.isActing());
            own.restart();
            await().atMost(Duration.ofSeconds(30)).until(e::isActing);
            e.close();
            s.close();
        }
    }
}
