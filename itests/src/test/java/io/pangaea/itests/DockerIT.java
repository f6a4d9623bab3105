package io.pangaea.itests;

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
import java.nio.file.Path;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Docker tasks through both distributions, the agent with the docker containerizer feature: a task from the busybox
 * test image ({@code .ci/engines}) finishes with its stdout in the sandbox; a non-Docker task still runs natively.
 * Leave it out with {@code -Dpangaea.docker.skip=true} on a machine without a Docker engine.
 */
public class DockerIT {

    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        // named in the setting, Docker is installed by the agent itself (no feature:install by hand)
        cluster = new LocalCluster("cpus:4;mem:2048;disk:4096;ports:[31000-32000]",
                Map.of("containerizers", "native,docker"));
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void aDockerTaskFromTheBusyboxImageFinishesWithItsOutputInTheSandbox() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "docker")) {
            JsonNode offer = fw.nextOffer(0);
            int from = fw.events.size();
            assertEquals(202, fw.launchTask(offer, "in-docker",
                    "echo hello from $(cat /etc/hostname 2>/dev/null || echo docker) in $MESOS_SANDBOX",
                    t -> TestFramework.docker(t, "pangaea/busybox:test")).statusCode());
            JsonNode u = fw.terminalUpdate("in-docker");
            assertEquals(u.toString(), "TASK_FINISHED", u.at("/update/status/state").asText());
            String out = Files.readString(cluster.sandbox("in-docker").resolve("stdout"));
            assertEquals(out, true, out.startsWith("hello from ") && out.trim().endsWith("in /mnt/mesos/sandbox"));

            assertEquals(202, fw.launchTask(fw.nextOffer(from), "native", "echo native", t -> { }).statusCode());
            assertEquals("TASK_FINISHED", fw.terminalUpdate("native").at("/update/status/state").asText());
            fw.teardown();
        }
    }

    /** The services adapter (Marathon API) runs an app of container type DOCKER; deleting the app removes it. */
    @Test
    public void theServicesAdapterRunsADockerApp() throws Exception {
        int port = LocalCluster.freePort();
        Files.writeString(cluster.masterHome().resolve("etc/io.pangaea.framework.services.cfg"), "port = " + port
                + "\nmaster = 127.0.0.1:" + cluster.masterPort + "\n");
        cluster.masterShell("feature:install pangaea-framework-services");
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        String api = "http://127.0.0.1:" + port;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                json.readTree(http.send(HttpRequest.newBuilder(URI.create(api + "/v2/info")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).path("frameworkId").isTextual());
        String app = "{\"id\":\"/docker/sleeper\",\"cmd\":\"sleep 600\",\"cpus\":0.1,\"mem\":32,"
                + "\"portDefinitions\":[],\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":"
                + "\"pangaea/busybox:test\",\"network\":\"NONE\"}}}";
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api + "/v2/apps"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(app)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(created.body(), 201, created.statusCode());
        java.util.concurrent.atomic.AtomicReference<String> taskId = new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
            JsonNode a = json.readTree(http.send(HttpRequest.newBuilder(URI.create(api + "/v2/apps/docker/sleeper"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).path("app");
            taskId.set(a.at("/tasks/0/id").asText());
            return a.path("tasksRunning").asInt() == 1;
        });
        assertEquals(1, containers(taskId.get()).size());
        http.send(HttpRequest.newBuilder(URI.create(api + "/v2/apps/docker/sleeper?force=true")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                containers(taskId.get()).isEmpty());
        cluster.masterShell("feature:uninstall pangaea-framework-services");
    }

    private static java.util.List<String> containers(String taskId) throws Exception {
        Process ps = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=io.pangaea.task=" + taskId)
                .redirectErrorStream(true).start();
        String out = new String(ps.getInputStream().readAllBytes()).trim();
        ps.waitFor();
        return out.isEmpty() ? java.util.List.of() : java.util.List.of(out.split("\\s+"));
    }

    /** A persistent volume made in the same ACCEPT is bind-mounted into the Docker container at its path. */
    @Test
    public void aPersistentVolumeIsMountedIntoADockerContainer() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "docker-volume", "db")) {
            JsonNode offer = fw.nextOffer(0);
            ObjectMapper json = new ObjectMapper();
            String disk = "{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":64},"
                    + "\"reservations\":[{\"type\":\"DYNAMIC\",\"role\":\"db\"}]%s}";
            String volume = String.format(disk, ",\"disk\":{\"persistence\":{\"id\":\"docker-vol\"},"
                    + "\"volume\":{\"container_path\":\"data\",\"mode\":\"RW\"}}");
            ObjectNode accept = fw.call("ACCEPT");
            ObjectNode a = accept.putObject("accept");
            a.putArray("offer_ids").add(offer.get("id"));
            com.fasterxml.jackson.databind.node.ArrayNode ops = a.putArray("operations");
            ops.add(json.readTree("{\"type\":\"RESERVE\",\"reserve\":{\"resources\":[" + String.format(disk, "")
                    + "]}}"));
            ops.add(json.readTree("{\"type\":\"CREATE\",\"create\":{\"volumes\":[" + volume + "]}}"));
            ObjectNode task = (ObjectNode)
                    json.readTree("{\"name\":\"writer\",\"task_id\":{\"value\":\"docker-writer\"},"
                            + "\"command\":{\"value\":\"echo from-docker > data/file && cat data/file\"},"
                            + "\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1}},"
                            + "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":64}}," + volume + "]}");
            task.set("agent_id", offer.get("agent_id"));
            TestFramework.docker(task, "pangaea/busybox:test");
            ops.addObject().put("type", "LAUNCH").putObject("launch").putArray("task_infos").add(task);
            a.putObject("filters").put("refuse_seconds", 0.0);
            assertEquals(202, fw.post(accept).statusCode());
            JsonNode u = fw.terminalUpdate("docker-writer");
            assertEquals(u.toString(), "TASK_FINISHED", u.at("/update/status/state").asText());
            // the data is in the volume on the host, outside the sandbox, where the next task would find it
            Path data = cluster.agentWorkDir().resolve("volumes/roles/db/docker-vol/file");
            assertEquals("from-docker", Files.readString(data).trim());
            fw.teardown();
        }
    }

    @Test
    public void aRunningDockerTaskIsInGetContainersAndAKilledOneLeavesNoContainer() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "docker-stats")) {
            assertEquals(202, fw.launchTask(fw.nextOffer(0), "docker-sleeper", "sleep 600",
                    t -> TestFramework.docker(t, "pangaea/busybox:test")).statusCode());
            fw.await("docker-sleeper running", e -> fw.hasUpdate("docker-sleeper", "TASK_RUNNING"));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + cluster.agentPort + "/api/v1")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"GET_CONTAINERS\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(r.body(), 200, r.statusCode());
            JsonNode c = new ObjectMapper().readTree(r.body()).at("/get_containers/containers/0");
            assertEquals("docker-sleeper", c.at("/executor_id/value").asText());
            // from the engine's stats: the memory limit it enforces and the CPU the container used
            assertEquals(c.toString(), 64L << 20, c.at("/resource_statistics/mem_limit_bytes").asLong());
            assertTrue(c.toString(), c.at("/resource_statistics/cpus_user_time_secs").isNumber());

            ObjectNode kill = fw.call("KILL");
            kill.putObject("kill").putObject("task_id").put("value", "docker-sleeper");
            assertEquals(202, fw.post(kill).statusCode());
            fw.await("docker-sleeper killed", e -> fw.hasUpdate("docker-sleeper", "TASK_KILLED"));
            Process ps = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=io.pangaea.task=docker-sleeper")
                    .redirectErrorStream(true).start();
            String left = new String(ps.getInputStream().readAllBytes()).trim();
            assertEquals(0, ps.waitFor());
            assertEquals("containers left: " + left, "", left);
            fw.teardown();
        }
    }
}
