package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.master.internal.MasterConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** Values in the read views that come from the process and the configuration, not from constants. */
public class MasterReadViewsTest {

    private static Harness h;

    @BeforeClass
    public static void setUp() throws Exception {
        MasterConfig c = MasterConfig.defaults();
        h = new Harness(new MasterConfig(c.ip(), c.port(), c.hostname(), c.allocationInterval(),
                c.heartbeatInterval(), c.allocator(), c.minAllocatable(), c.maxCompletedFrameworks(),
                c.maxCompletedTasksPerFramework(), null, Duration.ofSeconds(3), 4));
    }

    @AfterClass
    public static void tearDown() throws Exception {
        h.close();
    }

    @Test
    public void startTimeIsTheProcessesAndElectedTimeTheMasters() throws Exception {
        double processStart = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
        JsonNode state = h.state();
        assertEquals(processStart, state.path("start_time").asDouble(), 0.001);
        assertTrue("elected after the process started", state.path("elected_time").asDouble() > processStart);
        JsonNode master = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_MASTER\"}").body())
                .path("get_master");
        assertEquals(processStart, master.path("start_time").asDouble(), 0.001);
        assertEquals(state.path("elected_time").asDouble(), master.path("elected_time").asDouble(), 0.001);
        JsonNode metrics = Harness.JSON.readTree(h.get("/metrics/snapshot").body());
        assertTrue(metrics.path("master/uptime_secs").asDouble() >= state.path("elected_time").asDouble()
                - processStart);
    }

    @Test
    public void pingSettingsAndTheRegistryAreShownAsConfigured() throws Exception {
        JsonNode flags = Harness.JSON.readTree(h.get("/master/flags").body()).path("flags");
        assertEquals("3secs", flags.path("agent_ping_timeout").asText());
        assertEquals("4", flags.path("max_agent_ping_timeouts").asText());
        assertEquals("file", flags.path("registry").asText());
        assertEquals(Duration.ofSeconds(12), h.master.config().agentUnreachableTimeout());
    }
}
