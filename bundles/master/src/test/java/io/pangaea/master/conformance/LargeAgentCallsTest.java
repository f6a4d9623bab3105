package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Label;
import io.pangaea.model.Labels;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.RecordIo;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Large agent calls over HTTP, as after a master failover: many re-registrations at once, each with its running tasks
 * and a hundred completed ones, are all served in full (the completed tasks kept up to
 * {@code max_completed_tasks_per_framework}, the most recent first); and a large body that is not a valid call is
 * refused with its reason, registering nothing.
 */
public class LargeAgentCallsTest {

    private static Harness master;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeClass
    public static void start() throws Exception {
        master = new Harness(MasterConfig.defaults());
    }

    @AfterClass
    public static void stop() throws Exception {
        master.close();
    }

    /** A re-registration (as after a failover) with {@code running} and {@code completed} labelled tasks. */
    private static byte[] subscribe(int agent, FrameworkInfo fw, int running, int completed) {
        AgentId id = AgentId.of("large-agent-" + agent);
        Labels labels = new Labels(List.of(new Label("owner", "team-" + agent), new Label("purpose", "x".repeat(40))));
        var res = Resources.parse("cpus:0.01;mem:1").toList();
        List<Task> run = new ArrayList<>();
        List<Task> done = new ArrayList<>();
        for (int k = 0; k < running + completed; k++) {
            boolean ended = k >= running;
            TaskId tid = TaskId.of("a" + agent + "-t" + k);
            TaskState state = ended ? TaskState.TASK_FINISHED : TaskState.TASK_RUNNING;
            TaskStatus s = new TaskStatus(tid, state, null, TaskStatus.Source.SOURCE_EXECUTOR, null, null, id, null,
                    endedAt(agent, k), null, null, null, null);
            (ended ? done : run).add(new Task("t" + k, tid, fw.id(), null, id, state, res, List.of(s), state, null,
                    labels, null, null));
        }
        AgentInfo info = new AgentInfo("large-" + agent, 5051, Resources.parse("cpus:8;mem:4096").toList(),
                List.of(), id);
        return MesosJson.write(AgentCall.subscribe(new AgentCall.Subscribe(info, run, List.of(fw),
                List.of("MULTI_ROLE"), "test", List.of(), null, done)));
    }

    /** When task {@code k} of agent {@code agent} ended: spread over a day, the same on every run. */
    private static double endedAt(int agent, int k) {
        return 1.7e9 + new java.util.Random(agent * 1000L + k).nextDouble() * 86400;
    }

    /** Subscribes and reads the stream until REGISTERED (or the stream ends): what came first. */
    private static String registered(byte[] body) throws Exception {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(master.url("/internal/v1/agent")))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                return r.statusCode() + " " + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            byte[] rec;
            while ((rec = RecordIo.read(in)) != null) {
                String type = Harness.JSON.readTree(rec).path("type").asText();
                if (type.equals("REGISTERED") || type.equals("REREGISTERED")) {
                    return type;
                }
            }
            return "stream ended";
        }
    }

    @Test
    public void manyLargeReRegistrationsAtOnceAreAllServed() throws Exception {
        FrameworkInfo fw = new FrameworkInfo("root", "large-fw", FrameworkId.of("large-fw"), 86400.0, true, "*",
                null, null, null, null, List.of(), null);
        int agents = 60;
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            bodies.add(subscribe(i, fw, 10, 100));
        }
        long total = bodies.stream().mapToLong(b -> b.length).sum();
        assertTrue("each is large (" + bodies.get(0).length + " bytes)", bodies.get(0).length >= 16 * 1024);
        assertTrue("together megabytes (" + total + " bytes)", total > 2L * 1024 * 1024);
        ExecutorService pool = Executors.newFixedThreadPool(agents);
        try {
            List<CompletableFuture<String>> answers = new ArrayList<>();
            for (byte[] b : bodies) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return registered(b);
                    } catch (Exception e) {
                        return e.toString();
                    }
                }, pool));
            }
            for (CompletableFuture<String> a : answers) {
                String got = a.get(120, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue("registered: " + got, got.endsWith("REGISTERED"));
            }
            JsonNode state = master.state();
            assertEquals(agents, state.path("slaves").size());
            JsonNode framework = null;
            for (JsonNode f : state.path("frameworks")) {
                if (f.path("id").asText().equals("large-fw")) {
                    framework = f;
                }
            }
            assertTrue("the framework is adopted from its agents", framework != null);
            assertEquals("every running task adopted", agents * 10, framework.path("tasks").size());
            assertEquals("completed tasks kept up to max_completed_tasks_per_framework",
                    Math.min(agents * 100, MasterConfig.defaults().maxCompletedTasksPerFramework()),
                    framework.path("completed_tasks").size());
            assertEquals("team-7", findTask(framework.path("tasks"), "a7-t3").at("/labels/0/value").asText());
            // the kept ones are the most recently ended of all those reported, whatever order the agents came in
            List<Double> reported = new ArrayList<>();
            for (int i = 0; i < agents; i++) {
                for (int k = 10; k < 110; k++) {
                    reported.add(endedAt(i, k));
                }
            }
            reported.sort(java.util.Collections.reverseOrder());
            List<Double> kept = new ArrayList<>();
            for (JsonNode t : framework.path("completed_tasks")) {
                kept.add(t.at("/statuses/0/timestamp").asDouble());
                assertEquals("TASK_FINISHED", t.path("state").asText());
            }
            kept.sort(java.util.Collections.reverseOrder());
            for (int i = 0; i < kept.size(); i++) {
                // as the state writes them: to the microsecond
                assertEquals("the " + i + "th most recent", reported.get(i), kept.get(i), 1e-5);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static JsonNode findTask(JsonNode tasks, String id) {
        for (JsonNode t : tasks) {
            if (t.path("id").asText().equals(id)) {
                return t;
            }
        }
        throw new AssertionError("no task " + id);
    }

    @Test
    public void aLargeBodyThatIsNotACallIsRefusedWithItsReason() throws Exception {
        String junk = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"agent_info\":{\"hostname\":\"h\",\"resources\":"
                + "\"" + "x".repeat(40_000) + "\"}}}";
        HttpResponse<String> r = master.postJson("/internal/v1/agent", junk);
        assertEquals(r.body(), 400, r.statusCode());
        assertTrue(r.body(), r.body().contains("resources"));
        String broken = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"agent_info\":{\"hostname\":\"" + "y".repeat(40_000);
        HttpResponse<String> b = master.postJson("/internal/v1/agent", broken);
        assertEquals(b.body(), 400, b.statusCode());
        // neither registered anything
        for (JsonNode a : master.state().path("slaves")) {
            assertTrue(a.path("hostname").asText(), a.path("hostname").asText().startsWith("large-"));
        }
    }
}
