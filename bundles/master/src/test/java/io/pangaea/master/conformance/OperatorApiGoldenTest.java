package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.model.TaskState;
import io.pangaea.protobuf.ProtobufCodec;
import io.pangaea.model.agentproto.AgentEvent;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The v1 operator API's read calls against the Mesos 1.11 captures in {@code testdata/mesos-reference}, for the same
 * scenario (one agent; a framework with a running task; an earlier framework that ran two tasks and tore down): every
 * key Mesos gives is there, nested the same way, with the same JSON type (ids and times aside).
 */
public class OperatorApiGoldenTest {

    private static Harness h;

    @BeforeClass
    public static void scenario() throws Exception {
        h = new Harness();
        Harness.Agent agent = h.agent("cpus:2;mem:23081;disk:252899;ports:[31000-32000]");
        Harness.Scheduler earlier = h.scheduler(star(Harness.subscribe("earlier", "MULTI_ROLE")));
        int from = 0;
        for (String id : List.of("e1", "e2")) {
            JsonNode offer = earlier.next("OFFERS", from).at("/offers/offers/0");
            from = earlier.events.size();
            earlier.launch(offer, id);
            agent.await(AgentEvent.Type.LAUNCH, e -> e.launch().task().taskId().value().equals(id));
            agent.update(earlier.frameworkId, id, TaskState.TASK_RUNNING);
            agent.update(earlier.frameworkId, id, TaskState.TASK_FINISHED);
            earlier.update(id, "TASK_FINISHED");
        }
        earlier.post(earlier.call("TEARDOWN"));
        Harness.Scheduler golden = h.scheduler(star(Harness.subscribe("golden-capture", "MULTI_ROLE")));
        JsonNode firstOffer = golden.awaitType("OFFERS");
        golden.launch(firstOffer.at("/offers/offers/0"), "sleeper");
        agent.await(AgentEvent.Type.LAUNCH, e -> e.launch().task().taskId().value().equals("sleeper"));
        agent.update(golden.frameworkId, "sleeper", TaskState.TASK_RUNNING);
        golden.update("sleeper", "TASK_RUNNING");
        // and a task under a custom executor, for GET_EXECUTORS
        // what the sleeper left is offered again (maybe before its update arrived)
        int before = golden.events.indexOf(firstOffer) + 1;
        golden.launch(golden.next("OFFERS", before).at("/offers/offers/0"), "executed", t -> {
            var e = t.putObject("executor");
            e.put("type", "CUSTOM").putObject("executor_id").put("value", "sleeper-executor");
            e.putObject("command").put("value", "./executor");
            e.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
        });
        agent.await(AgentEvent.Type.LAUNCH, e -> e.launch().task().taskId().value().equals("executed"));
        agent.update(golden.frameworkId, "executed", TaskState.TASK_RUNNING);
        golden.update("executed", "TASK_RUNNING");
    }

    /** Role "*", checkpointing and a failover timeout, as the captured framework had. */
    private static com.fasterxml.jackson.databind.node.ObjectNode star(
            com.fasterxml.jackson.databind.node.ObjectNode subscribe) {
        var fi = (com.fasterxml.jackson.databind.node.ObjectNode) subscribe.at("/subscribe/framework_info");
        fi.putArray("roles").add("*");
        fi.put("checkpoint", true).put("failover_timeout", 60.0);
        return subscribe;
    }

    @AfterClass
    public static void stop() throws Exception {
        h.close();
    }

    static Path reference() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path r = p.resolve("testdata/mesos-reference");
            if (Files.isDirectory(r)) {
                return r;
            }
        }
        throw new AssertionError("testdata/mesos-reference not found above " + Path.of("").toAbsolutePath());
    }

    /** Compares {@code golden}'s shape with {@code ours}; collects what differs under {@code path}. */
    static void sameShape(String path, JsonNode golden, JsonNode ours, List<String> problems) {
        if (ours == null || ours.isMissingNode()) {
            problems.add(path + ": missing");
            return;
        }
        if (golden.isNumber() && ours.isTextual() && ours.asText().matches("-?\\d+")) {
            return; // protobuf's JSON printer writes 64-bit integers as strings
        }
        if (golden.getNodeType() != ours.getNodeType()) {
            problems.add(path + ": " + golden.getNodeType() + " in Mesos, " + ours.getNodeType() + " here");
            return;
        }
        if (golden.isObject()) {
            for (Iterator<String> it = golden.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                sameShape(path + "." + k, golden.get(k), ours.get(k), problems);
            }
        } else if (golden.isArray() && !golden.isEmpty()) {
            if (ours.isEmpty()) {
                problems.add(path + ": empty here");
            }
            for (int i = 0; i < ours.size(); i++) {
                JsonNode like = counterpart(golden, ours.get(i));
                if (like != null) {
                    sameShape(path + "[" + i + "]", like, ours.get(i), problems);
                }
            }
        }
    }

    /**
     * The golden element {@code ours} is to be compared with: the one of the same {@code name} (a flag, a metric, a
     * resource...), else of the same {@code type} (a capability, an event, a resource of the same kind...). An
     * element that has a name or type none of Mesos's has (a {@code ports} resource where the capture has only
     * scalars) has nothing to be compared with: null. One with neither is compared with the first.
     */
    static JsonNode counterpart(JsonNode golden, JsonNode ours) {
        boolean keyed = false;
        for (String key : List.of("name", "type")) {
            if (ours.isObject() && ours.path(key).isTextual()) {
                keyed = true;
                for (JsonNode g : golden) {
                    if (g.path(key).isTextual() && g.path(key).asText().equals(ours.path(key).asText())) {
                        return g;
                    }
                }
            }
        }
        return keyed ? null : golden.get(0);
    }

    /** {@code n} without its empty arrays and objects, at any depth. */
    private static JsonNode withoutEmpties(JsonNode n) {
        if (n.isObject()) {
            var o = (com.fasterxml.jackson.databind.node.ObjectNode) n;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String k : names) {
                JsonNode v = withoutEmpties(o.get(k));
                if (v.isContainerNode() && v.isEmpty()) {
                    o.remove(k);
                }
            }
        } else if (n.isArray()) {
            n.forEach(OperatorApiGoldenTest::withoutEmpties);
        }
        return n;
    }

    private static void check(String type) throws Exception {
        HttpResponse<String> r = h.postJson("/api/v1", "{\"type\":\"" + type + "\"}");
        assertEquals(r.body(), 200, r.statusCode());
        JsonNode ours = Harness.JSON.readTree(r.body());
        JsonNode golden = Harness.JSON.readTree(Files.readAllBytes(reference().resolve("operator_" + type
                + ".json")));
        List<String> problems = new ArrayList<>();
        sameShape(type, golden, ours, problems);
        // Mesos 1.11's last master capability is an empty object (a bug its README notes); not copied
        problems.removeIf(p -> p.matches("GET_(MASTER|STATE).*capabilities\\[0\\].*"));
        if (!problems.isEmpty()) {
            fail(type + " differs from Mesos 1.11:\n" + String.join("\n", problems) + "\nours: " + ours);
        }
        // the same call answered in protobuf decodes, as a mesos.v1.master.Response, to the same shape
        HttpResponse<byte[]> pb = Harness.HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(h.url("/api/v1"))).header("Content-Type", "application/json")
                .header("Accept", "application/x-protobuf").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"" + type + "\"}")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, pb.statusCode());
        JsonNode decoded = Harness.JSON.readTree(ProtobufCodec.toJson(ProtobufCodec.Api.MASTER_OPERATOR, pb.body()));
        List<String> lost = new ArrayList<>();
        sameShape(type, withoutEmpties(ours.deepCopy()), decoded, lost);
        // protobuf prints no empty lists or messages; 'checkpoint' is in Mesos's JSON (from its internal
        // SlaveInfo) but not in the v1 AgentInfo message, so Mesos's own protobuf answer lacks it too
        lost.removeIf(p -> p.endsWith("agent_info.checkpoint: missing"));
        // QUOTA_V2 is not a value of Mesos 1.11's v1 MasterInfo.Capability.Type (Mesos's own JSON shows it as {}),
        // so no protobuf answer can carry it
        lost.removeIf(p -> p.matches("GET_(MASTER|STATE).*master_info.capabilities\\[2\\]\\.type: missing"));
        assertEquals("lost in protobuf: " + lost, List.of(), lost);
    }

    @Test
    public void getState() throws Exception {
        check("GET_STATE");
    }

    @Test
    public void getAgents() throws Exception {
        check("GET_AGENTS");
    }

    @Test
    public void getFrameworks() throws Exception {
        check("GET_FRAMEWORKS");
    }

    @Test
    public void getTasks() throws Exception {
        check("GET_TASKS");
    }

    @Test
    public void getRoles() throws Exception {
        check("GET_ROLES");
    }

    @Test
    public void getMaster() throws Exception {
        check("GET_MASTER");
    }

    @Test
    public void getHealthAndVersion() throws Exception {
        check("GET_HEALTH");
        check("GET_VERSION");
    }

    /** Flags of Pangaea's master that Mesos 1.11's capture lacks: unset options there, or Pangaea's own. */
    private static final java.util.Set<String> NOT_IN_CAPTURE = java.util.Set.of("hostname", "offer_timeout",
            "http_framework_heartbeat_interval");

    @Test
    public void getFlagsIsTheFlagsCaptureKeyByKey() throws Exception {
        JsonNode golden = Harness.JSON.readTree(Files.readAllBytes(reference().resolve("GET_master_flags.json")))
                .path("flags");
        JsonNode list = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_FLAGS\"}").body())
                .at("/get_flags/flags");
        var ours = Harness.JSON.createObjectNode();
        for (JsonNode flag : list) {
            assertTrue(flag.toString(), flag.path("name").isTextual() && flag.path("value").isTextual());
            ours.set(flag.path("name").asText(), flag.path("value"));
        }
        List<String> problems = new ArrayList<>();
        ours.fieldNames().forEachRemaining(name -> {
            if (!golden.has(name) && !NOT_IN_CAPTURE.contains(name)) {
                problems.add(name + ": not a flag of Mesos 1.11's master");
            } else if (golden.has(name) && golden.get(name).getNodeType() != ours.get(name).getNodeType()) {
                problems.add(name + ": " + golden.get(name).getNodeType() + " in Mesos, " + ours.get(name)
                        .getNodeType() + " here");
            }
        });
        for (String name : List.of("allocation_interval", "allocator", "agent_ping_timeout", "ip", "port",
                "max_agent_ping_timeouts", "max_completed_frameworks", "max_completed_tasks_per_framework",
                "min_allocatable_resources", "registry", "work_dir", "version", "authenticate_frameworks")) {
            if (!ours.has(name)) {
                problems.add(name + ": missing");
            }
        }
        assertEquals(problems.toString(), List.of(), problems);
        // the legacy endpoint gives the same flags with the same values
        assertEquals(ours, Harness.JSON.readTree(h.get("/master/flags").body()).path("flags"));
    }

    @Test
    public void getExecutorsDecodesIntoMesossOwnResponse() throws Exception {
        String json = h.postJson("/api/v1", "{\"type\":\"GET_EXECUTORS\"}").body();
        org.apache.mesos.v1.master.Protos.Response.Builder r = org.apache.mesos.v1.master.Protos.Response
                .newBuilder();
        // strict: a field Mesos's message does not have fails the parse
        com.google.protobuf.util.JsonFormat.parser().merge(json, r);
        assertEquals(org.apache.mesos.v1.master.Protos.Response.Type.GET_EXECUTORS, r.getType());
        var executors = r.getGetExecutors().getExecutorsList();
        assertEquals(json, 1, executors.size());
        assertEquals("sleeper-executor", executors.get(0).getExecutorInfo().getExecutorId().getValue());
        assertTrue(executors.get(0).getAgentId().getValue().endsWith("-S0"));
        assertTrue(executors.get(0).getExecutorInfo().getResourcesCount() > 0);
    }

    /** A legacy read endpoint against its capture: same keys, nesting and JSON types. */
    private static void checkLegacy(String path, String capture) throws Exception {
        HttpResponse<String> r = h.get(path);
        assertEquals(r.body(), 200, r.statusCode());
        JsonNode ours = Harness.JSON.readTree(r.body());
        JsonNode golden = Harness.JSON.readTree(Files.readAllBytes(reference().resolve(capture)));
        List<String> problems = new ArrayList<>();
        sameShape(path, golden, ours, problems);
        // Pangaea reports the flags it has (Mesos's flag names), not every flag of a Mesos master
        problems.removeIf(p -> p.contains(".flags."));
        if (!problems.isEmpty()) {
            fail(path + " differs from Mesos 1.11:\n" + String.join("\n", problems) + "\nours: " + ours);
        }
    }

    @Test
    public void legacyStateSummary() throws Exception {
        checkLegacy("/master/state-summary", "GET_master_state-summary.json");
    }

    @Test
    public void legacyRoles() throws Exception {
        checkLegacy("/master/roles", "GET_master_roles.json");
    }

    @Test
    public void legacyFrameworksSlavesAndTasks() throws Exception {
        checkLegacy("/master/frameworks", "GET_master_frameworks.json");
        checkLegacy("/master/slaves", "GET_master_slaves.json");
        checkLegacy("/master/tasks", "GET_master_tasks.json");
    }

    @Test
    public void legacyState() throws Exception {
        checkLegacy("/master/state", "GET_master_state.json");
    }

    @Test
    public void metricsUseMesosNamesAndCountWhatHappened() throws Exception {
        JsonNode ours = Harness.JSON.readTree(h.get("/metrics/snapshot").body());
        JsonNode golden = Harness.JSON.readTree(Files.readAllBytes(reference().resolve("GET_metrics_snapshot.json")));
        // per-framework names carry the framework's name and id: compared with the captured framework's
        String captured = "master/frameworks/golden-capture/0cc3ab04-ea7b-4983-b036-187608190418-0001/";
        List<String> unknown = new ArrayList<>();
        java.util.Set<String> ourFrameworkKeys = new java.util.TreeSet<>();
        ours.fieldNames().forEachRemaining(k -> {
            String name = k.replaceFirst("^master/frameworks/[^/]+/[^/]+/", captured);
            if (k.contains("/golden-capture/")) {
                ourFrameworkKeys.add(name.substring(captured.length()));
            }
            // Pangaea's own figures carry a "pangaea" segment (e.g. master/pangaea/event_loop_lag_ms); any other name
            // must be one Mesos 1.11 has
            if (!golden.has(name) && !k.matches("^[a-z]+/pangaea/[a-z_/]+$")) {
                unknown.add(k);
            }
            assertTrue(k, ours.get(k).isNumber());
        });
        assertEquals("names Mesos 1.11 does not have", List.of(), unknown);
        java.util.Set<String> goldenFrameworkKeys = new java.util.TreeSet<>();
        golden.fieldNames().forEachRemaining(k -> {
            if (k.startsWith(captured)) {
                goldenFrameworkKeys.add(k.substring(captured.length()));
            }
        });
        goldenFrameworkKeys.removeAll(ourFrameworkKeys);
        assertEquals("per-framework metrics missing", java.util.Set.of(), goldenFrameworkKeys);
        String fw = ours.toString().replaceFirst("(?s).*\"(master/frameworks/golden-capture/[^/]+/)calls\".*", "$1");
        // the sleeper and the task under an executor
        assertEquals(2.0, ours.path(fw + "tasks/active/task_running").asDouble(), 0);
        assertEquals(2.0, ours.path(fw + "calls/accept").asDouble(), 0);
        assertEquals(1.0, ours.path(fw + "subscribed").asDouble(), 0);
        assertTrue(ours.path(fw + "offers/sent").asDouble() >= 1);
        assertTrue(ours.path(fw + "events/update").asDouble() >= 1);
        assertTrue(ours.size() >= 80);
        assertEquals(2.0, ours.path("master/tasks_running").asDouble(), 0);
        assertEquals(2.0, ours.path("master/tasks_finished").asDouble(), 0);
        assertEquals(1.0, ours.path("master/slaves_active").asDouble(), 0);
        assertEquals(1.0, ours.path("master/frameworks_active").asDouble(), 0);
        assertEquals(4.0, ours.path("master/messages_launch_tasks").asDouble(), 0);
        assertEquals(2.0, ours.path("master/messages_register_framework").asDouble(), 0);
        assertEquals(1.0, ours.path("master/messages_unregister_framework").asDouble(), 0);
        assertTrue(ours.path("master/valid_status_updates").asDouble() >= 5);
        assertEquals(2.0, ours.path("master/cpus_total").asDouble(), 0);
        // the sleeper, the other task and its executor, 0.1 each
        assertEquals("summed without drift", 0.3, ours.path("master/cpus_used").asDouble(), 0);
        double offeredOrAllocated = ours.path("allocator/mesos/resources/cpus/offered_or_allocated").asDouble();
        assertTrue("" + offeredOrAllocated, offeredOrAllocated >= 0.3 && offeredOrAllocated <= 2.0);
        assertEquals(1.0, ours.path("master/elected").asDouble(), 0);
        assertTrue(ours.path("master/uptime_secs").asDouble() > 0);
        // timers: the last value, the sample count and the percentiles over the recent window, in order
        for (String timer : List.of("allocator/mesos/allocation_run_ms", "allocator/mesos/allocation_run_latency_ms")) {
            assertTrue(timer, ours.path(timer + "/count").asDouble() >= 1);
            double min = ours.path(timer + "/min").asDouble();
            double p50 = ours.path(timer + "/p50").asDouble();
            double p99 = ours.path(timer + "/p99").asDouble();
            double max = ours.path(timer + "/max").asDouble();
            assertTrue(timer + " " + min + " " + p50 + " " + p99 + " " + max, min >= 0 && min <= p50 && p50 <= p99
                    && p99 <= max && ours.path(timer).asDouble() <= max);
        }
        assertEquals(ours.path("allocator/mesos/allocation_runs").asDouble(),
                ours.path("allocator/mesos/allocation_run_ms/count").asDouble(), 0);
        // the registry was read at the start, and written when the agent was admitted (batched, as agents come)
        assertTrue(ours.has("registrar/state_fetch_ms"));
        assertTrue(ours.path("registrar/state_store_ms/count").asDouble() >= 1);
        JsonNode v1 = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_METRICS\"}").body());
        assertEquals(ours.size(), v1.at("/get_metrics/metrics").size());
        assertEquals(Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_METRICS\"}").body())
                .at("/get_metrics/metrics/0/name").asText(), v1.at("/get_metrics/metrics/0/name").asText());
    }
}
