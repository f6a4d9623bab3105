package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.ExecutorTokens;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * authenticate_http_executors on a real agent: a custom executor gets its token in
 * MESOS_EXECUTOR_AUTHENTICATION_TOKEN and runs its task with it; a call without a token gets 401 with the executor
 * realm, and a call that carries another executor's token gets 403.
 */
public class ExecutorTokenTest {

    private static Harness h;
    private static Harness.RealAgent agent;
    private static Harness.Scheduler s;

    @BeforeClass
    public static void up() throws Exception {
        h = new Harness();
        h.executorTokens = new ExecutorTokens("the agent's executor secret".getBytes(StandardCharsets.UTF_8));
        agent = h.realAgent(Duration.ofSeconds(60));
        s = h.scheduler("tokens");
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    private static HttpResponse<String> heartbeat(String frameworkId, String executorId, String token)
            throws Exception {
        ObjectNode call = Harness.JSON.createObjectNode().put("type", "HEARTBEAT");
        call.putObject("framework_id").put("value", frameworkId);
        call.putObject("executor_id").put("value", executorId);
        return token == null
                ? agent.post("/api/v1/executor", call.toString().getBytes(StandardCharsets.UTF_8), "Content-Type",
                        "application/json")
                : agent.post("/api/v1/executor", call.toString().getBytes(StandardCharsets.UTF_8), "Content-Type",
                        "application/json", "Authorization", "Bearer " + token);
    }

    @Test
    public void anExecutorRunsWithItsTokenAndNoOtherCallerSpeaksForIt() throws Exception {
        JsonNode offer = s.freshOffer();
        ObjectNode launch = Harness.JSON.createObjectNode().put("type", "LAUNCH");
        ObjectNode task = ExecutorHttpApiTest.task("tok-1", "wait", ExecutorHttpApiTest.javaExecutor("e-tok"));
        task.set("agent_id", offer.get("agent_id"));
        launch.putObject("launch").putArray("task_infos").add(task);
        assertEquals(202, s.accept(offer, launch).statusCode());
        JsonNode running = s.update("tok-1", "TASK_RUNNING").at("/update/status");
        JsonNode env = Harness.JSON.readTree(new String(Base64.getDecoder().decode(running.path("data").asText()),
                StandardCharsets.UTF_8));
        String token = env.path("MESOS_EXECUTOR_AUTHENTICATION_TOKEN").asText();
        assertTrue("the executor got a token", token.split("\\.").length == 3);
        ExecutorTokens.Claims claims = h.executorTokens.verify(token);
        assertEquals(s.frameworkId, claims.frameworkId());
        assertEquals("e-tok", claims.executorId());

        HttpResponse<String> none = heartbeat(s.frameworkId, "e-tok", null);
        assertEquals(none.body(), 401, none.statusCode());
        assertEquals("Bearer realm=\"mesos-agent-executor\"", none.headers().firstValue("WWW-Authenticate")
                .orElse(""));
        assertEquals(401, heartbeat(s.frameworkId, "e-tok", token + "x").statusCode());
        String forged = new ExecutorTokens("another agent's secret".getBytes(StandardCharsets.UTF_8))
                .issue(s.frameworkId, "e-tok", claims.containerId());
        assertEquals(401, heartbeat(s.frameworkId, "e-tok", forged).statusCode());

        HttpResponse<String> other = heartbeat(s.frameworkId, "e-other", token);
        assertEquals(other.body(), 403, other.statusCode());
        assertTrue(other.body(), other.body().contains("e-tok"));
        assertEquals(403, heartbeat("another-framework", "e-tok", token).statusCode());

        assertEquals(202, heartbeat(s.frameworkId, "e-tok", token).statusCode());
    }
}
