package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.json.RecordIo;
import io.pangaea.protobuf.ProtobufCodec;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The v1 executor API of a real agent, against a real master: custom executors as processes with the Mesos
 * environment ({@link TestExecutor}), the test itself speaking as an executor for the protocol cases, the default
 * executor for task groups, and the validation of executor calls. Names follow Mesos's executor HTTP API and
 * slave tests.
 */
public class ExecutorHttpApiTest {

    private Harness h;
    private Harness.RealAgent agent;
    private Harness.Scheduler s;

    @Before
    public void setUp() throws Exception {
        h = new Harness();
        agent = h.realAgent(Duration.ofSeconds(60));
        s = h.scheduler("executors");
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    private static String uuid() {
        UUID u = UUID.randomUUID();
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
    }

    /** A CUSTOM executor running {@code command}. */
    static ObjectNode executor(String id, String command) {
        ObjectNode e = Harness.JSON.createObjectNode().put("type", "CUSTOM").put("name", "executor " + id);
        e.putObject("executor_id").put("value", id);
        e.putObject("command").put("value", command);
        e.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                .put("value", 0.1);
        return e;
    }

    /** The {@link TestExecutor}, started as a JVM of its own on this test's classpath. */
    static ObjectNode javaExecutor(String id) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return executor(id, "exec '" + java + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' " + TestExecutor.class.getName());
    }

    static ObjectNode task(String id, String data, JsonNode executor) {
        ObjectNode t = Harness.JSON.createObjectNode().put("name", id);
        t.putObject("task_id").put("value", id);
        if (data != null) {
            t.put("data", b64(data));
        }
        if (executor != null) {
            t.set("executor", executor);
        }
        t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                .put("value", 0.1);
        return t;
    }

    static ObjectNode commandTask(String id, String command) {
        ObjectNode t = task(id, null, null);
        t.putObject("command").put("value", command);
        return t;
    }

    private final java.util.Set<String> usedOffers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** An offer not used yet (the argument is kept for reading: offers made before it count too). */
    private JsonNode offer(int from) {
        JsonNode o = s.await("an unused offer", e -> e.path("type").asText().equals("OFFERS")
                && !usedOffers.contains(e.at("/offers/offers/0/id/value").asText())).at("/offers/offers/0");
        usedOffers.add(o.at("/id/value").asText());
        return o;
    }

    private HttpResponse<String> accept(JsonNode offer, ObjectNode operation) throws Exception {
        return s.accept(offer, operation);
    }

    private static void accepted(HttpResponse<String> r) {
        assertEquals(r.body(), 202, r.statusCode());
    }

    private HttpResponse<String> launch(JsonNode offer, ObjectNode... tasks) throws Exception {
        ObjectNode op = Harness.JSON.createObjectNode().put("type", "LAUNCH");
        ArrayNode infos = op.putObject("launch").putArray("task_infos");
        for (ObjectNode t : tasks) {
            t.set("agent_id", offer.get("agent_id"));
            infos.add(t);
        }
        return accept(offer, op);
    }

    private HttpResponse<String> launchGroup(JsonNode offer, JsonNode executor, ObjectNode... tasks)
            throws Exception {
        ObjectNode op = Harness.JSON.createObjectNode().put("type", "LAUNCH_GROUP");
        ObjectNode lg = op.putObject("launch_group");
        lg.set("executor", executor);
        ArrayNode infos = lg.putObject("task_group").putArray("tasks");
        for (ObjectNode t : tasks) {
            t.set("agent_id", offer.get("agent_id"));
            infos.add(t);
        }
        return accept(offer, op);
    }

    private JsonNode acked(String taskId, String state) throws Exception {
        return s.acked(taskId, state);
    }

    private JsonNode event(String type, Predicate<JsonNode> p) {
        return s.await(type, e -> e.path("type").asText().equals(type) && p.test(e));
    }

    private HttpResponse<String> executorCall(String contentType, String body, String... headers) throws Exception {
        String[] all = new String[headers.length + (contentType == null ? 0 : 2)];
        int i = 0;
        if (contentType != null) {
            all[i++] = "Content-Type";
            all[i++] = contentType;
        }
        System.arraycopy(headers, 0, all, i, headers.length);
        return agent.post("/api/v1/executor", body.getBytes(StandardCharsets.UTF_8), all);
    }

    private ObjectNode executorCallBody(String type, String executorId) {
        ObjectNode c = Harness.JSON.createObjectNode().put("type", type);
        c.putObject("framework_id").put("value", s.frameworkId);
        c.putObject("executor_id").put("value", executorId);
        return c;
    }

    private ObjectNode updateBody(String executorId, String taskId, String state) {
        ObjectNode c = executorCallBody("UPDATE", executorId);
        ObjectNode st = c.putObject("update").putObject("status");
        st.putObject("task_id").put("value", taskId);
        st.put("state", state);
        st.put("source", "SOURCE_EXECUTOR");
        st.put("uuid", uuid());
        return c;
    }

    /** The test speaks as an executor: its event stream, read on a thread of its own. */
    private final class ExecutorStream implements AutoCloseable {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final HttpResponse<InputStream> response;

        ExecutorStream(String executorId) throws Exception {
            ObjectNode sub = executorCallBody("SUBSCRIBE", executorId);
            sub.putObject("subscribe");
            response = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(agent.url("/api/v1/executor")))
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(sub.toString())).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                String why = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
                throw new AssertionError("SUBSCRIBE of " + executorId + " refused: " + response.statusCode()
                        + " " + why);
            }
            Thread t = new Thread(() -> {
                try (InputStream in = response.body()) {
                    byte[] r;
                    while ((r = RecordIo.read(in)) != null) {
                        events.add(Harness.JSON.readTree(r));
                    }
                } catch (Exception ignored) {
                    // closed
                }
            }, "test-executor-stream");
            t.setDaemon(true);
            t.start();
        }

        JsonNode await(String type) {
            return Awaitility.await(type + " at the executor").atMost(Duration.ofSeconds(20))
                    .until(() -> events.stream().filter(e -> e.path("type").asText().equals(type)).findFirst()
                            .orElse(null), x -> x != null);
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    /** Launches a task under a CUSTOM executor that only sleeps, so that the test can speak for it. */
    private void launchUnderSilentExecutor(String executorId, String taskId) throws Exception {
        accepted(launch(offer(0), task(taskId, null, executor(executorId, "sleep 600"))));
        Awaitility.await("executor " + executorId + " running").atMost(Duration.ofSeconds(10)).until(() ->
                agent.state().at("/frameworks/0/executors").findValuesAsText("id").contains(executorId));
    }

    // ---- custom executors as processes ----------------------------------------------------------------------

    @Test
    public void customExecutorRunsTasksWithTheMesosEnvironment() throws Exception {
        accepted(launch(offer(0), task("t1", "finish", javaExecutor("e1"))));
        JsonNode running = acked("t1", "TASK_RUNNING");
        assertEquals("e1", running.at("/executor_id/value").asText());
        assertEquals("SOURCE_EXECUTOR", running.path("source").asText());
        JsonNode env = Harness.JSON.readTree(unb64(running.path("data").asText()));
        assertEquals(s.frameworkId, env.path("MESOS_FRAMEWORK_ID").asText());
        assertEquals("e1", env.path("MESOS_EXECUTOR_ID").asText());
        assertEquals("127.0.0.1:" + agent.port, env.path("MESOS_AGENT_ENDPOINT").asText());
        assertEquals("slave(1)@127.0.0.1:" + agent.port, env.path("MESOS_SLAVE_PID").asText());
        assertEquals(agent.agent.agentId().value(), env.path("MESOS_SLAVE_ID").asText());
        assertEquals("0", env.path("MESOS_CHECKPOINT").asText());
        assertEquals(env.path("MESOS_DIRECTORY").asText(), env.path("MESOS_SANDBOX").asText());
        Path sandbox = Path.of(env.path("MESOS_SANDBOX").asText());
        assertTrue(sandbox + " is under the work dir", sandbox.startsWith(agent.workDir) && Files.isDirectory(sandbox));
        assertTrue(sandbox.toString().contains("/executors/e1/runs/"));
        acked("t1", "TASK_FINISHED");

        // the master records the executor once, with its resources, until it ends
        JsonNode executors = h.state().at("/frameworks/0/executors");
        assertEquals(executors.toString(), 1, executors.size());
        assertEquals("e1", executors.at("/0/executor_id").asText());
        JsonNode v1 = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_EXECUTORS\"}").body());
        assertEquals("e1", v1.at("/get_executors/executors/0/executor_info/executor_id/value").asText());

        // a second task goes to the same, running executor; messages go both ways
        int from = s.events.size();
        accepted(launch(offer(from), task("t2", "wait", javaExecutor("e1"))));
        acked("t2", "TASK_RUNNING");
        ObjectNode message = s.call("MESSAGE");
        message.putObject("message").put("data", b64("ping")).set("agent_id", running.get("agent_id"));
        ((ObjectNode) message.get("message")).putObject("executor_id").put("value", "e1");
        assertEquals(202, s.post(message).statusCode());
        JsonNode echo = event("MESSAGE", e -> true);
        assertEquals("echo:ping", unb64(echo.at("/message/data").asText()));
        assertEquals("e1", echo.at("/message/executor_id/value").asText());
        assertEquals(running.at("/agent_id/value").asText(), echo.at("/message/agent_id/value").asText());

        // KILL goes to the executor, which answers TASK_KILLED
        ObjectNode kill = s.call("KILL");
        kill.putObject("kill").putObject("task_id").put("value", "t2");
        assertEquals(202, s.post(kill).statusCode());
        JsonNode killed = acked("t2", "TASK_KILLED");
        assertEquals("SOURCE_EXECUTOR", killed.path("source").asText());

        // SHUTDOWN ends it: FAILURE, and the master gives its resources back
        ObjectNode shutdown = s.call("SHUTDOWN");
        shutdown.putObject("shutdown").putObject("executor_id").put("value", "e1");
        ((ObjectNode) shutdown.get("shutdown")).set("agent_id", running.get("agent_id"));
        assertEquals(202, s.post(shutdown).statusCode());
        JsonNode failure = event("FAILURE", e -> true);
        assertEquals("e1", failure.at("/failure/executor_id/value").asText());
        assertEquals(0, failure.at("/failure/status").asInt());
        Awaitility.await("executor forgotten").atMost(Duration.ofSeconds(10)).until(() ->
                h.state().at("/frameworks/0/executors").size() == 0
                        && h.state().at("/slaves/0/used_resources/cpus").asDouble() == 0.0);
        assertEquals(1.0, h.get("/metrics/snapshot").body().contains("\"master/messages_exited_executor\":1")
                ? 1.0 : 0.0, 0.0);
    }

    @Test
    public void teardownShutsTheExecutorsDownAndCompletesTheFrameworkOnTheAgent() throws Exception {
        accepted(launch(offer(0), task("w1", "wait", javaExecutor("e-td"))));
        acked("w1", "TASK_RUNNING");
        // a task of the same executor finishes, and its last update is not acknowledged before the teardown
        accepted(launch(offer(0), task("f1", "finish", javaExecutor("e-td"))));
        acked("f1", "TASK_RUNNING");
        s.update("f1", "TASK_FINISHED");
        assertEquals(202, s.post(s.call("TEARDOWN")).statusCode());
        Awaitility.await("framework completed on the agent").atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode st = agent.state();
            return st.path("frameworks").isEmpty()
                    && st.at("/completed_frameworks/0/id").asText().equals(s.frameworkId);
        });
        JsonNode v1 = Harness.JSON.readTree(agent.post("/api/v1", "{\"type\":\"GET_FRAMEWORKS\"}"
                .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json").body());
        assertEquals(s.frameworkId, v1.at("/get_frameworks/completed_frameworks/0/framework_info/id/value").asText());
        // the executor got SHUTDOWN and ended: no container is left, and it is on record with the finished task
        Awaitility.await("executor gone").atMost(Duration.ofSeconds(20)).until(() ->
                agent.agent.containers().get().isEmpty());
        Awaitility.await("executor completed").atMost(Duration.ofSeconds(20)).until(() -> agent.state()
                .at("/completed_frameworks/0/completed_executors/0/id").asText().equals("e-td"));
        JsonNode ended = agent.state().at("/completed_frameworks/0/completed_executors/0");
        assertEquals("f1", ended.at("/completed_tasks/0/id").asText());
        assertEquals("TASK_FINISHED", ended.at("/completed_tasks/0/state").asText());
    }

    @Test
    public void executorExitFailsItsTasks() throws Exception {
        accepted(launch(offer(0), task("crashing", "crash", javaExecutor("e-crash"))));
        acked("crashing", "TASK_RUNNING");
        JsonNode failed = acked("crashing", "TASK_FAILED");
        assertEquals("REASON_EXECUTOR_TERMINATED", failed.path("reason").asText());
        assertEquals("SOURCE_AGENT", failed.path("source").asText());
        assertTrue(failed.path("message").asText(), failed.path("message").asText().contains("status 3"));
        JsonNode failure = event("FAILURE", e -> true);
        assertEquals("e-crash", failure.at("/failure/executor_id/value").asText());
        assertEquals(3 << 8, failure.at("/failure/status").asInt());
    }

    @Test
    public void executorRegistrationTimeout() throws Exception {
        h.close();
        h = new Harness();
        agent = h.realAgent(Duration.ofMillis(1500));
        s = h.scheduler("executors");
        accepted(launch(offer(0), task("never", null, executor("e-silent", "sleep 600"))));
        JsonNode failed = acked("never", "TASK_FAILED");
        assertEquals("REASON_EXECUTOR_REGISTRATION_TIMEOUT", failed.path("reason").asText());
        assertEquals("e-silent", event("FAILURE", e -> true).at("/failure/executor_id/value").asText());
        Awaitility.await("executor container gone").atMost(Duration.ofSeconds(10)).until(() ->
                agent.agent.containers().get().isEmpty());
    }

    // ---- the protocol, with the test as the executor --------------------------------------------------------

    @Test
    public void subscribeThenLaunchUpdateAcknowledged() throws Exception {
        launchUnderSilentExecutor("e-proto", "p1");
        try (ExecutorStream ex = new ExecutorStream("e-proto")) {
            assertEquals(200, ex.response.statusCode());
            assertEquals("application/json", ex.response.headers().firstValue("Content-Type").orElse(""));
            JsonNode subscribed = ex.await("SUBSCRIBED");
            assertEquals("e-proto", subscribed.at("/subscribed/executor_info/executor_id/value").asText());
            assertEquals(s.frameworkId, subscribed.at("/subscribed/executor_info/framework_id/value").asText());
            assertEquals(s.frameworkId, subscribed.at("/subscribed/framework_info/id/value").asText());
            assertEquals(agent.agent.agentId().value(), subscribed.at("/subscribed/agent_info/id/value").asText());
            assertFalse(subscribed.at("/subscribed/container_id/value").asText().isEmpty());
            assertEquals("p1", ex.await("LAUNCH").at("/launch/task/task_id/value").asText());

            ObjectNode update = updateBody("e-proto", "p1", "TASK_RUNNING");
            String uuid = update.at("/update/status/uuid").asText();
            assertEquals(202, executorCall("application/json", update.toString()).statusCode());
            JsonNode running = acked("p1", "TASK_RUNNING");
            assertEquals(uuid, running.path("uuid").asText());
            assertEquals("e-proto", running.at("/executor_id/value").asText());
            JsonNode ack = ex.await("ACKNOWLEDGED");
            assertEquals("p1", ack.at("/acknowledged/task_id/value").asText());
            assertEquals(uuid, ack.at("/acknowledged/uuid").asText());

            // the same update sent again is taken once
            assertEquals(202, executorCall("application/json", update.toString()).statusCode());
            assertEquals(202, executorCall("application/json",
                    executorCallBody("HEARTBEAT", "e-proto").toString()).statusCode());
            ObjectNode msg = executorCallBody("MESSAGE", "e-proto");
            msg.putObject("message").put("data", b64("hello"));
            assertEquals(202, executorCall("application/json", msg.toString()).statusCode());
            assertEquals("hello", unb64(event("MESSAGE", e -> true).at("/message/data").asText()));

            // a framework message reaches the executor's stream
            ObjectNode toExec = s.call("MESSAGE");
            ObjectNode m = toExec.putObject("message");
            m.set("agent_id", running.get("agent_id"));
            m.putObject("executor_id").put("value", "e-proto");
            m.put("data", b64("to-executor"));
            assertEquals(202, s.post(toExec).statusCode());
            assertEquals("to-executor", unb64(ex.await("MESSAGE").at("/message/data").asText()));

            // KILL is the executor's to carry out
            ObjectNode kill = s.call("KILL");
            kill.putObject("kill").putObject("task_id").put("value", "p1");
            assertEquals(202, s.post(kill).statusCode());
            assertEquals("p1", ex.await("KILL").at("/kill/task_id/value").asText());
            assertEquals(202, executorCall("application/json",
                    updateBody("e-proto", "p1", "TASK_KILLED").toString()).statusCode());
            acked("p1", "TASK_KILLED");
            // a terminal task takes no more updates
            HttpResponse<String> late = executorCall("application/json",
                    updateBody("e-proto", "p1", "TASK_RUNNING").toString());
            assertEquals(400, late.statusCode());

            ObjectNode shutdown = s.call("SHUTDOWN");
            shutdown.putObject("shutdown").putObject("executor_id").put("value", "e-proto");
            ((ObjectNode) shutdown.get("shutdown")).set("agent_id", running.get("agent_id"));
            assertEquals(202, s.post(shutdown).statusCode());
            ex.await("SHUTDOWN");
            // it does not end by itself (it is `sleep`): the agent kills it after the grace period
            event("FAILURE", e -> e.at("/failure/executor_id/value").asText().equals("e-proto"));
        }
    }

    /** An executor's container grows with the tasks it is given and shrinks as they end (posix/mem's limit). */
    @Test
    public void theExecutorsContainerFollowsItsTasksResources() throws Exception {
        h.close();
        h = new Harness();
        io.pangaea.isolator.posix.PosixMemIsolator mem = new io.pangaea.isolator.posix.PosixMemIsolator(
                new io.pangaea.isolator.posix.PosixMemIsolator.Config() {
                    @Override
                    public long posix__mem__poll__ms() {
                        return 500;
                    }

                    @Override
                    public Class<? extends java.lang.annotation.Annotation> annotationType() {
                        return io.pangaea.isolator.posix.PosixMemIsolator.Config.class;
                    }
                });
        agent = h.realAgent(Duration.ofSeconds(60), java.util.Map.of("posix/mem", mem));
        s = h.scheduler("executors");
        ObjectNode executor = executor("e-size", "sleep 600");
        ((ArrayNode) executor.get("resources")).addObject().put("name", "mem").put("type", "SCALAR")
                .putObject("scalar").put("value", 32);
        java.util.function.Function<String, ObjectNode> task = id -> {
            ObjectNode t = task(id, null, executor);
            ((ArrayNode) t.get("resources")).addObject().put("name", "mem").put("type", "SCALAR")
                    .putObject("scalar").put("value", 32);
            return t;
        };
        accepted(launch(offer(0), task.apply("first")));
        // the agent takes a SUBSCRIBE only from an executor it has launched
        Awaitility.await("executor e-size running").atMost(Duration.ofSeconds(20)).until(() ->
                agent.state().at("/frameworks/0/executors").findValuesAsText("id").contains("e-size"));
        try (ExecutorStream ex = new ExecutorStream("e-size")) {
            ex.await("LAUNCH");
            awaitExecutorMemory(64);
            accepted(launch(offer(0), task.apply("second")));
            Awaitility.await("second launched").atMost(Duration.ofSeconds(20)).until(() -> ex.events.stream()
                    .filter(e -> e.path("type").asText().equals("LAUNCH")).count() == 2);
            awaitExecutorMemory(96);
            assertEquals(202, executorCall("application/json",
                    updateBody("e-size", "first", "TASK_FINISHED").toString()).statusCode());
            awaitExecutorMemory(64);
        }
    }

    private void awaitExecutorMemory(long mb) {
        Awaitility.await("executor container at " + mb + " MB").atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode c = Harness.JSON.readTree(agent.post("/api/v1", "{\"type\":\"GET_CONTAINERS\"}"
                    .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json").body());
            for (JsonNode x : c.at("/get_containers/containers")) {
                if (x.at("/executor_id/value").asText().equals("e-size")) {
                    return x.at("/resource_statistics/mem_limit_bytes").asLong() == mb << 20;
                }
            }
            return false;
        });
    }

    @Test
    public void subscribeInProtobuf() throws Exception {
        launchUnderSilentExecutor("e-pb", "pb1");
        var call = org.apache.mesos.v1.executor.Protos.Call.newBuilder()
                .setType(org.apache.mesos.v1.executor.Protos.Call.Type.SUBSCRIBE)
                .setFrameworkId(org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue(s.frameworkId))
                .setExecutorId(org.apache.mesos.v1.Protos.ExecutorID.newBuilder().setValue("e-pb"))
                .setSubscribe(org.apache.mesos.v1.executor.Protos.Call.Subscribe.newBuilder()).build();
        HttpResponse<InputStream> r = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                agent.url("/api/v1/executor"))).header("Content-Type", "application/x-protobuf")
                .header("Accept", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(call.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("application/x-protobuf", r.headers().firstValue("Content-Type").orElse(""));
        try (InputStream in = r.body()) {
            var subscribed = org.apache.mesos.v1.executor.Protos.Event.parseFrom(RecordIo.read(in));
            assertEquals(org.apache.mesos.v1.executor.Protos.Event.Type.SUBSCRIBED, subscribed.getType());
            assertEquals("e-pb", subscribed.getSubscribed().getExecutorInfo().getExecutorId().getValue());
            var launch = org.apache.mesos.v1.executor.Protos.Event.parseFrom(RecordIo.read(in));
            assertEquals("pb1", launch.getLaunch().getTask().getTaskId().getValue());
        }
    }

    // ---- validation (Mesos's ExecutorHttpApiTest cases, and more) -------------------------------------------

    @Test
    public void statusUpdateCallFailedValidation() throws Exception {
        launchUnderSilentExecutor("e-v", "v1");
        List<String[]> cases = new ArrayList<>();
        ObjectNode noUuid = updateBody("e-v", "v1", "TASK_RUNNING");
        ((ObjectNode) noUuid.at("/update/status")).remove("uuid");
        cases.add(new String[] {noUuid.toString(), "uuid"});
        ObjectNode shortUuid = updateBody("e-v", "v1", "TASK_RUNNING");
        ((ObjectNode) shortUuid.at("/update/status")).put("uuid", b64("short"));
        cases.add(new String[] {shortUuid.toString(), "uuid"});
        ObjectNode wrongSource = updateBody("e-v", "v1", "TASK_RUNNING");
        ((ObjectNode) wrongSource.at("/update/status")).put("source", "SOURCE_MASTER");
        cases.add(new String[] {wrongSource.toString(), "SOURCE_EXECUTOR"});
        cases.add(new String[] {updateBody("e-v", "v1", "TASK_STAGING").toString(), "TASK_STAGING"});
        ObjectNode otherExecutor = updateBody("e-v", "v1", "TASK_RUNNING");
        ((ObjectNode) otherExecutor.at("/update/status")).putObject("executor_id").put("value", "someone-else");
        cases.add(new String[] {otherExecutor.toString(), "executor_id"});
        cases.add(new String[] {updateBody("e-v", "not-my-task", "TASK_RUNNING").toString(), "not-my-task"});
        ObjectNode noStatus = executorCallBody("UPDATE", "e-v");
        noStatus.putObject("update");
        cases.add(new String[] {noStatus.toString(), "status"});
        for (String[] c : cases) {
            HttpResponse<String> r = executorCall("application/json", c[0]);
            assertEquals(c[0] + " -> " + r.body(), 400, r.statusCode());
            assertTrue(c[0] + " -> " + r.body(), r.body().contains(c[1]));
        }
        // nothing reached the framework
        assertTrue(s.all("UPDATE").stream().noneMatch(u -> u.at("/update/status/task_id/value").asText()
                .equals("v1")));
    }

    // ---- content types, named after Mesos's ExecutorHttpApiTest cases -------------------------------------------

    private static final String JSON_TYPE = "application/json";
    private static final String PROTOBUF_TYPE = "application/x-protobuf";

    private org.apache.mesos.v1.executor.Protos.Call.Builder protobufCall(
            org.apache.mesos.v1.executor.Protos.Call.Type type, String framework, String executor) {
        return org.apache.mesos.v1.executor.Protos.Call.newBuilder().setType(type)
                .setFrameworkId(org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue(framework))
                .setExecutorId(org.apache.mesos.v1.Protos.ExecutorID.newBuilder().setValue(executor));
    }

    /** A call in either codec, as raw bytes with its Content-Type; {@code headers} are added. */
    private HttpResponse<String> executorCall(String contentType, byte[] body, String... headers) throws Exception {
        String[] all = java.util.stream.Stream.concat(contentType == null ? java.util.stream.Stream.<String>empty()
                : java.util.stream.Stream.of("Content-Type", contentType), java.util.Arrays.stream(headers))
                .toArray(String[]::new);
        return agent.post("/api/v1/executor", body, all);
    }

    private static void rejected(HttpResponse<String> r, int status, String mentions) {
        assertEquals(r.body(), status, r.statusCode());
        assertTrue(r.body(), r.body().toLowerCase(java.util.Locale.ROOT).contains(mentions.toLowerCase(
                java.util.Locale.ROOT)));
    }

    private byte[] messageCall(String contentType, String framework) throws Exception {
        var call = protobufCall(org.apache.mesos.v1.executor.Protos.Call.Type.MESSAGE, framework, "e-unknown")
                .setMessage(org.apache.mesos.v1.executor.Protos.Call.Message.newBuilder()
                        .setData(com.google.protobuf.ByteString.copyFromUtf8("hello world"))).build();
        return contentType.equals(PROTOBUF_TYPE) ? call.toByteArray()
                : ProtobufCodec.callToJson(ProtobufCodec.Api.EXECUTOR, call.toByteArray());
    }

    @Test
    public void noContentType() throws Exception {
        rejected(executorCall(null, messageCall(JSON_TYPE, "dummy_framework_id")), 400, "Content-Type");
    }

    @Test
    public void validJsonButInvalidProtobuf() throws Exception {
        rejected(executorCall(JSON_TYPE, "{\"string\":\"valid_json\"}".getBytes(StandardCharsets.UTF_8),
                "Accept", JSON_TYPE), 400, "Missing required fields: executor_id, framework_id");
    }

    @Test
    public void malformedContent() throws Exception {
        for (String type : List.of(JSON_TYPE, PROTOBUF_TYPE)) {
            HttpResponse<String> r = executorCall(type, "MALFORMED_CONTENT".getBytes(StandardCharsets.UTF_8),
                    "Accept", type);
            assertEquals(type + ": " + r.body(), 400, r.statusCode());
            assertFalse(r.body().isBlank());
        }
    }

    @Test
    public void unsupportedContentMediaType() throws Exception {
        var call = protobufCall(org.apache.mesos.v1.executor.Protos.Call.Type.SUBSCRIBE, "dummy_framework_id",
                "dummy_executor_id").setSubscribe(org.apache.mesos.v1.executor.Protos.Call.Subscribe.newBuilder())
                .build();
        rejected(executorCall("application/unknown-media-type", call.toByteArray(), "Accept", JSON_TYPE), 415,
                "Expecting 'Content-Type' of application/json or application/x-protobuf");
    }

    @Test
    public void messageFromUnknownFramework() throws Exception {
        for (String type : List.of(JSON_TYPE, PROTOBUF_TYPE)) {
            rejected(executorCall(type, messageCall(type, "dummy_framework_id"), "Accept", type), 400,
                    "dummy_framework_id");
        }
    }

    @Test
    public void getRequest() throws Exception {
        HttpResponse<String> get = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                agent.url("/api/v1/executor"))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
    }

    @Test
    public void notAcceptable() throws Exception {
        for (String type : List.of(JSON_TYPE, PROTOBUF_TYPE)) {
            var call = protobufCall(org.apache.mesos.v1.executor.Protos.Call.Type.SUBSCRIBE, "dummy_framework_id",
                    "dummy_executor_id").setSubscribe(org.apache.mesos.v1.executor.Protos.Call.Subscribe.newBuilder())
                    .build();
            byte[] body = type.equals(PROTOBUF_TYPE) ? call.toByteArray()
                    : ProtobufCodec.callToJson(ProtobufCodec.Api.EXECUTOR, call.toByteArray());
            rejected(executorCall(type, body, "Accept", "foo"), 406,
                    "Expecting 'Accept' to allow 'application/json' or 'application/x-protobuf'");
        }
    }

    @Test
    public void validProtobufInvalidCall() throws Exception {
        for (var type : List.of(org.apache.mesos.v1.executor.Protos.Call.Type.SUBSCRIBE,
                org.apache.mesos.v1.executor.Protos.Call.Type.UPDATE,
                org.apache.mesos.v1.executor.Protos.Call.Type.MESSAGE)) {
            // each type without the message of its own that it requires
            byte[] body = protobufCall(type, "dummy_framework_id", "dummy_executor_id").build().toByteArray();
            rejected(executorCall(PROTOBUF_TYPE, body, "Accept", JSON_TYPE), 400, type.name().toLowerCase(
                    java.util.Locale.ROOT));
        }
    }

    /** SUBSCRIBE for executor {@code executorId} in {@code type}, with these headers; the stream is closed after. */
    private void subscribeAnswers(String executorId, String type, String expectedType, String... headers)
            throws Exception {
        var call = protobufCall(org.apache.mesos.v1.executor.Protos.Call.Type.SUBSCRIBE, s.frameworkId, executorId)
                .setSubscribe(org.apache.mesos.v1.executor.Protos.Call.Subscribe.newBuilder()).build();
        byte[] body = type.equals(PROTOBUF_TYPE) ? call.toByteArray()
                : ProtobufCodec.callToJson(ProtobufCodec.Api.EXECUTOR, call.toByteArray());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(agent.url("/api/v1/executor")))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<InputStream> r = Harness.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertEquals(200, r.statusCode());
            assertEquals(expectedType, r.headers().firstValue("Content-Type").orElse(""));
            assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElse(""));
            byte[] first = RecordIo.read(in);
            var subscribed = expectedType.equals(PROTOBUF_TYPE)
                    ? org.apache.mesos.v1.executor.Protos.Event.parseFrom(first)
                    : org.apache.mesos.v1.executor.Protos.Event.parseFrom(ProtobufCodec.toProtobuf(
                            ProtobufCodec.Api.EXECUTOR, first));
            assertEquals(org.apache.mesos.v1.executor.Protos.Event.Type.SUBSCRIBED, subscribed.getType());
            assertEquals(executorId, subscribed.getSubscribed().getExecutorInfo().getExecutorId().getValue());
            assertTrue(subscribed.getSubscribed().hasContainerId());
        }
    }

    @Test
    public void subscribe() throws Exception {
        launchUnderSilentExecutor("e-sub", "sub1");
        for (String type : List.of(JSON_TYPE, PROTOBUF_TYPE)) {
            subscribeAnswers("e-sub", type, type, "Accept", type);
        }
    }

    @Test
    public void defaultAccept() throws Exception {
        launchUnderSilentExecutor("e-any", "any1");
        for (String type : List.of(JSON_TYPE, PROTOBUF_TYPE)) {
            subscribeAnswers("e-any", type, JSON_TYPE, "Accept", "*/*");
        }
    }

    @Test
    public void noAcceptHeader() throws Exception {
        launchUnderSilentExecutor("e-none", "none1");
        for (String type : List.of(JSON_TYPE, PROTOBUF_TYPE)) {
            subscribeAnswers("e-none", type, JSON_TYPE);
        }
    }

    @Test
    public void badExecutorRequestsGetAClearErrorAndChangeNothing() throws Exception {
        launchUnderSilentExecutor("e-bad", "b1");
        String before = agent.state().at("/frameworks").toString();
        String fw = s.frameworkId;
        String ids = "\"framework_id\":{\"value\":\"" + fw + "\"},\"executor_id\":{\"value\":\"e-bad\"}";
        List<Object[]> table = new ArrayList<>();
        // {content type, body, accept or null, expected status}
        table.add(new Object[] {"application/json", "{", null, 400});
        table.add(new Object[] {"application/json", "", null, 400});
        table.add(new Object[] {"application/json", "[]", null, 400});
        table.add(new Object[] {"application/json", "null", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"SUBSCRIBE\"}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"UPDATE\"," + ids.replace("e-bad\"}", "e-bad\"}")
                .substring(0, 20) + "}", null, 400});
        table.add(new Object[] {"application/json", "{" + ids + "}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"NO_SUCH_CALL\"," + ids + "}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":7," + ids + "}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"UPDATE\"," + ids + "}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"MESSAGE\"," + ids + "}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"MESSAGE\"," + ids + ",\"message\":{}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"MESSAGE\"," + ids
                + ",\"message\":{\"data\":\"%%%\"}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"SUBSCRIBE\"," + ids + "}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"SUBSCRIBE\"," + ids + ",\"subscribe\":{}}",
                "text/html", 406});
        table.add(new Object[] {"application/json", "{\"type\":\"HEARTBEAT\",\"framework_id\":{\"value\":\"nope\"},"
                + "\"executor_id\":{\"value\":\"e-bad\"}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"HEARTBEAT\",\"framework_id\":{\"value\":\"" + fw
                + "\"},\"executor_id\":{\"value\":\"nobody\"}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"HEARTBEAT\",\"framework_id\":{\"value\":\"\"},"
                + "\"executor_id\":{\"value\":\"e-bad\"}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"UPDATE\"," + ids + ",\"update\":{\"status\":"
                + "{\"task_id\":{\"value\":\"b1\"},\"state\":\"TASK_BOGUS\",\"uuid\":\"" + uuid() + "\"}}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"UPDATE\"," + ids + ",\"update\":{\"status\":"
                + "{\"task_id\":{\"value\":\"b1\"},\"state\":\"TASK_RUNNING\",\"uuid\":\"!!\"}}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"UPDATE\"," + ids + ",\"update\":{\"status\":"
                + "{\"state\":\"TASK_RUNNING\",\"uuid\":\"" + uuid() + "\"}}}", null, 400});
        table.add(new Object[] {"application/json", "{\"type\":\"UPDATE\"," + ids + ",\"update\":{\"status\":"
                + "\"running\"}}", null, 400});
        table.add(new Object[] {"application/x-protobuf", "not a protobuf", null, 400});
        table.add(new Object[] {"application/x-protobuf", "\u0008\u0001", null, 400});
        table.add(new Object[] {"text/plain", "{" + ids + "}", null, 415});
        table.add(new Object[] {"application/xml", "<call/>", null, 415});
        table.add(new Object[] {null, "{" + ids + "}", null, 400});
        for (Object[] row : table) {
            String[] headers = row[2] == null ? new String[0] : new String[] {"Accept", (String) row[2]};
            HttpResponse<String> r = executorCall((String) row[0], (String) row[1], headers);
            String what = row[0] + " " + row[1] + " -> " + r.statusCode() + " " + r.body();
            assertEquals(what, (int) (Integer) row[3], r.statusCode());
            assertFalse(what, r.body().isBlank());
            assertFalse(what, r.body().contains("Exception") || r.body().contains("\tat "));
        }
        HttpResponse<String> get = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                agent.url("/api/v1/executor"))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        byte[] huge = new byte[17 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        assertEquals(413, agent.post("/api/v1/executor", huge, "Content-Type", "application/json").statusCode());
        assertEquals(before, agent.state().at("/frameworks").toString());
        assertTrue(s.all("UPDATE").stream().noneMatch(u -> u.at("/update/status/task_id/value").asText()
                .equals("b1")));
    }

    // ---- task groups under the default executor -------------------------------------------------------------

    static ObjectNode defaultExecutor(String id) {
        ObjectNode e = Harness.JSON.createObjectNode().put("type", "DEFAULT");
        e.putObject("executor_id").put("value", id);
        e.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                .put("value", 0.1);
        return e;
    }

    @Test
    public void taskGroupRunsUnderTheDefaultExecutor() throws Exception {
        assertEquals(202, launchGroup(offer(0), defaultExecutor("group-1"),
                commandTask("g1", "echo one > out; sleep 0.3"), commandTask("g2", "echo two > out")).statusCode());
        for (String t : List.of("g1", "g2")) {
            JsonNode st = acked(t, "TASK_STARTING");
            assertEquals("group-1", st.at("/executor_id/value").asText());
        }
        acked("g1", "TASK_RUNNING");
        acked("g2", "TASK_RUNNING");
        acked("g1", "TASK_FINISHED");
        acked("g2", "TASK_FINISHED");
        // each task has its own sandbox under the executor's (the walk goes past what the agent removes meanwhile,
        // such as an ended container's state)
        List<Path> outs = new java.util.ArrayList<>();
        Files.walkFileTree(agent.workDir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes a) {
                if (p.getFileName().toString().equals("out")) {
                    outs.add(p);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, java.io.IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        assertEquals(outs.toString(), 2, outs.size());
        assertTrue(outs.toString(), outs.stream().allMatch(p -> p.toString().contains("/executors/group-1/runs/")
                && p.getParent().getParent().getFileName().toString().equals("tasks")));
        JsonNode failure = event("FAILURE", e -> true);
        assertEquals("group-1", failure.at("/failure/executor_id/value").asText());
        JsonNode tasks = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_TASKS\"}").body());
        assertEquals("group-1", tasks.at("/get_tasks/completed_tasks/0/executor_id/value").asText());
    }

    @Test
    public void customExecutorGetsTheTaskGroup() throws Exception {
        ObjectNode a = commandTask("cg1", "true");
        a.put("data", b64("finish"));
        ObjectNode b = commandTask("cg2", "true");
        b.put("data", b64("finish"));
        accepted(launchGroup(offer(0), javaExecutor("e-group"), a, b));
        for (String t : List.of("cg1", "cg2")) {
            assertEquals("e-group", acked(t, "TASK_RUNNING").at("/executor_id/value").asText());
            acked(t, "TASK_FINISHED");
        }
    }

    @Test
    public void aFailedTaskTakesItsGroupDown() throws Exception {
        accepted(launchGroup(offer(0), defaultExecutor("group-2"),
                commandTask("bad", "exit 2"), commandTask("long", "sleep 600")));
        acked("bad", "TASK_STARTING");
        acked("long", "TASK_STARTING");
        acked("bad", "TASK_RUNNING");
        acked("long", "TASK_RUNNING");
        assertEquals("REASON_COMMAND_EXECUTOR_FAILED", acked("bad", "TASK_FAILED").path("reason").asText());
        acked("long", "TASK_KILLED");
    }

    @Test
    public void invalidTaskGroupsEndInTaskError() throws Exception {
        ObjectNode noType = defaultExecutor("group-3");
        noType.remove("type");
        accepted(launchGroup(offer(0), noType, commandTask("x1", "true"), commandTask("x2", "true"))
                );
        for (String t : List.of("x1", "x2")) {
            JsonNode err = s.update(t, "TASK_ERROR").at("/update/status");
            assertEquals("REASON_TASK_GROUP_INVALID", err.path("reason").asText());
            assertTrue(err.path("message").asText(), err.path("message").asText().contains("type"));
        }
        int from = s.events.size();
        ObjectNode withExecutor = commandTask("x3", "true");
        withExecutor.set("executor", executor("inner", "true"));
        accepted(launchGroup(offer(from), defaultExecutor("group-4"), withExecutor));
        assertTrue(s.update("x3", "TASK_ERROR").at("/update/status/message").asText().contains("executor"));
        // a CUSTOM executor for a lone task must have a command; DEFAULT is for groups only
        from = s.events.size();
        ObjectNode noCommand = executor("e-nocmd", "x");
        noCommand.remove("command");
        accepted(launch(offer(from), task("x4", null, noCommand)));
        assertTrue(s.update("x4", "TASK_ERROR").at("/update/status/message").asText().contains("command"));
        from = s.events.size();
        accepted(launch(offer(from), task("x5", null, defaultExecutor("d"))));
        assertTrue(s.update("x5", "TASK_ERROR").at("/update/status/message").asText().contains("DEFAULT"));
        assertNotNull(h.state());
        assertEquals(0, h.state().at("/frameworks/0/executors").size());
    }
}
