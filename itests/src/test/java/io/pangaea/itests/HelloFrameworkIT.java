package io.pangaea.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.examples.hello.HelloFramework;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The example framework (examples/hello, written with the scheduler library in bundles/scheduler) against the
 * built distributions: run as its README says, {@code java -jar ... <master> 3} exits 0 after its three tasks
 * finished; called in process, it reports each task's final state.
 */
public class HelloFrameworkIT {

    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:2;mem:1024;disk:1024;ports:[31000-31100]");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void theRunnableJarRunsItsTasksAndExitsZero() throws Exception {
        Path jar = Path.of(System.getProperty("pangaea.example.hello"));
        assertTrue(jar + " is built", Files.isRegularFile(jar));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), cluster.masterUrl(), "3").redirectErrorStream(true).start();
        try {
            assertTrue("the example ends", p.waitFor(120, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(out, 0, p.exitValue());
            for (int i = 1; i <= 3; i++) {
                assertTrue(out, out.contains("hello-" + i + " TASK_FINISHED"));
            }
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * The custom executor path through the distributions: the agent fetches the example's jar into the executor's
     * sandbox, starts {@code HelloExecutor} with the Mesos environment, and it speaks the executor API (written with
     * the executor library): each task finishes and greets the framework with a message; teardown shuts it down.
     */
    @Test
    public void tasksUnderTheCustomExecutorFinishAndTheirMessagesArrive() throws Exception {
        Path jar = Path.of(System.getProperty("pangaea.example.hello"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), cluster.masterUrl(), "3", "--executor").redirectErrorStream(true).start();
        try {
            assertTrue("the example ends", p.waitFor(120, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(out, 0, p.exitValue());
            for (int i = 1; i <= 3; i++) {
                assertTrue(out, out.contains("hello-" + i + " TASK_FINISHED"));
                assertTrue(out, out.contains("message from hello-executor: hello from hello-executor running hello-"
                        + i));
            }
        } finally {
            p.destroyForcibly();
        }
        // the executor's jar was fetched into its sandbox, and the executor is gone after the teardown
        try (var walk = Files.walk(cluster.agentWorkDir().resolve("slaves"))) {
            assertTrue(walk.anyMatch(f -> f.getFileName().toString().equals("hello.jar")
                    && f.toString().contains("/executors/hello-executor/runs/")));
        }
        org.awaitility.Awaitility.await("executor ended").atMost(Duration.ofSeconds(30)).until(() ->
                agent("/api/v1", "{\"type\":\"GET_CONTAINERS\"}").body().contains("\"containers\":[]"));
    }

    @Test
    public void inProcessEveryTaskFinishes() throws Exception {
        HelloFramework.Result r = HelloFramework.run(URI.create(cluster.masterUrl()), 4, Duration.ofMinutes(2));
        assertEquals(r.toString(), 4, r.tasks().size());
        assertTrue(r.toString(), r.allFinished());
    }

    private static java.net.http.HttpResponse<String> agent(String pathAndQuery, String jsonBody) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.agentPort
                + pathAndQuery));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                    jsonBody));
        }
        return java.net.http.HttpClient.newHttpClient().send(b.build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void aFinishedTasksOutputIsReadThroughTheAgentsFileEndpoints() throws Exception {
        assertTrue(HelloFramework.run(URI.create(cluster.masterUrl()), 1, Duration.ofMinutes(2)).allFinished());
        String stdout = cluster.sandbox("hello-1").resolve("stdout").toString();
        String q = java.net.URLEncoder.encode(stdout, StandardCharsets.UTF_8);
        var read = agent("/files/read?path=" + q + "&offset=0", null);
        assertEquals(read.body(), 200, read.statusCode());
        assertEquals("hello from hello-1\n", TestFramework.JSON.readTree(read.body()).path("data").asText());
        var size = TestFramework.JSON.readTree(agent("/files/read?path=" + q, null).body());
        assertEquals(19, size.path("offset").asLong());
        var browse = agent("/files/browse?path=" + java.net.URLEncoder.encode(cluster.sandbox("hello-1").toString(),
                StandardCharsets.UTF_8), null);
        assertTrue(browse.body(), browse.body().contains(stdout));
        assertEquals("hello from hello-1\n", agent("/files/download?path=" + q, null).body());
        assertEquals(404, agent("/files/read?path=%2Fetc%2Fpasswd&offset=0", null).statusCode());
        assertEquals(400, agent("/files/read?path=" + q + "&offset=abc", null).statusCode());

        var list = agent("/api/v1", "{\"type\":\"LIST_FILES\",\"list_files\":{\"path\":\""
                + cluster.sandbox("hello-1") + "\"}}");
        assertEquals(list.body(), 200, list.statusCode());
        assertTrue(list.body(), list.body().contains("\"path\":\"" + stdout + "\""));
        var file = TestFramework.JSON.readTree(agent("/api/v1", "{\"type\":\"READ_FILE\",\"read_file\":{\"path\":\""
                + stdout + "\",\"offset\":6,\"length\":4}}").body());
        assertEquals(19, file.at("/read_file/size").asLong());
        assertEquals("from", new String(java.util.Base64.getDecoder().decode(file.at("/read_file/data").asText()),
                StandardCharsets.UTF_8));
    }

    @Test
    public void theAgentsMetricsUseMesosNamesAndCountFinishedTasks() throws Exception {
        assertTrue(HelloFramework.run(URI.create(cluster.masterUrl()), 2, Duration.ofMinutes(2)).allFinished());
        var metrics = TestFramework.JSON.readTree(agent("/metrics/snapshot", null).body());
        var golden = TestFramework.JSON.readTree(Files.readAllBytes(Path.of(System.getProperty("pangaea.reference"))
                .resolve("AGENT_GET_metrics_snapshot.json")));
        java.util.List<String> unknown = new java.util.ArrayList<>();
        metrics.fieldNames().forEachRemaining(k -> {
            if (!golden.has(k)) {
                unknown.add(k);
            }
        });
        assertEquals("names Mesos 1.11 does not have", java.util.List.of(), unknown);
        assertTrue(metrics.toString(), metrics.path("slave/tasks_finished").asDouble() >= 2);
        assertEquals(1.0, metrics.path("slave/registered").asDouble(), 0);
        assertTrue(metrics.path("slave/cpus_total").asDouble() > 0);
        assertTrue(metrics.path("slave/valid_status_updates").asDouble() >= 6);
        var v1 = TestFramework.JSON.readTree(agent("/api/v1", "{\"type\":\"GET_METRICS\"}").body());
        assertEquals(metrics.size(), v1.at("/get_metrics/metrics").size());
    }
}
