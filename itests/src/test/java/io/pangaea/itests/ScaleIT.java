package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.benchmarks.emulator.AgentEmulator;
import io.pangaea.benchmarks.emulator.LoadFramework;
import io.pangaea.model.TaskState;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The scale scenarios at a size CI can run, checking correctness rather than time (the timed versions are
 * {@code ScaleBenchmark}): two master distributions electing a leader through ZooKeeper, and the agent emulator
 * in this JVM speaking the agent protocol to them.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ScaleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestingServer zk;
    private static LocalCluster cluster;
    private static List<URI> masters;

    @BeforeClass
    public static void start() throws Exception {
        zk = new TestingServer(true);
        String url = "zk://" + zk.getConnectString() + "/pangaea";
        // the tests' default heap (512 MB): it thrashed here while the Java framework library opened a connection
        // per call (see BENCHMARKS.md, "Scale"), and is enough since the library keeps its connections
        cluster = new LocalCluster("cpus:1;mem:1024", Map.of(), Map.of(), 2, url, 0);
        masters = cluster.masterPorts.stream().map(p -> URI.create("http://127.0.0.1:" + p)).toList();
        await("a leader").atMost(Duration.ofSeconds(60)).until(() -> cluster.leader() >= 0);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    private static JsonNode leaderGet(String path) throws Exception {
        int i = cluster.leader();
        if (i < 0) {
            throw new IllegalStateException("no leader");
        }
        return JSON.readTree(new java.net.URL("http://127.0.0.1:" + cluster.masterPorts.get(i) + path));
    }

    /**
     * 500 agents, each running 10 tasks of 10 labels and holding 100 completed ones, fail over: the leader is
     * killed, and every agent comes back to the new leader with all its tasks, running and completed.
     */
    @Test
    public void a_fiveHundredAgentsFailOverWithAllTheirTasks() throws Exception {
        int agents = 500;
        int frameworks = 5;
        try (AgentEmulator emulator = new AgentEmulator(AgentEmulator.Options.of(agents, masters)
                .withPreload(10, 100, 10, frameworks)).start()) {
            await("500 agents registered").atMost(Duration.ofSeconds(120)).until(() -> emulator.registered() == agents);
            await("their 5,000 tasks running").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    leaderGet("/metrics/snapshot").path("master/tasks_running").asLong() == agents * 10);
            int leader = cluster.leader();
            long killed = System.nanoTime();
            cluster.killMaster(leader);
            await("every agent re-registered with the new leader").atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .conditionEvaluationListener(c -> System.out.printf("failover %.0f s: leader %d, re-registered %d"
                                    + " | emulator %s%n", (System.nanoTime() - killed) / 1e9, cluster.leader(),
                            emulator.registeredSince(killed), emulator.status()))
                    .until(() -> emulator.registeredSince(killed) == agents);
            System.out.printf("failover: %d agents back in %.1f s%n", agents, (System.nanoTime() - killed) / 1e9);
            int next = cluster.leader();
            assertTrue("a new leader", next >= 0 && next != leader);

            JsonNode state = leaderGet("/master/state");
            int active = 0;
            for (JsonNode a : state.path("slaves")) {
                if (a.path("hostname").asText().startsWith("emulated-") && a.path("active").asBoolean()) {
                    active++;
                }
            }
            assertEquals("agents back and active", agents, active);
            Map<String, Integer> runningPerAgent = new HashMap<>();
            int completed = 0;
            int frameworksSeen = 0;
            for (JsonNode f : state.path("frameworks")) {
                if (!f.path("name").asText().startsWith("emulated-framework-")) {
                    continue;
                }
                frameworksSeen++;
                for (JsonNode t : f.path("tasks")) {
                    assertEquals(t.toString(), "TASK_RUNNING", t.path("state").asText());
                    assertEquals("labels kept " + t, 10, t.path("labels").size());
                    runningPerAgent.merge(t.path("slave_id").asText(), 1, Integer::sum);
                }
                // each framework's 100 agents reported 100 completed tasks each: the newest 1,000 are kept
                assertEquals("completed tasks of " + f.path("name").asText(), 1000,
                        f.path("completed_tasks").size());
                for (JsonNode t : f.path("completed_tasks")) {
                    assertEquals("TASK_FINISHED", t.path("state").asText());
                }
                completed += f.path("completed_tasks").size();
            }
            assertEquals(frameworks, frameworksSeen);
            assertEquals("agents with running tasks", agents, runningPerAgent.size());
            assertTrue("10 running tasks on every agent: " + runningPerAgent.values().stream().distinct().toList(),
                    runningPerAgent.values().stream().allMatch(n -> n == 10));
            assertEquals(frameworks * 1000, completed);
            cluster.restartMaster(leader); // as a follower, for what comes next
        }
    }

    /** 1,000 agents and 20 frameworks run 10,000 short tasks: each is launched once and ends exactly once. */
    @Test
    public void b_thousandAgentsTwentyFrameworksTenThousandTasksEachEndOnce() throws Exception {
        int agents = 1000;
        AgentEmulator.Options options = new AgentEmulator.Options(agents, masters,
                "cpus:4;mem:8192;disk:10240;ports:[31000-32000]", 200, 4, 500, 0, 0, 0, 1, 1000, "load", true);
        List<LoadFramework> frameworks = new ArrayList<>();
        try (AgentEmulator emulator = new AgentEmulator(options).start()) {
            await("1,000 agents registered").atMost(Duration.ofSeconds(120))
                    .until(() -> emulator.registered() == agents);
            for (int i = 0; i < 20; i++) {
                frameworks.add(new LoadFramework(masters, "load-" + i, 500, 10, "cpus:0.1;mem:32").start());
            }
            long t0 = System.nanoTime();
            await("10,000 tasks ended").atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1))
                    .conditionEvaluationListener(c -> System.out.printf("%.0f s: launched %d, running %d, ended %d,"
                                    + " calls unanswered %d, never launched %d | emulator %s%n",
                            (System.nanoTime() - t0) / 1e9, frameworks.stream().mapToInt(LoadFramework::launched).sum(),
                            frameworks.stream().mapToLong(LoadFramework::running).sum(),
                            frameworks.stream().mapToInt(LoadFramework::ended).sum(),
                            frameworks.stream().mapToLong(LoadFramework::failedCalls).sum(),
                            frameworks.stream().mapToLong(LoadFramework::dropped).sum(), emulator.status()))
                    .until(() -> frameworks.stream().mapToInt(LoadFramework::ended).sum() == 10_000);
            for (LoadFramework f : frameworks) {
                assertEquals(500, f.launched());
                assertEquals("tasks that ended otherwise than once as FINISHED", Map.of(),
                        f.endedBadly(TaskState.TASK_FINISHED));
                assertEquals(java.util.Set.of(), f.notEnded());
            }
            assertEquals("launched on the agents", 10_000, emulator.launched());
            assertEquals("launched twice", Map.of(), emulator.launchedTwice());
            // the master's books agree: every framework has its 500 tasks completed, none running
            await("the master's account").atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                JsonNode state = leaderGet("/master/state");
                int finished = 0;
                for (JsonNode f : state.path("frameworks")) {
                    if (f.path("name").asText().startsWith("load-")) {
                        assertEquals(0, f.path("tasks").size());
                        for (JsonNode t : f.path("completed_tasks")) {
                            assertEquals("TASK_FINISHED", t.path("state").asText());
                            finished++;
                        }
                    }
                }
                assertEquals(10_000, finished);
            });
        } finally {
            frameworks.forEach(LoadFramework::close);
        }
    }
}
