package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The agent distribution with {@code isolation = cgroups/cpu,cgroups/mem,cgroups/pids,namespaces/pid}: a task that
 * allocates 200 MB with {@code mem: 64} ends TASK_FAILED with the memory-limit reason, and the agent goes on running
 * tasks, which see only their own processes.
 */
public class CgroupsIsolationIT {

    private static final String CGROUPS_ROOT = "pangaea-it-" + ProcessHandle.current().pid();
    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:4;mem:2048;disk:4096;ports:[31000-32000]",
                Map.of("isolation", "cgroups/cpu,cgroups/mem,cgroups/pids,namespaces/pid",
                        "io.pangaea.isolator.cgroups.cfg:cgroups_root", CGROUPS_ROOT));
    }

    /** Stops the cluster; every container cgroup must be gone, then the test's own root is removed. */
    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        LocalCluster.removeCgroupRoot(CGROUPS_ROOT);
    }

    @Test
    public void aTaskOverItsMemoryFailsWithTheLimitationAndTheAgentGoesOn() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "oom")) {
            JsonNode first = fw.nextOffer(0);
            int from = fw.events.size();
            assertEquals(202, fw.launch(first, 0.1, 64, "hog",
                    "dd if=/dev/zero of=/dev/null bs=200M count=1").statusCode());
            JsonNode u = fw.terminalUpdate("hog");
            assertEquals(u.toString(), "TASK_FAILED", u.at("/update/status/state").asText());
            assertEquals("REASON_CONTAINER_LIMITATION_MEMORY", u.at("/update/status/reason").asText());
            assertTrue(u.toString(), u.at("/update/status/message").asText()
                    .startsWith("Memory limit exceeded: Requested: 64MB"));

            // the rest of the first offer (and the hog's freed share) is offered again
            assertEquals(202, fw.launch(fw.nextOffer(from), 0.1, 64, "after", "ps -e -o pid= | wc -l").statusCode());
            assertEquals("TASK_FINISHED", fw.terminalUpdate("after").at("/update/status/state").asText());
            // in its own PID namespace: init, the shell, ps and wc (the host has hundreds)
            int seen = Integer.parseInt(Files.readString(cluster.sandbox("after").resolve("stdout")).trim());
            assertTrue("processes seen by the task: " + seen, seen > 0 && seen <= 6);
            fw.teardown();
        }
    }

    private static HttpResponse<String> agentApi(String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.agentPort + "/api/v1"));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HttpClient.newHttpClient().send(body == null ? b.GET().build()
                : b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void runningContainersAreReportedWithTheirStatistics() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "stats")) {
            assertEquals(202, fw.launch(fw.nextOffer(0), 0.5, 64, "sleeper", "sleep 600").statusCode());
            fw.await("sleeper running", e -> fw.hasUpdate("sleeper", "TASK_RUNNING"));

            JsonNode entry = await("/monitor/statistics lists the sleeper").atMost(Duration.ofSeconds(30))
                    .ignoreExceptions().until(() -> {
                        for (JsonNode e : json.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + cluster.agentPort + "/monitor/statistics")).build(),
                                HttpResponse.BodyHandlers.ofString()).body())) {
                            if (e.path("executor_id").asText().equals("sleeper")) {
                                return e;
                            }
                        }
                        return null;
                    }, x -> x != null);
            assertEquals(0.5, entry.at("/statistics/cpus_limit").asDouble(), 1e-9);
            assertEquals(64L << 20, entry.at("/statistics/mem_limit_bytes").asLong());
            assertTrue(entry.toString(), entry.at("/statistics/timestamp").asDouble() > 0);
            assertTrue(entry.toString(), entry.at("/statistics/cpus_user_time_secs").isNumber());

            HttpResponse<String> r = agentApi("application/json", "{\"type\":\"GET_CONTAINERS\"}");
            assertEquals(r.body(), 200, r.statusCode());
            JsonNode c = json.readTree(r.body()).at("/get_containers/containers/0");
            assertEquals("GET_CONTAINERS", json.readTree(r.body()).path("type").asText());
            assertEquals("sleeper", c.at("/executor_id/value").asText());
            assertEquals(fw.frameworkId, c.at("/framework_id/value").asText());
            assertTrue(c.toString(), c.at("/container_id/value").asText().length() > 10);
            assertEquals(64L << 20, c.at("/resource_statistics/mem_limit_bytes").asLong());

            // the agent's other read calls see the same task
            JsonNode tasks = json.readTree(agentApi("application/json", "{\"type\":\"GET_TASKS\"}").body());
            assertEquals("sleeper", tasks.at("/get_tasks/launched_tasks/0/task_id/value").asText());
            assertEquals("TASK_RUNNING", tasks.at("/get_tasks/launched_tasks/0/state").asText());
            JsonNode state = json.readTree(agentApi("application/json", "{\"type\":\"GET_STATE\"}").body());
            assertTrue(state.toString(), state.at("/get_state/get_frameworks/frameworks").findValuesAsText("value")
                    .contains(fw.frameworkId));
            assertTrue(state.toString(), state.at("/get_state/get_executors/executors").toString()
                    .contains("\"executor_id\":{\"value\":\"sleeper\"}"));
            JsonNode agentInfo = json.readTree(agentApi("application/json", "{\"type\":\"GET_AGENT\"}").body());
            assertTrue(agentInfo.toString(), agentInfo.at("/get_agent/agent_info/id/value").asText().endsWith("-S0"));
            JsonNode flags = json.readTree(agentApi("application/json", "{\"type\":\"GET_FLAGS\"}").body());
            assertTrue(flags.toString(), flags.at("/get_flags/flags").toString().contains("isolation"));

            // bad calls get a status and a message naming what is wrong
            assertEquals(405, agentApi(null, null).statusCode());
            r = agentApi(null, "{\"type\":\"GET_HEALTH\"}");
            assertEquals(415, r.statusCode());
            assertTrue(r.body(), r.body().contains("Content-Type"));
            r = agentApi("application/json", "{\"type\":\"GET_EVERYTHING\"}");
            assertEquals(400, r.statusCode());
            assertTrue(r.body(), r.body().contains("GET_EVERYTHING"));
            r = agentApi("application/json", "{\"type\":");
            assertEquals(400, r.statusCode());
            assertEquals(200, agentApi("application/json", "{\"type\":\"GET_HEALTH\"}").statusCode());
            ObjectNode kill = fw.call("KILL");
            kill.putObject("kill").putObject("task_id").put("value", "sleeper");
            assertEquals(202, fw.post(kill).statusCode());
            fw.await("sleeper killed", e -> fw.hasUpdate("sleeper", "TASK_KILLED"));
            fw.teardown();
        }
    }
}
