package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.protobuf.ProtobufCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The behaviours Mesos's MasterAPITest checks for the operator event stream: SUBSCRIBED with the state, then
 * AGENT_ADDED, FRAMEWORK_ADDED, TASK_ADDED, TASK_UPDATED, FRAMEWORK_REMOVED (operator TEARDOWN), AGENT_REMOVED
 * (MARK_AGENT_GONE) and HEARTBEAT, in JSON and in protobuf.
 */
public class OperatorSubscribeTest {

    private Harness h;

    @Before
    public void start() throws Exception {
        h = new Harness(MasterConfig.defaults().withHeartbeatInterval(Duration.ofMillis(300)));
    }

    @After
    public void stop() throws Exception {
        h.close();
    }

    /** An operator API SUBSCRIBE stream, its events decoded as JSON. */
    private final class OperatorStream implements AutoCloseable {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final HttpResponse<InputStream> response;

        OperatorStream(String accept) throws Exception {
            response = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(h.url("/api/v1")))
                    .header("Content-Type", "application/json").header("Accept", accept)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"SUBSCRIBE\"}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread t = new Thread(() -> {
                try (InputStream in = response.body()) {
                    byte[] rec;
                    while ((rec = io.pangaea.model.json.RecordIo.read(in)) != null) {
                        events.add(Harness.JSON.readTree(accept.equals("application/x-protobuf")
                                ? ProtobufCodec.toJson(ProtobufCodec.Api.MASTER_OPERATOR_EVENTS, rec)
                                : new String(rec, java.nio.charset.StandardCharsets.UTF_8)));
                    }
                } catch (IOException | ProtobufCodec.CodecException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        JsonNode await(String type) {
            return Awaitility.await(type).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> events.stream().filter(e -> e.path("type").asText().equals(type)).findFirst()
                            .orElse(null), x -> x != null);
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    private void lifecycle(String accept) throws Exception {
        try (OperatorStream ops = new OperatorStream(accept)) {
            assertEquals(200, ops.response.statusCode());
            assertEquals(accept, ops.response.headers().firstValue("Content-Type").orElse(""));
            JsonNode subscribed = ops.await("SUBSCRIBED");
            assertTrue(subscribed.toString(), subscribed.at("/subscribed/get_state").isObject());
            assertEquals(0.3, subscribed.at("/subscribed/heartbeat_interval_seconds").asDouble(), 1e-9);

            Harness.Agent agent = h.agent("cpus:2;mem:1024");
            assertEquals(agent.id.value(), ops.await("AGENT_ADDED").at("/agent_added/agent/agent_info/id/value")
                    .asText());
            Harness.Scheduler s = h.scheduler("watched");
            assertEquals(s.frameworkId, ops.await("FRAMEWORK_ADDED")
                    .at("/framework_added/framework/framework_info/id/value").asText());
            s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), "w1");
            JsonNode added = ops.await("TASK_ADDED").at("/task_added/task");
            assertEquals("w1", added.at("/task_id/value").asText());
            assertEquals("TASK_STAGING", added.path("state").asText());
            agent.await(AgentEvent.Type.LAUNCH, e -> true);
            agent.update(s.frameworkId, "w1", TaskState.TASK_RUNNING);
            JsonNode updated = ops.await("TASK_UPDATED").path("task_updated");
            assertEquals("TASK_RUNNING", updated.path("state").asText());
            assertEquals(s.frameworkId, updated.at("/framework_id/value").asText());
            assertEquals("w1", updated.at("/status/task_id/value").asText());

            String teardown = "{\"type\":\"TEARDOWN\",\"teardown\":{\"framework_id\":{\"value\":\"" + s.frameworkId
                    + "\"}}}";
            assertEquals(200, h.postJson("/api/v1", teardown).statusCode());
            assertEquals(s.frameworkId, ops.await("FRAMEWORK_REMOVED")
                    .at("/framework_removed/framework_info/id/value").asText());
            agent.await(AgentEvent.Type.SHUTDOWN_FRAMEWORK, e -> true);
            Awaitility.await("scheduler stream closed").atMost(Duration.ofSeconds(10)).until(() -> s.ended);
            assertEquals(400, h.postJson("/api/v1", teardown).statusCode()); // no longer there

            assertEquals(200, h.postJson("/api/v1", "{\"type\":\"MARK_AGENT_GONE\",\"mark_agent_gone\":"
                    + "{\"agent_id\":{\"value\":\"" + agent.id.value() + "\"}}}").statusCode());
            assertEquals(agent.id.value(), ops.await("AGENT_REMOVED").at("/agent_removed/agent_id/value").asText());
            ops.await("HEARTBEAT");
        }
    }

    @Test
    public void subscribeInJson() throws Exception {
        lifecycle("application/json");
    }

    @Test
    public void subscribeInProtobuf() throws Exception {
        lifecycle("application/x-protobuf");
    }
}
