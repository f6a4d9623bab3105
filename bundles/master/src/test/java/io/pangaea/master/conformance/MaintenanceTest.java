package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.protobuf.ProtobufCodec;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Mesos's maintenance primitives: a schedule puts a machine in DRAINING, frameworks with work on it get inverse
 * offers and answer them, START_MAINTENANCE takes it down (its agent is removed and may not register again) and
 * STOP_MAINTENANCE brings it back; the same through the legacy endpoints; bad requests change nothing.
 */
public class MaintenanceTest {

    private static final String MACHINE = "{\"hostname\":\"localhost\"}";
    private Harness h;

    @Before
    public void setUp() throws Exception {
        h = new Harness();
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    private static String schedule(String machines) {
        long start = (System.currentTimeMillis() + 3_600_000L) * 1_000_000L;
        return "{\"windows\":[{\"machine_ids\":[" + machines + "],\"unavailability\":{\"start\":{\"nanoseconds\":"
                + start + "},\"duration\":{\"nanoseconds\":3600000000000}}}]}";
    }

    private JsonNode call(String type, String field, String body) throws Exception {
        HttpResponse<String> r = h.postJson("/api/v1", "{\"type\":\"" + type + "\"" + (field == null ? ""
                : ",\"" + field + "\":" + body) + "}");
        assertEquals(r.body(), 200, r.statusCode());
        return r.body().isEmpty() ? null : Harness.JSON.readTree(r.body());
    }

    private HttpResponse<String> bad(String type, String field, String body) throws Exception {
        return h.postJson("/api/v1", "{\"type\":\"" + type + "\",\"" + field + "\":" + body + "}");
    }

    @Test
    public void drainDownAndUpWithInverseOffers() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("serving");
        s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), "t1");
        agent.await(AgentEvent.Type.LAUNCH, e -> true);
        agent.update(s.frameworkId, "t1", TaskState.TASK_RUNNING);
        s.update("t1", "TASK_RUNNING");

        call("UPDATE_MAINTENANCE_SCHEDULE", "update_maintenance_schedule", "{\"schedule\":" + schedule(MACHINE)
                + "}");
        JsonNode scheduled = call("GET_MAINTENANCE_SCHEDULE", null, null);
        assertEquals("localhost", scheduled.at("/get_maintenance_schedule/schedule/windows/0/machine_ids/0/hostname")
                .asText());
        // the framework with work there is asked to give the agent back
        JsonNode inverse = s.awaitType("INVERSE_OFFERS").at("/inverse_offers/inverse_offers/0");
        assertEquals(agent.id.value(), inverse.at("/agent_id/value").asText());
        assertTrue(inverse.at("/unavailability/start/nanoseconds").asLong() > 0);
        // offers from the draining machine say when it goes away: what the framework holds, declined, comes back
        // with the unavailability
        List<JsonNode> held = s.all("OFFERS");
        int from = s.events.size();
        var decline = s.call("DECLINE");
        var d = decline.putObject("decline");
        held.forEach(e -> e.at("/offers/offers").forEach(o -> d.withArray("offer_ids").add(o.get("id"))));
        d.putObject("filters").put("refuse_seconds", 0);
        assertEquals(202, s.post(decline).statusCode());
        assertTrue(s.next("OFFERS", from).at("/offers/offers/0/unavailability/start/nanoseconds").asLong() > 0);
        JsonNode status = call("GET_MAINTENANCE_STATUS", null, null).at("/get_maintenance_status/status");
        assertEquals("UNKNOWN", status.at("/draining_machines/0/statuses/0/status").asText());
        JsonNode no = s.call("DECLINE_INVERSE_OFFERS");
        no.withObject("/decline_inverse_offers").putArray("inverse_offer_ids").add(inverse.get("id"));
        assertEquals(202, s.post(no).statusCode());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "DECLINE".equals(call("GET_MAINTENANCE_STATUS",
                null, null).at("/get_maintenance_status/status/draining_machines/0/statuses/0/status").asText()));
        // in protobuf too: the status decodes as Mesos's own Response
        HttpResponse<byte[]> pb = Harness.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                h.url("/api/v1"))).header("Content-Type", "application/json").header("Accept",
                "application/x-protobuf").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"type\":\"GET_MAINTENANCE_STATUS\"}")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, pb.statusCode());
        assertTrue(ProtobufCodec.toJson(ProtobufCodec.Api.MASTER_OPERATOR, pb.body()).contains("DECLINE"));

        // down: the agent goes, its task is lost, and it may not come back while the machine is down
        call("START_MAINTENANCE", "start_maintenance", "{\"machines\":[" + MACHINE + "]}");
        assertEquals("TASK_LOST", s.update("t1", "TASK_LOST").at("/update/status/state").asText());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Harness.JSON.readTree(h.get("/master/slaves")
                .body()).path("slaves").isEmpty());
        assertEquals("localhost", call("GET_MAINTENANCE_STATUS", null, null)
                .at("/get_maintenance_status/status/down_machines/0/hostname").asText());
        Harness.Agent refused = h.new Agent();
        h.master.subscribeAgent(new AgentCall.Subscribe(new AgentInfo("localhost", 5051,
                Resources.parse("cpus:1").toList(), List.of(), agent.id), List.of(), List.of(), List.of(), "t",
                List.of()), refused);
        refused.await(AgentEvent.Type.ERROR, e -> e.error().message().contains("down for maintenance"));

        // up: out of the schedule, and the agent registers again
        call("STOP_MAINTENANCE", "stop_maintenance", "{\"machines\":[" + MACHINE + "]}");
        assertTrue(call("GET_MAINTENANCE_SCHEDULE", null, null).at("/get_maintenance_schedule/schedule/windows")
                .isEmpty());
        h.agent("cpus:1;mem:128");
    }

    @Test
    public void badRequestsSayWhyAndChangeNothing() throws Exception {
        h.agent("cpus:1;mem:128");
        HttpResponse<String> empty = bad("UPDATE_MAINTENANCE_SCHEDULE", "update_maintenance_schedule",
                "{\"schedule\":" + schedule("") + "}");
        assertEquals(400, empty.statusCode());
        assertTrue(empty.body(), empty.body().contains("List of machines in the maintenance window is empty"));
        HttpResponse<String> twice = bad("UPDATE_MAINTENANCE_SCHEDULE", "update_maintenance_schedule",
                "{\"schedule\":" + schedule(MACHINE + "," + MACHINE) + "}");
        assertEquals(400, twice.statusCode());
        assertTrue(twice.body(), twice.body().contains("appears more than once"));
        HttpResponse<String> notScheduled = bad("START_MAINTENANCE", "start_maintenance",
                "{\"machines\":[" + MACHINE + "]}");
        assertEquals(400, notScheduled.statusCode());
        assertTrue(notScheduled.body(), notScheduled.body().contains("is not in DRAINING mode"));
        HttpResponse<String> notDown = bad("STOP_MAINTENANCE", "stop_maintenance", "{\"machines\":[" + MACHINE + "]}");
        assertEquals(400, notDown.statusCode());
        assertTrue(notDown.body(), notDown.body().contains("is not in DOWN mode"));
        HttpResponse<String> noName = bad("START_MAINTENANCE", "start_maintenance", "{\"machines\":[{}]}");
        assertEquals(400, noName.statusCode());
        assertTrue(noName.body(), noName.body().contains("both 'hostname' and 'ip' for a machine are empty"));
        assertTrue(call("GET_MAINTENANCE_SCHEDULE", null, null).at("/get_maintenance_schedule/schedule/windows")
                .isEmpty());
        // a machine that is down stays in the schedule until it is up
        call("UPDATE_MAINTENANCE_SCHEDULE", "update_maintenance_schedule", "{\"schedule\":" + schedule(MACHINE)
                + "}");
        call("START_MAINTENANCE", "start_maintenance", "{\"machines\":[" + MACHINE + "]}");
        HttpResponse<String> dropDown = bad("UPDATE_MAINTENANCE_SCHEDULE", "update_maintenance_schedule",
                "{\"schedule\":{\"windows\":[]}}");
        assertEquals(400, dropDown.statusCode());
        assertTrue(dropDown.body(), dropDown.body().contains("cannot be removed from the schedule"));
    }

    @Test
    public void theLegacyEndpoints() throws Exception {
        h.agent("cpus:1;mem:128");
        byte[] schedule = schedule(MACHINE).getBytes(StandardCharsets.UTF_8);
        assertEquals(200, h.post("/master/maintenance/schedule", schedule).statusCode());
        assertEquals("localhost", Harness.JSON.readTree(h.get("/master/maintenance/schedule").body())
                .at("/windows/0/machine_ids/0/hostname").asText());
        byte[] machines = ("[" + MACHINE + "]").getBytes(StandardCharsets.UTF_8);
        assertEquals(200, h.post("/master/machine/down", machines).statusCode());
        assertEquals("localhost", Harness.JSON.readTree(h.get("/master/maintenance/status").body())
                .at("/down_machines/0/hostname").asText());
        assertEquals(200, h.post("/master/machine/up", machines).statusCode());
        assertTrue(Harness.JSON.readTree(h.get("/master/maintenance/status").body()).path("down_machines")
                .isEmpty());
        assertEquals(405, h.get("/master/machine/down").statusCode());
        HttpResponse<String> junk = h.post("/master/machine/up", "[{".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, junk.statusCode());
    }
}
