package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** The built master and agent distributions as separate processes, driven by a framework over HTTP. */
public class EndToEndIT {

    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:8;mem:4096;disk:4096;ports:[31000-32000]");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void twentyEchoTasksFinishWithTheirStdoutInTheSandbox() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "echo")) {
            List<String> tasks = new ArrayList<>();
            int launched = 0;
            int from = 0;
            while (launched < 20) {
                JsonNode offer = fw.nextOffer(from);
                from = fw.events.size();
                List<String> args = new ArrayList<>();
                for (int i = 0; i < 10 && launched < 20; i++, launched++) {
                    String id = "echo-" + launched;
                    tasks.add(id);
                    args.add(id);
                    args.add("echo hello from " + id);
                }
                assertEquals(202, fw.launch(offer, 0.1, 32, args.toArray(String[]::new)).statusCode());
            }
            for (String id : tasks) {
                JsonNode u = fw.terminalUpdate(id);
                assertEquals(u.toString(), "TASK_FINISHED", u.at("/update/status/state").asText());
                assertTrue(fw.hasUpdate(id, "TASK_STARTING"));
                assertTrue(fw.hasUpdate(id, "TASK_RUNNING"));
                assertEquals("hello from " + id + "\n", Files.readString(sandbox(id).resolve("stdout")));
            }
            fw.teardown();
        }
    }

    /**
     * The README's curl walk-through, as written there, against this cluster's master: the task's three updates
     * arrive because each one is acknowledged, and its output is in its sandbox.
     */
    @Test
    public void theReadmesCurlWalkThroughRunsAsWritten() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int start = readme.indexOf("## Launch a task with curl");
        assertTrue("the README has the walk-through", start >= 0);
        StringBuilder script = new StringBuilder();
        for (String line : readme.subList(start + 1, readme.size())) {
            if (!line.isEmpty() && !line.startsWith("    ")) {
                if (script.length() > 0) {
                    break;
                }
                continue;
            }
            script.append(line.length() >= 4 ? line.substring(4) : line).append('\n');
        }
        Path dir = Files.createTempDirectory("pangaea-readme");
        String text = script.toString().replace("127.0.0.1:5050", "127.0.0.1:" + cluster.masterPort)
                .replace("/tmp/", dir + "/");
        assertTrue(text, text.contains("ACKNOWLEDGE") && text.contains("hello-1"));
        Path file = dir.resolve("walk-through.sh");
        Files.writeString(file, "set -e\n" + text);
        Path output = dir.resolve("output.txt");
        // a session of its own, so that the subscription it leaves running in the background can be ended with it
        Process p = new ProcessBuilder("setsid", "bash", file.toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        try {
            assertTrue("ran in time", p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
            String out = Files.readString(output);
            assertEquals(out, 0, p.exitValue());
            assertTrue(out, out.contains("TASK_STARTING acknowledged") && out.contains("TASK_RUNNING acknowledged")
                    && out.contains("TASK_FINISHED acknowledged"));
            assertEquals("hello\n", Files.readString(sandbox("hello-1").resolve("stdout")));
        } finally {
            p.destroy();
            try (var pids = new ProcessBuilder("pgrep", "-g", Long.toString(p.pid())).start().inputReader().lines()) {
                pids.map(Long::parseLong).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
            }
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static Path sandbox(String taskId) throws Exception {
        return cluster.sandbox(taskId);
    }

    @Test
    public void exitThreeIsTaskFailedWithTheCodeInTheMessage() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "fail")) {
            assertEquals(202, fw.launch(fw.nextOffer(0), 0.1, 32, "fail-1", "exit 3").statusCode());
            JsonNode u = fw.terminalUpdate("fail-1");
            assertEquals("TASK_FAILED", u.at("/update/status/state").asText());
            assertEquals("Command exited with status 3", u.at("/update/status/message").asText());
            fw.teardown();
        }
    }

    @Test
    public void killedSleepIsTaskKilledAndLeavesNoProcess() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "kill")) {
            assertEquals(202, fw.launch(fw.nextOffer(0), 0.1, 32, "sleeper", "sleep 600").statusCode());
            fw.await("RUNNING", e -> e.at("/update/status/task_id/value").asText().equals("sleeper")
                    && e.at("/update/status/state").asText().equals("TASK_RUNNING"));
            Path sandbox = sandbox("sleeper");
            assertFalse(processesIn(sandbox).isEmpty());
            var kill = fw.call("KILL");
            kill.putObject("kill").putObject("task_id").put("value", "sleeper");
            assertEquals(202, fw.post(kill).statusCode());
            JsonNode u = fw.terminalUpdate("sleeper");
            assertEquals("TASK_KILLED", u.at("/update/status/state").asText());
            await().atMost(Duration.ofSeconds(10)).until(() -> processesIn(sandbox).isEmpty());
            fw.teardown();
        }
    }

    /** Live processes whose working directory is {@code dir}. */
    static List<Long> processesIn(Path dir) {
        List<Long> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                if (Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/cwd")).equals(dir)) {
                    out.add(p.pid());
                }
            } catch (Exception ignored) {
                // process gone or not readable
            }
        });
        return out;
    }

    @Test
    public void declineWithZeroIsReofferedAtOnceAndWith3600IsNot() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "decline")) {
            JsonNode first = fw.nextOffer(0);
            int seen = fw.events.size();
            assertEquals(202, fw.post(decline(fw, first, 0)).statusCode());
            JsonNode again = fw.nextOffer(seen);
            assertEquals(first.at("/agent_id/value").asText(), again.at("/agent_id/value").asText());
            assertFalse(first.at("/id/value").asText().equals(again.at("/id/value").asText()));
            assertEquals(202, fw.post(decline(fw, again, 3600)).statusCode());
            int after = fw.events.size();
            // Several allocation cycles (1 s each) pass; the filtered agent must not be offered again.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
                    fw.events.subList(after, fw.events.size()).stream()
                            .noneMatch(e -> e.path("type").asText().equals("OFFERS")));
            // REVIVE clears the filter.
            assertEquals(202, fw.post(fw.call("REVIVE")).statusCode());
            fw.nextOffer(after);
            fw.teardown();
        }
    }

    private static JsonNode decline(TestFramework fw, JsonNode offer, double refuse) {
        var call = fw.call("DECLINE");
        var d = call.putObject("decline");
        d.putArray("offer_ids").add(offer.get("id"));
        d.putObject("filters").put("refuse_seconds", refuse);
        return call;
    }

    @Test
    public void teardownKillsTheFrameworksTasks() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "teardown")) {
            assertEquals(202, fw.launch(fw.nextOffer(0), 0.1, 32, "td-1", "sleep 600", "td-2", "sleep 600")
                    .statusCode());
            for (String id : List.of("td-1", "td-2")) {
                fw.await("RUNNING " + id, e -> e.at("/update/status/task_id/value").asText().equals(id)
                        && e.at("/update/status/state").asText().equals("TASK_RUNNING"));
            }
            Path s1 = sandbox("td-1");
            Path s2 = sandbox("td-2");
            assertEquals(202, fw.post(fw.call("TEARDOWN")).statusCode());
            await().atMost(Duration.ofSeconds(15)).until(() -> processesIn(s1).isEmpty() && processesIn(s2).isEmpty());
            String fwId = fw.frameworkId;
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                JsonNode st = TestFramework.JSON.readTree(cluster.get("/master/frameworks"));
                for (JsonNode f : st.get("completed_frameworks")) {
                    if (f.get("id").asText().equals(fwId)) {
                        return true;
                    }
                }
                return false;
            });
        }
    }

    private static HttpResponse<String> agentOperator(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + cluster.agentPort + "/api/v1")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int agentLoggingLevel() throws Exception {
        HttpResponse<String> r = agentOperator("{\"type\":\"GET_LOGGING_LEVEL\"}");
        assertEquals(r.body(), 200, r.statusCode());
        return TestFramework.JSON.readTree(r.body()).at("/get_logging_level/level").asInt(0);
    }

    @Test
    public void theAgentsLoggingLevelIsSetForADurationThenRestored() throws Exception {
        assertEquals(0, agentLoggingLevel());
        HttpResponse<String> set = agentOperator("{\"type\":\"SET_LOGGING_LEVEL\",\"set_logging_level\":"
                + "{\"level\":2,\"duration\":{\"nanoseconds\":\"4000000000\"}}}");
        assertEquals(set.body(), 200, set.statusCode());
        assertEquals(2, agentLoggingLevel());
        await("the level before comes back").atMost(Duration.ofSeconds(30)).until(() -> agentLoggingLevel() == 0);
        for (String bad : new String[] {"{\"level\":1}", "{\"level\":-1,\"duration\":{\"nanoseconds\":1}}",
                "{\"level\":1,\"duration\":{\"nanoseconds\":0}}"}) {
            HttpResponse<String> r = agentOperator("{\"type\":\"SET_LOGGING_LEVEL\",\"set_logging_level\":"
                    + bad + "}");
            assertEquals(bad + " -> " + r.body(), 400, r.statusCode());
            assertTrue(r.body(), r.body().contains("set_logging_level"));
        }
        assertEquals(0, agentLoggingLevel());
    }

    @Test
    public void malformedRequestsGetTheMesosAnswerAndChangeNothing() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "bad-input")) {
            fw.nextOffer(0); // hold the offer so that the state is steady
            String before = stable(cluster.get("/master/state"));
            JsonNode golden = TestFramework.JSON.readTree(Files.readAllBytes(
                    Path.of(System.getProperty("pangaea.reference")).resolve("scheduler-error-cases.json")));
            HttpClient http = HttpClient.newHttpClient();
            URI api = URI.create(cluster.masterUrl() + "/api/v1/scheduler");
            String fwId = fw.frameworkId;
            String kill = "{\"type\":\"KILL\",\"framework_id\":{\"value\":\"" + fwId + "\"},"
                    + "\"kill\":{\"task_id\":{\"value\":\"nope\"}}}";
            Object[][] cases = {
                {"no_content_type", HttpRequest.newBuilder(api).POST(HttpRequest.BodyPublishers.ofString("{}"))},
                {"unsupported_media", HttpRequest.newBuilder(api).header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))},
                {"get_method", HttpRequest.newBuilder(api).GET()},
                {"malformed_json", HttpRequest.newBuilder(api).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("not json"))},
                {"wrong_stream_id", HttpRequest.newBuilder(api).header("Content-Type", "application/json")
                        .header("Mesos-Stream-Id", "bogus").POST(HttpRequest.BodyPublishers.ofString(kill))},
                {"unknown_framework", HttpRequest.newBuilder(api).header("Content-Type", "application/json")
                        .header("Mesos-Stream-Id", fw.streamId).POST(HttpRequest.BodyPublishers.ofString(
                        kill.replace(fwId, "no-such-framework")))},
                {"bad_ack_uuid", HttpRequest.newBuilder(api).header("Content-Type", "application/json")
                        .header("Mesos-Stream-Id", fw.streamId).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"ACKNOWLEDGE\",\"framework_id\":{\"value\":\"" + fwId + "\"},\"acknowledge\":"
                                + "{\"agent_id\":{\"value\":\"a\"},\"task_id\":{\"value\":\"t\"},\"uuid\":\"!!\"}}"))},
                {"kill_unknown_task", HttpRequest.newBuilder(api).header("Content-Type", "application/json")
                        .header("Mesos-Stream-Id", fw.streamId).POST(HttpRequest.BodyPublishers.ofString(kill))},
                {"reconcile_implicit", HttpRequest.newBuilder(api).header("Content-Type", "application/json")
                        .header("Mesos-Stream-Id", fw.streamId).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"RECONCILE\",\"framework_id\":{\"value\":\"" + fwId + "\"},"
                                + "\"reconcile\":{\"tasks\":[]}}"))},
            };
            for (Object[] c : cases) {
                String name = (String) c[0];
                HttpResponse<String> r = http.send(((HttpRequest.Builder) c[1]).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode expected = golden.get(name);
                assertEquals(name, expected.get(0).asInt(), r.statusCode());
                String body = expected.get(2).asText();
                if (name.equals("wrong_stream_id")) {
                    body = body.replace("0cc3ab04-ea7b-4983-b036-187608190418-0001", fwId);
                }
                assertEquals(name, body, r.body());
                if (r.statusCode() >= 400) {
                    assertTrue(name, r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
                }
            }
            assertTrue(fw.await("reconcile answer for the unknown task", e ->
                    e.at("/update/status/task_id/value").asText().equals("nope")
                            && e.at("/update/status/state").asText().equals("TASK_LOST")) != null);
            assertEquals(before, stable(cluster.get("/master/state")));
            fw.teardown();
        }
    }

    /** /master/state without the fields that move on their own. */
    private static String stable(String state) throws Exception {
        var n = (com.fasterxml.jackson.databind.node.ObjectNode) TestFramework.JSON.readTree(state);
        return n.toString();
    }

    @Test
    public void readEndpointsAnswerInTheMesosShape() throws Exception {
        JsonNode state = TestFramework.JSON.readTree(cluster.get("/master/state"));
        JsonNode golden = TestFramework.JSON.readTree(Files.readAllBytes(
                Path.of(System.getProperty("pangaea.reference")).resolve("GET_master_state.json")));
        for (var it = golden.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.equals("unregistered_frameworks") || key.equals("orphan_tasks")) {
                continue;
            }
            assertTrue("missing key " + key, state.has(key));
            assertEquals(key, golden.get(key).getNodeType(), state.get(key).getNodeType());
        }
        JsonNode version = TestFramework.JSON.readTree(cluster.get("/version"));
        assertEquals("1.11.0", version.get("version").asText());
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(cluster.masterUrl() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        JsonNode slaves = TestFramework.JSON.readTree(cluster.get("/master/slaves"));
        assertEquals(8.0, slaves.at("/slaves/0/resources/cpus").asDouble(), 0);
        assertTrue(cluster.get("/master/tasks").startsWith("{\"tasks\":["));
    }
}
