package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.Acls;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.agentproto.AgentEvent;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Mesos's ACLs on the master: a framework may register only in the roles its principal may use, and may run tasks
 * only as the users its principal may; one principal cannot tear down another's framework; {@code view_*} rules
 * filter what the read endpoints, the operator API and its event stream show; the operator writes answer 403 when
 * the principal may not.
 */
public class AuthorizationTest {

    private static final String ACLS = """
            {"permissive": false,
             "register_frameworks": [
               {"principals": {"values": ["web"]}, "roles": {"values": ["web"]}},
               {"principals": {"values": ["batch"]}, "roles": {"values": ["batch"]}}],
             "run_tasks": [
               {"principals": {"type": "ANY"}, "users": {"values": ["web", "batch", "nobody"]}}],
             "teardown_frameworks": [
               {"principals": {"values": ["ops"]}, "framework_principals": {"type": "ANY"}},
               {"principals": {"values": ["alice"]}, "framework_principals": {"values": ["web"]}}],
             "view_frameworks": [
               {"principals": {"values": ["ops"]}, "users": {"type": "ANY"}},
               {"principals": {"values": ["alice"]}, "users": {"values": ["web"]}}],
             "view_tasks": [
               {"principals": {"values": ["ops"]}, "users": {"type": "ANY"}},
               {"principals": {"values": ["alice"]}, "users": {"values": ["web"]}}],
             "view_executors": [{"principals": {"type": "ANY"}, "users": {"type": "ANY"}}],
             "view_roles": [
               {"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}},
               {"principals": {"values": ["alice"]}, "roles": {"values": ["web"]}}],
             "view_flags": [{"principals": {"values": ["ops"]}, "flags": {"type": "ANY"}}],
             "update_weights": [{"principals": {"values": ["ops"]}, "roles": {"type": "ANY"}}],
             "register_agents": [{"principals": {"type": "ANY"}, "agents": {"type": "ANY"}}]
            }""";

    private static Harness h;
    private static final String OPS = HttpAuthentication.basic("ops", "o");
    private static final String ALICE = HttpAuthentication.basic("alice", "a");

    @BeforeClass
    public static void up() throws Exception {
        HttpAuthentication auth = new HttpAuthentication(Set.of(HttpAuthentication.MASTER_READONLY,
                HttpAuthentication.MASTER_READWRITE), java.util.Map.of("ops", "o", "alice", "a"));
        h = new Harness(MasterConfig.defaults(), null, auth);
        Acls acls = Acls.parse(ACLS);
        h.master.setAcls(() -> acls);
        for (int i = 0; i < 6; i++) {
            h.agent("cpus:2;mem:2048;disk:1000"); // several, so that each framework gets offers of its own
        }
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    private static ObjectNode subscribe(String name, String principal, String user, String role) {
        ObjectNode c = Harness.subscribe(name);
        ObjectNode fi = (ObjectNode) c.at("/subscribe/framework_info");
        fi.put("principal", principal).put("user", user).putArray("roles").add(role);
        fi.putArray("capabilities").addObject().put("type", "MULTI_ROLE");
        return c;
    }

    private static HttpResponse<String> send(String method, String path, String body, String authorization)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.url(path))).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("Authorization", authorization);
        return Harness.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void aFrameworkRegistersOnlyInItsRolesAndRunsTasksOnlyAsItsUsers() throws Exception {
        Harness.Scheduler refused = h.scheduler(subscribe("web-in-batch", "web", "web", "batch"));
        JsonNode error = refused.awaitType("ERROR");
        assertTrue(error.toString(), error.at("/error/message").asText().contains("register_frameworks"));
        Awaitility.await("the refused stream closed").atMost(Duration.ofSeconds(10)).until(() -> refused.ended);
        assertEquals(null, refused.frameworkId);

        try (Harness.Scheduler web = h.scheduler(subscribe("web-runs", "web", "web", "web"))) {
            try {
                webRuns(web);
            } finally {
                web.post(web.call("TEARDOWN")); // its offers go back for the other tests
            }
        }
    }

    private static void webRuns(Harness.Scheduler web) throws Exception {
        assertTrue(web.frameworkId != null && !web.frameworkId.isEmpty());
        JsonNode offer = web.freshOffer();
        web.launch(offer, "as-root", t -> {
            t.putObject("command").put("value", "true").put("user", "root");
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
        });
        JsonNode status = web.update("as-root", "TASK_ERROR").at("/update/status");
        assertEquals("REASON_TASK_UNAUTHORIZED", status.path("reason").asText());
        assertTrue(status.path("message").asText(), status.path("message").asText().contains("root"));

        web.launch(web.freshOffer(), "as-nobody", t -> {
            t.putObject("command").put("value", "true").put("user", "nobody");
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
        });
        Awaitility.await("the agent was told to launch as-nobody").atMost(Duration.ofSeconds(10))
                .until(() -> send("GET", "/master/state", null, OPS).body().contains("\"as-nobody\""));
        assertFalse(send("GET", "/master/state", null, OPS).body().contains("\"as-root\""));

        // UPDATE_FRAMEWORK into a role its principal may not use: 403, nothing changes
        ObjectNode update = web.call("UPDATE_FRAMEWORK");
        ObjectNode fi = (ObjectNode) subscribe("web-runs", "web", "web", "batch").at("/subscribe/framework_info")
                .deepCopy();
        fi.putObject("id").put("value", web.frameworkId);
        update.putObject("update_framework").set("framework_info", fi);
        HttpResponse<String> r = web.post(update);
        assertEquals(r.body(), 403, r.statusCode());
        assertTrue(r.body(), r.body().contains("register_frameworks"));
    }

    @Test
    public void onePrincipalCannotTearDownAnothersFramework() throws Exception {
        Harness.Scheduler batch = h.scheduler(subscribe("batch-teardown", "batch", "batch", "batch"));
        String id = batch.frameworkId;
        String teardown = "{\"type\":\"TEARDOWN\",\"teardown\":{\"framework_id\":{\"value\":\"" + id + "\"}}}";
        HttpResponse<String> r = send("POST", "/api/v1", teardown, ALICE);
        assertEquals(r.body(), 403, r.statusCode());
        assertTrue(r.body(), r.body().contains("teardown_frameworks"));
        r = send("POST", "/master/teardown", "frameworkId=" + id, ALICE);
        assertEquals(r.body(), 403, r.statusCode());
        assertTrue(send("GET", "/master/frameworks", null, OPS).body().contains(id));

        assertEquals(200, send("POST", "/api/v1", teardown, OPS).statusCode());
        Awaitility.await("the framework is gone").atMost(Duration.ofSeconds(10))
                .until(() -> !Harness.JSON.readTree(send("GET", "/master/frameworks", null, OPS).body())
                        .path("frameworks").toString().contains(id));
    }

    @Test
    public void viewRulesFilterTheReadEndpointsTheOperatorApiAndItsStream() throws Exception {
        // alice's operator stream, open before the frameworks come
        HttpResponse<InputStream> stream = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(h.url("/api/v1")))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .header("Authorization", ALICE).POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"SUBSCRIBE\"}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = stream.body()) {
                byte[] rec;
                while ((rec = io.pangaea.model.json.RecordIo.read(in)) != null) {
                    events.add(Harness.JSON.readTree(rec));
                }
            } catch (java.io.IOException e) {
                // closed
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
        try (Harness.Scheduler web = h.scheduler(subscribe("web-visible", "web", "web", "web"));
             Harness.Scheduler batch = h.scheduler(subscribe("batch-hidden", "batch", "batch", "batch"))) {
            web.launch(web.freshOffer(), "web-task", t -> {
                t.putObject("command").put("value", "sleep 100").put("user", "web");
                t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR")
                        .putObject("scalar").put("value", 0.1);
            });
            batch.launch(batch.freshOffer(), "batch-task", t -> {
                t.putObject("command").put("value", "sleep 100").put("user", "batch");
                t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR")
                        .putObject("scalar").put("value", 0.1);
            });
            Awaitility.await("both tasks are known").atMost(Duration.ofSeconds(10)).until(() -> {
                String s = send("GET", "/master/state", null, OPS).body();
                return s.contains("\"web-task\"") && s.contains("\"batch-task\"");
            });

            String aliceState = send("GET", "/master/state", null, ALICE).body();
            assertTrue(aliceState.contains("\"web-visible\"") && aliceState.contains("\"web-task\""));
            assertFalse(aliceState, aliceState.contains("batch-hidden") || aliceState.contains("batch-task"));
            assertFalse("alice may not see the flags", Harness.JSON.readTree(aliceState).has("flags"));
            assertTrue(Harness.JSON.readTree(send("GET", "/master/state", null, OPS).body()).has("flags"));
            String aliceTasks = send("GET", "/master/tasks", null, ALICE).body();
            assertTrue(aliceTasks.contains("web-task") && !aliceTasks.contains("batch-task"));
            String aliceRoles = send("GET", "/master/roles", null, ALICE).body();
            assertTrue(aliceRoles, aliceRoles.contains("\"web\"") && !aliceRoles.contains("\"batch\""));
            String v1 = send("POST", "/api/v1", "{\"type\":\"GET_STATE\"}", ALICE).body();
            assertTrue(v1.contains("web-visible") && !v1.contains("batch-hidden") && !v1.contains("batch-task"));
            assertEquals(403, send("GET", "/master/flags", null, ALICE).statusCode());
            assertEquals(403, send("POST", "/api/v1", "{\"type\":\"GET_FLAGS\"}", ALICE).statusCode());
            assertEquals(200, send("GET", "/master/flags", null, OPS).statusCode());

            // the stream told alice of web's framework and task, never of batch's
            Awaitility.await("alice's stream saw web's task").atMost(Duration.ofSeconds(10))
                    .until(() -> events.toString().contains("web-task"));
            String seen = events.toString();
            assertTrue(seen.contains("web-visible"));
            assertFalse(seen, seen.contains("batch-hidden") || seen.contains("batch-task"));
        }
        } finally {
            stream.body().close();
        }
    }

    @Test
    public void operatorWritesNeedTheirAction() throws Exception {
        String weights = "{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"web\","
                + "\"weight\":2.0}]}}";
        HttpResponse<String> r = send("POST", "/api/v1", weights, ALICE);
        assertEquals(403, r.statusCode());
        assertTrue(r.body(), r.body().contains("principal 'alice'") && r.body().contains("update_weights"));
        assertFalse(send("GET", "/weights", null, OPS).body().contains("2.0"));
        assertEquals(403, send("PUT", "/weights", "[{\"role\":\"web\",\"weight\":3.0}]", ALICE).statusCode());
        assertEquals(200, send("POST", "/api/v1", weights, OPS).statusCode());
        assertTrue(send("GET", "/weights", null, OPS).body().contains("2.0"));
        // not permissive, and no rule for these: refused for everyone
        assertEquals(403, send("POST", "/api/v1", "{\"type\":\"SET_LOGGING_LEVEL\",\"set_logging_level\":"
                + "{\"level\":1,\"duration\":{\"nanoseconds\":1000000000}}}", OPS).statusCode());
        assertEquals(403, send("POST", "/api/v1", "{\"type\":\"MARK_AGENT_GONE\",\"mark_agent_gone\":"
                + "{\"agent_id\":{\"value\":\"x\"}}}", OPS).statusCode());
    }
}
