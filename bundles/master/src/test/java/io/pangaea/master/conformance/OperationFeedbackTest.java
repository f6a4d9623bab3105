package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Offer operations with an id get status updates (Mesos's operation feedback): OPERATION_FINISHED with the converted
 * resources to acknowledge, OPERATION_ERROR for one that was not applied, resent to a re-subscribed framework until
 * acknowledged, answered by RECONCILE_OPERATIONS and listed by GET_OPERATIONS; counted under Mesos's
 * {@code master/operations/*} metrics.
 */
public class OperationFeedbackTest {

    private Harness h;

    @Before
    public void setUp() throws Exception {
        h = new Harness();
        h.agent("cpus:2;mem:1024");
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    private static ObjectNode webFramework(String id) {
        ObjectNode sub = Harness.subscribe("ops");
        ObjectNode fi = (ObjectNode) sub.at("/subscribe/framework_info");
        fi.put("role", "web").put("failover_timeout", 60.0);
        if (id != null) {
            fi.putObject("id").put("value", id);
            sub.putObject("framework_id").put("value", id);
        }
        return sub;
    }

    private static ObjectNode reserve(String opId, double cpus) {
        ObjectNode op = Harness.JSON.createObjectNode().put("type", "RESERVE");
        if (opId != null) {
            op.putObject("id").put("value", opId);
        }
        ObjectNode r = op.putObject("reserve").putArray("resources").addObject().put("name", "cpus")
                .put("type", "SCALAR");
        r.putObject("scalar").put("value", cpus);
        r.putArray("reservations").addObject().put("type", "DYNAMIC").put("role", "web");
        return op;
    }

    private static int accept(Harness.Scheduler s, JsonNode offer, ObjectNode... ops) throws Exception {
        return s.accept(offer, ops).statusCode();
    }

    private static JsonNode opStatus(Harness.Scheduler s, String opId, String state) {
        return s.await(opId + " " + state, e -> e.path("type").asText().equals("UPDATE_OPERATION_STATUS")
                && e.at("/update_operation_status/status/operation_id/value").asText().equals(opId)
                && e.at("/update_operation_status/status/state").asText().equals(state))
                .at("/update_operation_status/status");
    }

    private double metric(String name) throws Exception {
        return Harness.JSON.readTree(h.get("/metrics/snapshot").body()).path(name).asDouble(-1);
    }

    private JsonNode operations() throws Exception {
        return Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_OPERATIONS\"}").body())
                .at("/get_operations/operations");
    }

    @Test
    public void operationWithIdIsFinishedThenAcknowledged() throws Exception {
        Harness.Scheduler s = h.scheduler(webFramework(null));
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        assertEquals(202, accept(s, offer, reserve("reserve-1", 1)));
        JsonNode finished = opStatus(s, "reserve-1", "OPERATION_FINISHED");
        assertEquals(offer.at("/agent_id/value").asText(), finished.at("/agent_id/value").asText());
        assertEquals("web", finished.at("/converted_resources/0/reservations/0/role").asText());
        assertEquals(1.0, finished.at("/converted_resources/0/scalar/value").asDouble(), 0.0);
        String uuid = finished.at("/uuid/value").asText();
        assertFalse(uuid.isEmpty());
        assertEquals(1, operations().size());
        assertEquals("reserve-1", operations().at("/0/info/id/value").asText());
        assertEquals(1.0, metric("master/operations/reserve/finished"), 0.0);
        assertEquals(1.0, metric("master/operations/finished"), 0.0);
        // the reservation was written to the registry before it was answered
        assertTrue(metric("registrar/state_store_ms/count") >= 1);
        assertTrue(metric("registrar/state_store_ms/max") >= metric("registrar/state_store_ms/min"));
        assertEquals((double) java.nio.file.Files.size(h.registry), metric("registrar/registry_size_bytes"), 0.0);
        assertEquals(1.0, metric(
                "master/frameworks/ops/" + s.frameworkId + "/events/update_operation_status"), 0.0);

        ObjectNode wrong = s.call("ACKNOWLEDGE_OPERATION_STATUS");
        wrong.putObject("acknowledge_operation_status").put("uuid", java.util.Base64.getEncoder()
                .encodeToString(new byte[16])).putObject("operation_id").put("value", "reserve-1");
        ((ObjectNode) wrong.get("acknowledge_operation_status")).set("agent_id", offer.get("agent_id"));
        assertEquals(202, s.post(wrong).statusCode());
        assertEquals(1.0, metric("master/invalid_operation_status_update_acknowledgements"), 0.0);
        assertEquals(1, operations().size());

        ObjectNode ack = s.call("ACKNOWLEDGE_OPERATION_STATUS");
        ack.putObject("acknowledge_operation_status").put("uuid", uuid).putObject("operation_id")
                .put("value", "reserve-1");
        ((ObjectNode) ack.get("acknowledge_operation_status")).set("agent_id", offer.get("agent_id"));
        assertEquals(202, s.post(ack).statusCode());
        org.awaitility.Awaitility.await("acknowledged").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> operations().isEmpty());
        assertEquals(1.0, metric("master/valid_operation_status_update_acknowledgements"), 0.0);
    }

    @Test
    public void operationThatCannotBeAppliedGetsOperationError() throws Exception {
        Harness.Scheduler s = h.scheduler(webFramework(null));
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        ObjectNode launch = Harness.JSON.createObjectNode().put("type", "LAUNCH");
        launch.putObject("id").put("value", "launch-op");
        ObjectNode t = launch.putObject("launch").putArray("task_infos").addObject().put("name", "t");
        t.putObject("task_id").put("value", "t-with-op-id");
        t.set("agent_id", offer.get("agent_id"));
        t.putObject("command").put("value", "true");
        t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                .put("value", 0.1);
        assertEquals(202, accept(s, offer, reserve("too-much", 64), reserve("reserve-ok", 1),
                reserve("reserve-ok", 0.5), launch));
        JsonNode error = opStatus(s, "too-much", "OPERATION_ERROR");
        assertTrue(error.path("message").asText(), error.path("message").asText().contains("not in the offer"));
        assertTrue(error.path("uuid").isMissingNode());
        opStatus(s, "reserve-ok", "OPERATION_FINISHED");
        assertTrue(opStatus(s, "reserve-ok", "OPERATION_ERROR").path("message").asText().contains("already in use"));
        assertTrue(opStatus(s, "launch-op", "OPERATION_ERROR").path("message").asText().contains("LAUNCH"));
        s.update("t-with-op-id", "TASK_ERROR");
        assertEquals(2.0, metric("master/operations/error"), 0.0);
        assertEquals(2.0, metric("master/operations/reserve/error"), 0.0);
        assertEquals(1.0, metric("master/operations/reserve/finished"), 0.0);
        // only the applied one is tracked
        assertEquals(1, operations().size());
    }

    @Test
    public void unacknowledgedStatusIsResentAfterFailoverAndReconciled() throws Exception {
        Harness.Scheduler first = h.scheduler(webFramework(null));
        JsonNode offer = first.awaitType("OFFERS").at("/offers/offers/0");
        assertEquals(202, accept(first, offer, reserve("op-a", 1)));
        String uuid = opStatus(first, "op-a", "OPERATION_FINISHED").at("/uuid/value").asText();

        Harness.Scheduler second = h.scheduler(webFramework(first.frameworkId));
        JsonNode again = opStatus(second, "op-a", "OPERATION_FINISHED");
        assertEquals(uuid, again.at("/uuid/value").asText());

        int from = second.events.size();
        ObjectNode reconcile = second.call("RECONCILE_OPERATIONS");
        var ops = reconcile.putObject("reconcile_operations").putArray("operations");
        ops.addObject().putObject("operation_id").put("value", "op-a");
        ObjectNode unknown = ops.addObject();
        unknown.putObject("operation_id").put("value", "never-seen");
        unknown.set("agent_id", offer.get("agent_id"));
        assertEquals(202, second.post(reconcile).statusCode());
        JsonNode known = second.next("UPDATE_OPERATION_STATUS", from).at("/update_operation_status/status");
        assertEquals("op-a", known.at("/operation_id/value").asText());
        assertEquals("OPERATION_FINISHED", known.path("state").asText());
        assertTrue("reconciliation carries no uuid", known.path("uuid").isMissingNode());
        assertEquals("OPERATION_UNKNOWN", opStatus(second, "never-seen", "OPERATION_UNKNOWN").path("state").asText());

        // implicit reconciliation: every tracked operation
        int before = second.all("UPDATE_OPERATION_STATUS").size();
        ObjectNode implicit = second.call("RECONCILE_OPERATIONS");
        implicit.putObject("reconcile_operations");
        assertEquals(202, second.post(implicit).statusCode());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> second.all("UPDATE_OPERATION_STATUS").size() == before + 1);
    }
}
