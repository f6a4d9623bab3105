package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Agent recovery against the real distributions, with real processes in cgroups, a real Docker engine and LXC: the
 * agent's JVM is killed with SIGKILL and started again. A checkpointing framework's running tasks keep their process
 * (and cgroup), Docker container or LXC container, and can be killed afterwards; the Docker task's output written while the agent
 * was down reaches its sandbox, nothing twice; its task that exits while the agent is down gets its real exit
 * status; a non-checkpointing framework's task ends with the agent; nothing is left behind.
 */
public class RecoveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CGROUPS_ROOT = "pangaea-recovery-" + ProcessHandle.current().pid();
    private static LocalCluster cluster;
    private static Path lxcPath;

    @BeforeClass
    public static void up() throws Exception {
        lxcPath = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "lxc-");
        cluster = new LocalCluster("cpus:2;mem:1024", Map.of("isolation", "cgroups/cpu,cgroups/mem",
                "io.pangaea.isolator.cgroups.cfg:cgroups_root", CGROUPS_ROOT, "containerizers", "native,docker,lxc",
                "io.pangaea.containerizer.lxc.cfg:lxc_path", lxcPath.toString()));
    }

    private static List<String> lxcContainers() throws Exception {
        try (Stream<Path> s = Files.list(lxcPath)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @AfterClass
    public static void down() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        LocalCluster.removeCgroupRoot(CGROUPS_ROOT);
        if (lxcPath != null) {
            assertEquals("LXC containers left", List.of(), lxcContainers());
        }
    }

    private static JsonNode update(TestFramework fw, String taskId, String state) {
        return fw.await(taskId + " " + state, e -> e.path("type").asText().equals("UPDATE")
                && e.at("/update/status/task_id/value").asText().equals(taskId)
                && e.at("/update/status/state").asText().equals(state), Duration.ofSeconds(90)).at("/update/status");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The memory cgroups of this test's containers. */
    private static List<Path> cgroups() throws Exception {
        Path root = Path.of("/sys/fs/cgroup/memory", CGROUPS_ROOT);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    @Test
    public void tasksOfACheckpointingFrameworkSurviveAnAgentKilledWithSigkill() throws Exception {
        TestFramework ephemeral = null;
        try (TestFramework durable = new TestFramework(cluster.masterUrl(), "checkpointing", null, List.of(), true)) {
            JsonNode first = durable.nextOffer(0);
            assertEquals(202, durable.launch(first, 0.1, 64, "keeps", "sleep 600",
                    "ends", "while [ ! -e go ]; do sleep 0.1; done; exit 3").statusCode());
            long keeps = update(durable, "keeps", "TASK_RUNNING").at("/container_status/executor_pid").asLong();
            long ends = update(durable, "ends", "TASK_RUNNING").at("/container_status/executor_pid").asLong();
            // the rest of the first offer, offered again after it was accepted
            JsonNode again = durable.await("an offer after the first", e -> e.path("type").asText().equals("OFFERS")
                    && !e.at("/offers/offers/0/id/value").asText().equals(first.at("/id/value").asText()))
                    .at("/offers/offers/0");
            assertEquals(202, durable.launchTask(again, "counts",
                    "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done",
                    t -> TestFramework.docker(t, "pangaea/busybox:test")).statusCode());
            update(durable, "counts", "TASK_RUNNING");
            JsonNode third = durable.await("a third offer", e -> e.path("type").asText().equals("OFFERS")
                    && !List.of(first.at("/id/value").asText(), again.at("/id/value").asText())
                    .contains(e.at("/offers/offers/0/id/value").asText())).at("/offers/offers/0");
            assertEquals(202, durable.launchTask(third, "boxed", "sleep 600", t -> t.putObject("labels")
                    .putArray("labels").addObject().put("key", "pangaea.containerizer").put("value", "lxc"))
                    .statusCode());
            long boxed = update(durable, "boxed", "TASK_RUNNING").at("/container_status/executor_pid").asLong();
            assertTrue("the LXC container's init is reported", boxed > 1);
            // it wants nothing more: what is left goes to a framework that does not checkpoint
            JsonNode rest = durable.await("a fourth offer", e -> e.path("type").asText().equals("OFFERS")
                    && !List.of(first.at("/id/value").asText(), again.at("/id/value").asText(),
                    third.at("/id/value").asText()).contains(e.at("/offers/offers/0/id/value").asText()))
                    .at("/offers/offers/0");
            assertEquals(202, durable.decline(rest, 3600).statusCode());
            ephemeral = new TestFramework(cluster.masterUrl(), "not-checkpointing");
            assertEquals(202, ephemeral.launch(ephemeral.nextOffer(0), 0.1, 64, "ephemeral", "sleep 600")
                    .statusCode());
            long gone = update(ephemeral, "ephemeral", "TASK_RUNNING").at("/container_status/executor_pid")
                    .asLong();
            Path countsSandbox = cluster.sandbox("counts");
            await("three containers' cgroups").atMost(Duration.ofSeconds(10)).until(() -> cgroups().size() == 3);
            Path endsSandbox = cluster.sandbox("ends");

            cluster.killAgent();
            // the non-checkpointing framework's task ends with the agent's process; the others run on
            await("the ephemeral task ended with the agent").atMost(Duration.ofSeconds(20)).until(() -> !alive(gone));
            assertTrue(alive(keeps));
            assertTrue(alive(boxed));
            Files.writeString(endsSandbox.resolve("go"), "");
            await("'ends' exited while the agent was down").atMost(Duration.ofSeconds(20)).until(() -> !alive(ends));

            int ticksWhenKilled = ticks(countsSandbox).size();
            long restarted = System.nanoTime();
            cluster.startAgent();
            System.out.printf("agent back and re-registered %.1f s after its start%n",
                    (System.nanoTime() - restarted) / 1e9);

            JsonNode failed = update(durable, "ends", "TASK_FAILED");
            assertEquals("Command exited with status 3", failed.path("message").asText());
            assertEquals("TASK_LOST", update(ephemeral, "ephemeral", "TASK_LOST").path("state").asText());
            assertTrue("the running task kept its process", alive(keeps));
            assertTrue("the LXC task kept its container", alive(boxed));
            JsonNode state = JSON.readTree(cluster.get("/master/state"));
            assertEquals("TASK_RUNNING", task(state, "keeps").path("state").asText());
            assertFalse("no update made 'keeps' lost", durable.hasUpdate("keeps", "TASK_LOST"));

            // the Docker task ran on; what it wrote while the agent was down is in its sandbox, in order, once
            await("the Docker task's output resumed").atMost(Duration.ofSeconds(30))
                    .until(() -> ticks(countsSandbox).size() > ticksWhenKilled + 20);
            List<Integer> ticks = ticks(countsSandbox);
            for (int n = 0; n < ticks.size(); n++) {
                assertEquals("line " + n + " of the Docker task's stdout " + ticks.subList(0, Math.min(40,
                        ticks.size())) + " (" + ticksWhenKilled + " lines when the agent was killed)",
                        Integer.valueOf(n), ticks.get(n));
            }
            assertFalse("no update made 'counts' lost", durable.hasUpdate("counts", "TASK_LOST"));
            assertFalse("no update made 'boxed' lost", durable.hasUpdate("boxed", "TASK_LOST"));
            assertEquals("TASK_RUNNING", task(JSON.readTree(cluster.get("/master/state")), "boxed").path("state")
                    .asText());

            for (String id : List.of("keeps", "counts", "boxed")) {
                ObjectNode kill = durable.call("KILL");
                kill.putObject("kill").putObject("task_id").put("value", id);
                assertEquals(202, durable.post(kill).statusCode());
                update(durable, id, "TASK_KILLED");
            }
            await("process gone").atMost(Duration.ofSeconds(20)).until(() -> !alive(keeps));
            await("the LXC container gone").atMost(Duration.ofSeconds(30)).until(() -> !alive(boxed)
                    && lxcContainers().isEmpty());
            // every container's cgroup and runtime directory is gone
            await("cgroups removed").atMost(Duration.ofSeconds(30)).until(() -> cgroups().isEmpty());
            await("the Docker container removed").atMost(Duration.ofSeconds(30)).until(() -> {
                Process ps = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=io.pangaea.task=counts")
                        .redirectErrorStream(true).start();
                String out = new String(ps.getInputStream().readAllBytes()).trim();
                return ps.waitFor() == 0 && out.isEmpty();
            });
            Path runtime = cluster.agentHome().resolve("data/pangaea-agent/containers");
            await("runtime directories removed").atMost(Duration.ofSeconds(30)).until(() -> {
                try (Stream<Path> s = Files.list(runtime)) {
                    return s.filter(Files::isDirectory).findAny().isEmpty();
                }
            });
        } finally {
            if (ephemeral != null) {
                ephemeral.close();
            }
        }
    }

    /**
     * An upgrade of the agent's bundle ({@code bundle:update} in its shell) stops and starts the agent inside the same
     * JVM: a checkpointing framework's task runs on, and the agent that comes back can kill it.
     */
    @Test
    public void aBundleUpdateOfTheAgentKeepsTasksRunning() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "upgrade", null, List.of(), true)) {
            assertEquals(202, fw.launch(fw.nextOffer(0), 0.1, 64, "upgraded", "sleep 600").statusCode());
            long pid = update(fw, "upgraded", "TASK_RUNNING").at("/container_status/executor_pid").asLong();
            String agentId = JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0/id").asText();

            cluster.agentShell("bundle:update pangaea-agent");
            await("the updated agent re-registered with its task").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                        JsonNode agentState = JSON.readTree(java.net.http.HttpClient.newHttpClient().send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                        + cluster.agentPort + "/state")).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
                        return agentState.at("/frameworks/0/executors/0/tasks/0/state").asText()
                                .equals("TASK_RUNNING")
                                && cluster.get("/master/slaves").contains("\"active\":true");
                    });
            assertTrue("the task's process survived the agent's update", alive(pid));
            assertEquals(agentId, JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0/id").asText());
            for (String bad : List.of("TASK_LOST", "TASK_FAILED", "TASK_KILLED")) {
                assertFalse(bad, fw.hasUpdate("upgraded", bad));
            }

            ObjectNode kill = fw.call("KILL");
            kill.putObject("kill").putObject("task_id").put("value", "upgraded");
            assertEquals(202, fw.post(kill).statusCode());
            update(fw, "upgraded", "TASK_KILLED");
            await("process gone").atMost(Duration.ofSeconds(20)).until(() -> !alive(pid));
        }
    }

    /** The numbers a counting task wrote to its stdout, in order. */
    private static List<Integer> ticks(Path sandbox) throws Exception {
        return Files.readAllLines(sandbox.resolve("stdout")).stream().filter(l -> l.startsWith("tick "))
                .map(l -> Integer.parseInt(l.substring(5).trim())).toList();
    }

    private static JsonNode task(JsonNode state, String id) {
        for (JsonNode f : state.path("frameworks")) {
            for (JsonNode t : f.path("tasks")) {
                if (t.path("id").asText().equals(id)) {
                    return t;
                }
            }
        }
        throw new AssertionError("no task " + id + " in " + state);
    }
}
