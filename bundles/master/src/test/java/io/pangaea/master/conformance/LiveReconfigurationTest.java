package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.pangaea.master.internal.MasterConfig;
import io.pangaea.master.internal.Settings;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Settings applied to a running master: the same master and the same streams, the new values in effect. */
public class LiveReconfigurationTest {

    private Harness h;

    @Before
    public void setUp() throws Exception {
        h = new Harness();
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    @Test
    public void heartbeatsFollowTheNewIntervalOnTheSameStream() throws Exception {
        Harness.Scheduler s = h.scheduler("steady");
        s.awaitType("SUBSCRIBED");
        String id = h.master.id();
        MasterConfig before = h.master.config();
        MasterConfig next = before.withHeartbeatInterval(Duration.ofMillis(200))
                .withAllocationInterval(Duration.ofMillis(300));
        h.master.reconfigure(next).get();
        int from = s.events.size();
        Awaitility.await("heartbeats at 200 ms").atMost(Duration.ofSeconds(10)).until(() -> s.events
                .subList(from, s.events.size()).stream().filter(e -> "HEARTBEAT".equals(e.path("type").asText()))
                .count() >= 3);
        assertEquals(id, h.master.id());
        assertTrue(s.events.stream().noneMatch(e -> "ERROR".equals(e.path("type").asText())));
        assertEquals(Duration.ofMillis(300), h.master.config().allocationInterval());
        assertEquals("300ms", Harness.JSON.readTree(h.get("/master/flags").body()).at("/flags/allocation_interval")
                .asText());
        assertEquals("allocation_interval 50ms -> 300ms, http_framework_heartbeat_interval 15secs -> 200ms",
                Settings.changes(before, next));
    }

    @Test
    public void theAddressIsNotChangedLive() throws Exception {
        MasterConfig c = h.master.config();
        try {
            h.master.reconfigure(c.withPort(c.port() + 1));
            fail("the port changed live");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("restart"));
        }
        assertEquals(List.of("port"), Settings.needingRestart(c, c.withPort(c.port() + 1)));
        assertEquals(List.of(), Settings.needingRestart(c, c.withAllocator("priority")));
    }
}
