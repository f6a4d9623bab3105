package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The captures of a real agent and of the master's remaining read endpoints ({@code AGENT_GET_state.json},
 * {@code AGENT_GET_flags.json}, {@code GET_version.json}, {@code GET_master_flags.json} and the SUBSCRIBE response
 * headers) against a real Pangaea agent running the README's scenario: an earlier framework ran two command tasks and
 * tore down, and "golden-capture" (checkpointing, MULTI_ROLE, failover timeout 60) has one {@code sleep} running.
 */
public class AgentStateGoldenTest {

    private static Harness h;
    private static Harness.RealAgent agent;
    private static Harness.Scheduler golden;

    @BeforeClass
    public static void scenario() throws Exception {
        h = new Harness();
        agent = h.realAgent(Duration.ofSeconds(60), Map.of(), "cpus:2;mem:23081;disk:252899;ports:[31000-32000]");
        Harness.Scheduler earlier = h.scheduler(capture("earlier"));
        for (String id : List.of("e1", "e2")) {
            launch(earlier, earlier.freshOffer(), id, "true");
            earlier.acked(id, "TASK_STARTING");
            earlier.acked(id, "TASK_RUNNING");
            earlier.acked(id, "TASK_FINISHED");
        }
        assertEquals(202, earlier.post(earlier.call("TEARDOWN")).statusCode());
        golden = h.scheduler(capture("golden-capture"));
        launch(golden, golden.freshOffer(), "sleeper", "sleep 600");
        golden.acked("sleeper", "TASK_STARTING");
        golden.acked("sleeper", "TASK_RUNNING");
        // the earlier framework's executors ended with its tasks, so it has nothing left here: completed
        org.awaitility.Awaitility.await("the earlier framework completed at the agent").atMost(Duration.ofSeconds(20))
                .until(() -> agent.state().path("completed_frameworks").size() == 1);
    }

    @AfterClass
    public static void stop() throws Exception {
        h.close();
    }

    private static ObjectNode capture(String name) {
        ObjectNode subscribe = Harness.subscribe(name, "MULTI_ROLE");
        var fi = (ObjectNode) subscribe.at("/subscribe/framework_info");
        fi.putArray("roles").add("*");
        fi.put("checkpoint", true).put("failover_timeout", 60.0);
        return subscribe;
    }

    private static int nextPort = 31000;

    /** A command task of 0.3 cpus, 96 mem and a port of its own, as the captured run had. */
    private static void launch(Harness.Scheduler s, JsonNode offer, String id, String command) throws Exception {
        int port = nextPort++;
        assertEquals(202, s.launch(offer, id, t -> {
            t.putObject("command").put("value", command);
            var resources = t.putArray("resources");
            resources.addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar").put("value", 0.3);
            resources.addObject().put("name", "mem").put("type", "SCALAR").putObject("scalar").put("value", 96.0);
            resources.addObject().put("name", "ports").put("type", "RANGES").putObject("ranges").putArray("range")
                    .addObject().put("begin", port).put("end", port);
        }).statusCode());
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(url + ": " + r.body(), 200, r.statusCode());
        return Harness.JSON.readTree(r.body());
    }

    private static JsonNode reference(String file) throws Exception {
        return Harness.JSON.readTree(Files.readAllBytes(OperatorApiGoldenTest.reference().resolve(file)));
    }

    private static void assertNoProblems(String what, JsonNode ours, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(what + " differs from Mesos 1.11:\n" + String.join("\n", problems) + "\nours: " + ours);
        }
    }

    /** Every flag is a string, as Mesos prints them, and the flags both have are named alike. */
    private static void flagsAreStrings(String what, JsonNode flags, JsonNode mesosFlags, String... shared) {
        assertTrue(what + ": " + flags, flags.isObject() && flags.size() > 5);
        flags.fields().forEachRemaining(f -> assertTrue(what + "." + f.getKey() + " is not a string: " + f.getValue(),
                f.getValue().isTextual()));
        for (String name : shared) {
            assertTrue(what + " lacks " + name, flags.has(name));
            assertTrue("not a Mesos flag: " + name, mesosFlags.has(name));
        }
    }

    @Test
    public void agentStateHasEveryKeyOfTheCapture() throws Exception {
        JsonNode ours = agent.state();
        JsonNode mesos = reference("AGENT_GET_state.json");
        List<String> problems = new ArrayList<>();
        OperatorApiGoldenTest.sameShape("state", mesos, ours, problems);
        // the agent reports the flags it has (with Mesos's names), not every flag of a Mesos agent
        problems.removeIf(p -> p.startsWith("state.flags."));
        assertNoProblems("agent /state", ours, problems);
        // and the values that say what ran: the running task, the completed framework with its two tasks
        assertEquals("golden-capture", ours.at("/frameworks/0/name").asText());
        assertEquals("sleeper", ours.at("/frameworks/0/executors/0/tasks/0/id").asText());
        assertEquals("Command Executor (Task: sleeper) (Command: sh -c 'sleep 600')",
                ours.at("/frameworks/0/executors/0/name").asText());
        assertEquals("TASK_RUNNING", ours.at("/frameworks/0/executors/0/tasks/0/state").asText());
        JsonNode earlier = ours.at("/completed_frameworks/0");
        assertEquals("earlier", earlier.path("name").asText());
        assertEquals(2, earlier.path("completed_executors").size());
        for (int i = 0; i < 2; i++) {
            JsonNode e = earlier.at("/completed_executors/" + i);
            assertEquals("e" + (i + 1), e.at("/completed_tasks/0/id").asText());
            assertEquals("TASK_FINISHED", e.at("/completed_tasks/0/state").asText());
            // an executor with a completed task, in the shape of the capture's (its other framework's)
            List<String> executorProblems = new ArrayList<>();
            OperatorApiGoldenTest.sameShape("completed_executors[" + i + "]", mesos.at("/frameworks/1/executors/0"),
                    e, executorProblems);
            assertNoProblems("a completed executor", e, executorProblems);
        }
        OperatorApiGoldenTest.sameShape("completed_frameworks[0]", mesos.at("/frameworks/0"), earlier, problems);
        problems.removeIf(p -> p.startsWith("completed_frameworks[0].executors")); // none left: all completed
        assertNoProblems("a completed framework", earlier, problems);
        assertEquals(0.3, ours.at("/unreserved_resources_allocated/cpus").asDouble(), 1e-9);
        assertEquals("[31000-32000]", ours.at("/resources/ports").asText());
    }

    @Test
    public void flagsAreStringsUnderMesosNames() throws Exception {
        JsonNode agentFlags = get(agent.url("/flags"));
        flagsAreStrings("agent /flags", agentFlags.path("flags"), reference("AGENT_GET_flags.json").path("flags"),
                "work_dir", "port", "isolation", "executor_registration_timeout", "master");
        flagsAreStrings("agent /state flags", agent.state().path("flags"),
                reference("AGENT_GET_flags.json").path("flags"), "work_dir", "port");
        JsonNode masterFlags = get(h.url("/master/flags"));
        flagsAreStrings("master /flags", masterFlags.path("flags"),
                reference("GET_master_flags.json").path("flags"), "allocation_interval", "port");
    }

    @Test
    public void versionHasTheCapturesKeys() throws Exception {
        JsonNode mesos = reference("GET_version.json");
        for (String url : List.of(h.url("/version"), agent.url("/version"))) {
            JsonNode ours = get(url);
            List<String> problems = new ArrayList<>();
            OperatorApiGoldenTest.sameShape(url, mesos, ours, problems);
            assertNoProblems(url, ours, problems);
            assertEquals("1.11.0", ours.path("version").asText());
        }
    }

    @Test
    public void theAgentsV1CallsListWhatEnded() throws Exception {
        JsonNode version = Harness.JSON.readTree(agent.post("/api/v1", "{\"type\":\"GET_VERSION\"}".getBytes(),
                "Content-Type", "application/json").body());
        List<String> problems = new ArrayList<>();
        OperatorApiGoldenTest.sameShape("GET_VERSION", reference("operator_GET_VERSION.json"), version, problems);
        assertNoProblems("the agent's GET_VERSION", version, problems);

        JsonNode tasks = Harness.JSON.readTree(agent.post("/api/v1", "{\"type\":\"GET_TASKS\"}".getBytes(),
                "Content-Type", "application/json").body()).path("get_tasks");
        assertEquals("sleeper", tasks.at("/launched_tasks/0/task_id/value").asText());
        assertEquals(List.of("e1", "e2"), ids(tasks.path("completed_tasks"), "/task_id/value"));
        JsonNode executors = Harness.JSON.readTree(agent.post("/api/v1", "{\"type\":\"GET_EXECUTORS\"}"
                .getBytes(), "Content-Type", "application/json").body()).path("get_executors");
        assertEquals(List.of("sleeper"), ids(executors.path("executors"), "/executor_info/executor_id/value"));
        assertEquals(List.of("e1", "e2"), ids(executors.path("completed_executors"),
                "/executor_info/executor_id/value"));
        JsonNode frameworks = Harness.JSON.readTree(agent.post("/api/v1", "{\"type\":\"GET_FRAMEWORKS\"}"
                .getBytes(), "Content-Type", "application/json").body()).path("get_frameworks");
        assertEquals(List.of("golden-capture"), ids(frameworks.path("frameworks"), "/framework_info/name"));
        assertEquals(List.of("earlier"), ids(frameworks.path("completed_frameworks"), "/framework_info/name"));
        // no resource providers here, and no operations sent to this agent (the master applies them itself)
        for (String call : List.of("GET_OPERATIONS", "GET_RESOURCE_PROVIDERS")) {
            HttpResponse<byte[]> r = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(agent.url("/api/v1")))
                    .header("Content-Type", "application/json").header("Accept", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"" + call + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(call, 200, r.statusCode());
            assertEquals(call, org.apache.mesos.v1.agent.Protos.Response.parseFrom(r.body()).getType().name());
        }
        JsonNode ops = Harness.JSON.readTree(agent.post("/api/v1", "{\"type\":\"GET_OPERATIONS\"}".getBytes(),
                "Content-Type", "application/json").body());
        assertTrue(ops.toString(), ops.at("/get_operations/operations").isArray());
        assertEquals(0, ops.at("/get_operations/operations").size());
    }

    private static List<String> ids(JsonNode array, String pointer) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.at(pointer).asText()));
        return out;
    }

    @Test
    public void subscribeAnswersAChunkedStreamWithItsStreamId() throws Exception {
        JsonNode mesos = reference("scheduler-subscribe-response-headers.json");
        assertEquals(mesos.path("status").asInt(), golden.response.statusCode());
        var headers = golden.response.headers();
        assertEquals(mesos.at("/headers/Content-Type").asText(), headers.firstValue("Content-Type").orElse(""));
        assertEquals(mesos.at("/headers/Transfer-Encoding").asText(),
                headers.firstValue("Transfer-Encoding").orElse(""));
        assertTrue(headers.firstValue("Mesos-Stream-Id").orElse("")
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
        assertTrue(headers.firstValue("Date").isPresent());
    }
}
