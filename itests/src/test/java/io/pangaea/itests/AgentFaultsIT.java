package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Faults of the agent's process, against the real distributions: an agent whose JVM is stopped (SIGSTOP) keeps its
 * TCP connection open, so only the master's health check can find it. Pings are shortened here (1 s, 3 misses) so
 * that the test does not wait Mesos's default 75 s.
 */
public class AgentFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PING = Duration.ofSeconds(1);
    private static final int MAX_PINGS = 3;
    private static LocalCluster cluster;

    @BeforeClass
    public static void up() throws Exception {
        cluster = new LocalCluster("cpus:2;mem:1024", Map.of(), Map.of("agent_ping_timeout", "1secs",
                "max_agent_ping_timeouts", Integer.toString(MAX_PINGS)), 1, null);
    }

    @AfterClass
    public static void down() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static JsonNode update(TestFramework fw, String taskId, String state, int after) {
        return fw.await(taskId + " " + state + " after event " + after, e -> fw.events.indexOf(e) >= after
                && e.path("type").asText().equals("UPDATE")
                && e.at("/update/status/task_id/value").asText().equals(taskId)
                && e.at("/update/status/state").asText().equals(state), Duration.ofSeconds(60)).at("/update/status");
    }

    @Test
    public void aStoppedAgentIsFoundUnreachableByItsPingsAndItsTaskComesBackWithIt() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "partition-aware", null,
                List.of("PARTITION_AWARE"))) {
            JsonNode offer = fw.nextOffer(0);
            assertEquals(202, fw.launch(offer, 0.1, 32, "stopped-1", "sleep 600").statusCode());
            update(fw, "stopped-1", "TASK_RUNNING", 0);
            long taskPid = taskPid("stopped-1");

            // several ping budgets pass while the agent is well: it stays active
            await("pings answered").during(Duration.ofMillis(PING.toMillis() * MAX_PINGS * 2))
                    .atMost(Duration.ofSeconds(30)).until(() -> agentIs("active", true));

            ProcessHandle agent = cluster.agentJvm();
            int from = fw.events.size();
            long stopped = System.nanoTime();
            LocalCluster.signal(agent, "STOP");
            JsonNode unreachable;
            double seen;
            try {
                unreachable = update(fw, "stopped-1", "TASK_UNREACHABLE", from);
                seen = (System.nanoTime() - stopped) / 1e9;
                assertEquals("REASON_AGENT_REMOVED", unreachable.path("reason").asText());
                assertEquals(1, JSON.readTree(cluster.get("/master/state")).path("unreachable_slaves").asInt(-1));
            } finally {
                LocalCluster.signal(agent, "CONT");
            }
            // the budget is 3 missed pings of 1 s (3-4 s); the slack is for a loaded machine
            System.out.printf("TASK_UNREACHABLE %.1f s after SIGSTOP (budget %d x %d s)%n", seen, MAX_PINGS,
                    PING.toSeconds());
            assertTrue("TASK_UNREACHABLE after " + seen + " s", seen < 20);

            int back = fw.events.size();
            JsonNode running = update(fw, "stopped-1", "TASK_RUNNING", back);
            assertEquals("REASON_AGENT_REREGISTERED", running.path("reason").asText());
            await("agent active again").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> agentIs("active", true));
            // the same process, and it is still the agent's to kill
            assertEquals(taskPid, taskPid("stopped-1"));
            assertTrue(ProcessHandle.of(taskPid).map(ProcessHandle::isAlive).orElse(false));
            com.fasterxml.jackson.databind.node.ObjectNode kill = fw.call("KILL");
            kill.putObject("kill").putObject("task_id").put("value", "stopped-1");
            assertEquals(202, fw.post(kill).statusCode());
            update(fw, "stopped-1", "TASK_KILLED", back);
            await("task process gone").atMost(Duration.ofSeconds(30))
                    .until(() -> ProcessHandle.of(taskPid).map(h -> !h.isAlive()).orElse(true));
        }
    }

    private static boolean agentIs(String field, boolean value) throws Exception {
        return JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0/" + field).asBoolean(!value) == value;
    }

    /** The pid of a running task's process, as the agent's containers report it. */
    private static long taskPid(String taskId) throws Exception {
        JsonNode state = JSON.readTree(cluster.get("/master/state"));
        for (JsonNode f : state.path("frameworks")) {
            for (JsonNode t : f.path("tasks")) {
                if (t.at("/id").asText().equals(taskId)) {
                    for (JsonNode s : t.path("statuses")) {
                        long pid = s.at("/container_status/executor_pid").asLong(0);
                        if (pid > 0) {
                            return pid;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no pid for " + taskId);
    }
}
