package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.protobuf.ProtobufCodec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The operator reads a protobuf client gets with parts kept encoded (GET_STATE, GET_AGENTS, GET_TASKS: each agent and
 * task encoded once, while it does not change) are the very messages the same read's JSON converts to, and they
 * follow the agents' changes.
 */
public class ProtobufReadsTest {

    private static Harness h;
    private static Harness.Agent first;
    private static Harness.Agent second;

    @BeforeClass
    public static void scenario() throws Exception {
        h = new Harness();
        first = h.agent("cpus:2;mem:1024;ports:[31000-32000]");
        second = h.agent("cpus:4;mem:2048;disk:1000");
        var subscribe = Harness.subscribe("protobuf-reads", "MULTI_ROLE");
        ((com.fasterxml.jackson.databind.node.ObjectNode) subscribe.at("/subscribe/framework_info"))
                .putArray("roles").add("*");
        Harness.Scheduler s = h.scheduler(subscribe);
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        s.launch(offer, "t1");
        Harness.Agent on = offer.at("/agent_id/value").asText().equals(first.id.value()) ? first : second;
        on.await(AgentEvent.Type.LAUNCH, e -> e.launch().task().taskId().value().equals("t1"));
        on.update(s.frameworkId, "t1", TaskState.TASK_RUNNING);
        s.update("t1", "TASK_RUNNING");
    }

    @AfterClass
    public static void stop() throws Exception {
        h.close();
    }

    /** The read in protobuf, decoded, and the read in JSON converted to protobuf and decoded the same way. */
    private static void sameAsJson(String type) {
        Awaitility.await(type + " in protobuf as in JSON").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> json = h.postJson("/api/v1", "{\"type\":\"" + type + "\"}");
            assertEquals(json.body(), 200, json.statusCode());
            JsonNode expected = Harness.JSON.readTree(ProtobufCodec.toJson(ProtobufCodec.Api.MASTER_OPERATOR,
                    ProtobufCodec.toProtobuf(ProtobufCodec.Api.MASTER_OPERATOR,
                            json.body().getBytes(StandardCharsets.UTF_8))));
            assertEquals(type, expected, protobuf(type));
        });
    }

    private static JsonNode protobuf(String type) throws Exception {
        HttpResponse<byte[]> pb = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(h.url("/api/v1")))
                .header("Content-Type", "application/json").header("Accept", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"" + type + "\"}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, pb.statusCode());
        return Harness.JSON.readTree(ProtobufCodec.toJson(ProtobufCodec.Api.MASTER_OPERATOR, pb.body()));
    }

    @Test
    public void encodedReadsAreTheMessagesOfTheirJson() throws Exception {
        sameAsJson("GET_STATE");
        sameAsJson("GET_AGENTS");
        sameAsJson("GET_TASKS");
        JsonNode state = protobuf("GET_STATE").path("get_state");
        assertEquals(2, state.at("/get_agents/agents").size());
        assertEquals(1, state.at("/get_tasks/tasks").size());
        assertEquals("protobuf-reads", state.at("/get_frameworks/frameworks/0/framework_info/name").asText());
    }

    @Test
    public void anEncodedAgentFollowsItsChanges() throws Exception {
        sameAsJson("GET_AGENTS"); // its agents are encoded now, and kept
        String id = second.id.value();
        String call = "{\"type\":\"%s\",\"%s\":{\"agent_id\":{\"value\":\"" + id + "\"}}}";
        assertEquals(200, h.postJson("/api/v1", String.format(call, "DEACTIVATE_AGENT", "deactivate_agent"))
                .statusCode());
        try {
            sameAsJson("GET_AGENTS");
            sameAsJson("GET_STATE");
            boolean found = false;
            for (JsonNode a : protobuf("GET_AGENTS").at("/get_agents/agents")) {
                if (a.at("/agent_info/id/value").asText().equals(id)) {
                    assertTrue("deactivated: " + a, a.path("deactivated").asBoolean());
                    found = true;
                }
            }
            assertTrue(found);
        } finally {
            assertEquals(200, h.postJson("/api/v1", String.format(call, "REACTIVATE_AGENT", "reactivate_agent"))
                    .statusCode());
        }
        sameAsJson("GET_AGENTS");
    }
}
