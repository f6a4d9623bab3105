package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Mesos's task health checks, run by a real agent for a command task: HTTP, TCP and COMMAND checks report
 * {@code healthy} in TASK_RUNNING updates as it changes; a task that fails {@code consecutive_failures} checks in a
 * row is killed (TASK_KILLED, unhealthy); failures within the grace period, before a first success, do not count;
 * a check that cannot run is refused at launch.
 */
public class HealthCheckTest {

    private static Harness h;
    private static Harness.Scheduler s;

    @BeforeClass
    public static void up() throws Exception {
        h = new Harness();
        h.realAgent(Duration.ofSeconds(60), java.util.Map.of(), "cpus:4;mem:2048;disk:1000");
        s = h.scheduler("health");
        s.autoAcknowledge = true;
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    private static ObjectNode check(String type, double grace) {
        ObjectNode c = Harness.JSON.createObjectNode().put("type", type).put("delay_seconds", 0)
                .put("interval_seconds", 0.2).put("timeout_seconds", 2).put("consecutive_failures", 3)
                .put("grace_period_seconds", grace);
        return c;
    }

    private static HttpResponse<String> launch(String id, String command, ObjectNode check) throws Exception {
        return s.launch(s.freshOffer(), id, t -> {
            t.putObject("command").put("value", command);
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
            t.set("health_check", check);
        });
    }

    /** The task's updates so far, in order. */
    private static List<JsonNode> updates(String id) {
        return s.all("UPDATE").stream().map(e -> e.at("/update/status"))
                .filter(st -> st.at("/task_id/value").asText().equals(id)).toList();
    }

    private static JsonNode awaitUpdate(String id, String state, Boolean healthy) {
        return Awaitility.await(id + " " + state + " healthy=" + healthy).atMost(Duration.ofSeconds(30))
                .until(() -> updates(id).stream().filter(u -> u.path("state").asText().equals(state)
                        && (healthy == null ? !u.has("healthy") : u.has("healthy")
                        && u.path("healthy").asBoolean() == healthy)).findFirst().orElse(null), u -> u != null);
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket p = new java.net.ServerSocket(0)) {
            return p.getLocalPort();
        }
    }

    @Test
    public void anHttpCheckReportsHealthThenKillsTheTaskThatFailsIt() throws Exception {
        int port = freePort();
        ObjectNode c = check("HTTP", 10);
        c.putObject("http").put("port", port).put("path", "/healthy");
        // healthy while the file is served, then it goes: 404, three failures in a row, killed
        assertEquals(202, launch("http-task", "touch healthy; (sleep 3; rm healthy) & exec python3 -m http.server "
                + port + " --bind 127.0.0.1", c).statusCode());
        JsonNode healthy = awaitUpdate("http-task", "TASK_RUNNING", true);
        assertEquals("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", healthy.path("reason").asText());
        awaitUpdate("http-task", "TASK_RUNNING", false);
        JsonNode killed = awaitUpdate("http-task", "TASK_KILLED", false);
        assertTrue(killed.path("message").asText(), killed.path("message").asText().contains("health checks"));
        assertEquals("REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", killed.path("reason").asText());
        // the first TASK_RUNNING, before any check, says nothing of health
        assertFalse(updates("http-task").stream().filter(u -> u.path("state").asText().equals("TASK_RUNNING"))
                .findFirst().orElseThrow().has("healthy"));
    }

    @Test
    public void aTcpCheckOnAClosedPortKillsTheTaskAfterItsFailures() throws Exception {
        ObjectNode open = check("TCP", 10);
        int port = freePort();
        open.putObject("tcp").put("port", port);
        assertEquals(202, launch("tcp-open", "exec python3 -m http.server " + port + " --bind 127.0.0.1", open)
                .statusCode());
        awaitUpdate("tcp-open", "TASK_RUNNING", true);

        ObjectNode closed = check("TCP", 0);
        closed.putObject("tcp").put("port", freePort());
        assertEquals(202, launch("tcp-closed", "sleep 100", closed).statusCode());
        awaitUpdate("tcp-closed", "TASK_RUNNING", false);
        awaitUpdate("tcp-closed", "TASK_KILLED", false);
        // the healthy one is still running, and still healthy
        assertFalse(updates("tcp-open").stream().anyMatch(u -> u.path("healthy").asText().equals("false")));
        s.post(s.call("KILL").set("kill", Harness.JSON.createObjectNode().set("task_id",
                Harness.JSON.createObjectNode().put("value", "tcp-open"))));
    }

    @Test
    public void failuresWithinTheGracePeriodBeforeASuccessDoNotCount() throws Exception {
        ObjectNode c = check("COMMAND", 60);
        c.putObject("command").put("value", "test -f ready");
        assertEquals(202, launch("graceful", "sleep 1.5; touch ready; sleep 100", c).statusCode());
        awaitUpdate("graceful", "TASK_RUNNING", true);
        assertFalse("no unhealthy update while it started", updates("graceful").stream()
                .anyMatch(u -> u.path("healthy").asText().equals("false")));
        s.post(s.call("KILL").set("kill", Harness.JSON.createObjectNode().set("task_id",
                Harness.JSON.createObjectNode().put("value", "graceful"))));
    }

    @Test
    public void aCheckThatCannotRunIsRefusedAtLaunch() throws Exception {
        ObjectNode c = check("HTTP", 10);
        c.putObject("http").put("port", 70000);
        assertEquals(202, launch("bad-check", "sleep 100", c).statusCode());
        JsonNode error = awaitUpdate("bad-check", "TASK_ERROR", null);
        assertTrue(error.path("message").asText(), error.path("message").asText().contains("HealthCheck.http.port"));
    }
}
