package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.http.Acls;
import io.pangaea.http.HttpAuthentication;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A real agent's own endpoints under its ACLs: a sandbox is read only by a principal allowed its user
 * ({@code access_sandboxes}), the agent's other files only by one allowed its logs ({@code access_mesos_logs});
 * {@code view_flags}, {@code get_endpoints} and {@code set_log_level} refuse with 403 on the legacy endpoints and the
 * operator API alike.
 */
public class AgentAuthorizationTest {

    private static final String OPS = HttpAuthentication.basic("ops", "o");
    private static final String ALICE = HttpAuthentication.basic("alice", "a");
    private static Harness h;
    private static Harness.RealAgent agent;
    private static String sandbox;
    private static Harness.Scheduler scheduler;

    @BeforeClass
    public static void up() throws Exception {
        h = new Harness();
        h.agentHttpAuthentication = new HttpAuthentication(Set.of(
                io.pangaea.agent.internal.http.AgentHttpServer.READONLY,
                io.pangaea.agent.internal.http.AgentHttpServer.READWRITE), Map.of("ops", "o", "alice", "a"));
        h.agentAcls = Acls.parse("""
                {"access_sandboxes": [{"principals": {"values": ["ops"]}, "users": {"type": "ANY"}},
                                      {"principals": {"values": ["alice"]}, "users": {"values": ["nobody"]}},
                                      {"principals": {"type": "ANY"}, "users": {"type": "NONE"}}],
                 "access_mesos_logs": [{"principals": {"values": ["ops"]}, "logs": {"type": "ANY"}},
                                       {"principals": {"type": "ANY"}, "logs": {"type": "NONE"}}],
                 "view_flags": [{"principals": {"values": ["ops"]}, "flags": {"type": "ANY"}},
                                {"principals": {"type": "ANY"}, "flags": {"type": "NONE"}}],
                 "get_endpoints": [{"principals": {"type": "ANY"}, "paths": {"type": "NONE"}}],
                 "set_log_level": [{"principals": {"type": "ANY"}, "level": {"type": "NONE"}}]}""");
        agent = h.realAgent(Duration.ofSeconds(60));
        Harness.Scheduler s = h.scheduler("sandboxes");
        scheduler = s;
        s.autoAcknowledge = true;
        HttpResponse<String> launched = s.launch(s.freshOffer(), "root-task");
        assertEquals(launched.body(), 202, launched.statusCode());
        s.update("root-task", "TASK_RUNNING");
        // the task's sandbox, as the agent names it in its state (the framework's user is root)
        JsonNode state = Harness.JSON.readTree(get("/state", OPS).body());
        sandbox = state.at("/frameworks/0/executors/0/directory").asText();
        assertTrue(state.toString(), !sandbox.isEmpty());
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        return Harness.HTTP.send(HttpRequest.newBuilder(URI.create(agent.url(path))).header("Authorization",
                authorization).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> call(String body, String authorization) throws Exception {
        return agent.post("/api/v1", body.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json",
                "Authorization", authorization);
    }

    @Test
    public void aSandboxIsReadOnlyByThoseAllowedItsUser() throws Exception {
        String read = "/files/read?offset=0&path=" + URLEncoder.encode(sandbox + "/stdout", StandardCharsets.UTF_8);
        Awaitility.await("ops reads the sandbox").atMost(Duration.ofSeconds(10))
                .until(() -> get(read, OPS).statusCode() == 200);
        HttpResponse<String> refused = get(read, ALICE);
        assertEquals(refused.body(), 403, refused.statusCode());
        assertTrue(refused.body(), refused.body().contains("access_sandboxes"));
        assertEquals(403, get("/files/browse?path=" + URLEncoder.encode(sandbox, StandardCharsets.UTF_8), ALICE)
                .statusCode());
        assertEquals(403, call("{\"type\":\"READ_FILE\",\"read_file\":{\"path\":\"" + sandbox
                + "/stdout\",\"offset\":0}}", ALICE).statusCode());
        assertEquals(200, call("{\"type\":\"READ_FILE\",\"read_file\":{\"path\":\"" + sandbox
                + "/stdout\",\"offset\":0}}", OPS).statusCode());
        // '..' out of the sandbox is judged by where it leads: the work directory outside sandboxes is the logs'
        String escape = URLEncoder.encode(sandbox + "/../../../..", StandardCharsets.UTF_8);
        HttpResponse<String> logs = get("/files/browse?path=" + escape, ALICE);
        assertEquals(logs.body(), 403, logs.statusCode());
        assertTrue(logs.body(), logs.body().contains("access_mesos_logs"));
    }

    @Test
    public void throughTheMasterALinkOutOfTheSandboxItNamesIsNotFollowed() throws Exception {
        Harness.Scheduler s = scheduler;
        // a task that links another task's output into its own sandbox
        s.launch(s.freshOffer(), "linker", t -> {
            t.putObject("command").put("value", "ln -s '" + sandbox + "/stdout' escape; echo mine; sleep 100");
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
        });
        s.update("linker", "TASK_RUNNING");
        JsonNode state = Harness.JSON.readTree(get("/state", OPS).body());
        String found = null;
        for (JsonNode f : state.path("frameworks")) {
            for (JsonNode e : f.path("executors")) {
                if (e.path("id").asText().equals("linker")) {
                    found = e.path("directory").asText();
                }
            }
        }
        assertTrue(state.toString(), found != null);
        String own = found;
        String agentId = state.path("id").asText();
        String base = h.url("/agents/" + agentId + "/files/read?offset=0&path=");
        String ownOut = base + URLEncoder.encode(own + "/stdout", StandardCharsets.UTF_8);
        Awaitility.await("its own output is served").atMost(Duration.ofSeconds(10)).until(() -> Harness.HTTP.send(
                HttpRequest.newBuilder(URI.create(ownOut)).build(), HttpResponse.BodyHandlers.ofString()).body()
                .contains("mine"));
        String escape = base + URLEncoder.encode(own + "/escape", StandardCharsets.UTF_8);
        Awaitility.await("the link exists").atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files
                .isSymbolicLink(java.nio.file.Path.of(own, "escape")));
        HttpResponse<String> r = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(escape)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(r.body(), 404, r.statusCode());
    }

    @Test
    public void flagsMetricsAndTheLoggingLevelAskTheirActions() throws Exception {
        assertEquals(200, get("/flags", OPS).statusCode());
        assertEquals(403, get("/flags", ALICE).statusCode());
        assertEquals(403, call("{\"type\":\"GET_FLAGS\"}", ALICE).statusCode());
        assertEquals(403, get("/metrics/snapshot", OPS).statusCode());
        assertEquals(403, call("{\"type\":\"GET_METRICS\"}", OPS).statusCode());
        HttpResponse<String> level = call("{\"type\":\"SET_LOGGING_LEVEL\",\"set_logging_level\":{\"level\":1,"
                + "\"duration\":{\"nanoseconds\":1000000000}}}", OPS);
        assertEquals(level.body(), 403, level.statusCode());
        assertTrue(level.body().contains("set_log_level"));
        // what no rule covers stays open (permissive)
        assertEquals(200, call("{\"type\":\"GET_HEALTH\"}", ALICE).statusCode());
    }
}
