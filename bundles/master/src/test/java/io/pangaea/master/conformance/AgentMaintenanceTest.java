package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentEvent;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The behaviours Mesos's MasterDrainingTest and the operator API tests check: DEACTIVATE_AGENT stops offers from an
 * agent and REACTIVATE_AGENT resumes them; DRAIN_AGENT kills the agent's tasks within the grace period, reports
 * DRAINING then DRAINED, and with mark_gone removes the agent.
 */
public class AgentMaintenanceTest {

    private Harness h;

    @Before
    public void start() throws Exception {
        h = new Harness();
    }

    @After
    public void stop() throws Exception {
        h.close();
    }

    private static String agentCall(String type, String field, Harness.Agent a, String extra) {
        return "{\"type\":\"" + type + "\",\"" + field + "\":{\"agent_id\":{\"value\":\"" + a.id.value() + "\"}"
                + extra + "}}";
    }

    private JsonNode agentInfo() throws Exception {
        return Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_AGENTS\"}").body())
                .at("/get_agents/agents/0");
    }

    @Test
    public void deactivateStopsOffersAndReactivateResumesThem() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("maintenance");
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        int from = s.events.size();
        assertEquals(200, h.postJson("/api/v1", agentCall("DEACTIVATE_AGENT", "deactivate_agent", agent, ""))
                .statusCode());
        assertEquals(offer.at("/id/value").asText(), s.next("RESCIND", from).at("/rescind/offer_id/value").asText());
        assertTrue(agentInfo().path("deactivated").asBoolean());
        JsonNode metrics = Harness.JSON.readTree(h.get("/metrics/snapshot").body());
        assertEquals(1.0, metrics.path("master/slaves_inactive").asDouble(), 0);
        assertEquals(0.0, metrics.path("master/slaves_active").asDouble(), 0);
        JsonNode masterState = h.state();
        assertEquals(1.0, masterState.path("deactivated_slaves").asDouble(), 0);
        assertEquals(0.0, masterState.path("activated_slaves").asDouble(), 0);
        h.assertNoOffers(s, from);
        from = s.events.size();
        assertEquals(200, h.postJson("/api/v1", agentCall("REACTIVATE_AGENT", "reactivate_agent", agent, ""))
                .statusCode());
        assertEquals(agent.id.value(), s.next("OFFERS", from).at("/offers/offers/0/agent_id/value").asText());
        assertFalse(agentInfo().path("deactivated").asBoolean());
        assertEquals(0.0, h.state().path("deactivated_slaves").asDouble(), 0);
        assertEquals(0.0, Harness.JSON.readTree(h.get("/metrics/snapshot").body()).path("master/slaves_inactive")
                .asDouble(), 0);
        assertEquals(404, h.postJson("/api/v1", "{\"type\":\"DEACTIVATE_AGENT\",\"deactivate_agent\":{\"agent_id\":"
                + "{\"value\":\"nowhere\"}}}").statusCode());
    }

    @Test
    public void drainKillsTheTasksWithinTheGracePeriodThenMarksTheAgentGone() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("drained", "PARTITION_AWARE");
        s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), "d1");
        agent.await(AgentEvent.Type.LAUNCH, e -> true);
        agent.update(s.frameworkId, "d1", TaskState.TASK_RUNNING);
        s.update("d1", "TASK_RUNNING");

        var drained = h.postJson("/api/v1", agentCall("DRAIN_AGENT", "drain_agent", agent,
                ",\"max_grace_period\":{\"seconds\":2},\"mark_gone\":true"));
        assertEquals(drained.body(), 200, drained.statusCode());
        AgentEvent kill = agent.await(AgentEvent.Type.KILL, e -> e.kill().taskId().value().equals("d1"));
        assertEquals(2_000_000_000L, kill.kill().killPolicy().gracePeriod().nanoseconds());
        JsonNode info = agentInfo();
        assertTrue(info.path("deactivated").asBoolean());
        assertEquals("DRAINING", info.at("/drain_info/state").asText());
        assertTrue(info.at("/drain_info/config/mark_gone").asBoolean());

        agent.update(s.frameworkId, "d1", TaskState.TASK_KILLED);
        s.update("d1", "TASK_KILLED");
        // drained and marked gone: the agent is told and removed
        agent.await(AgentEvent.Type.ERROR, e -> e.error().message().contains("marked gone"));
        Awaitility.await("agent removed").atMost(Duration.ofSeconds(10)).until(() ->
                Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_AGENTS\"}").body())
                        .at("/get_agents/agents").isEmpty());
    }

    @Test
    public void drainWithoutMarkGoneEndsDrained() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        assertEquals(200, h.postJson("/api/v1", agentCall("DRAIN_AGENT", "drain_agent", agent, "")).statusCode());
        assertEquals("DRAINED", agentInfo().at("/drain_info/state").asText());
        assertEquals(200, h.postJson("/api/v1", agentCall("REACTIVATE_AGENT", "reactivate_agent", agent, ""))
                .statusCode());
        assertTrue(agentInfo().path("drain_info").isMissingNode());
        assertEquals(400, h.postJson("/api/v1", "{\"type\":\"DRAIN_AGENT\",\"drain_agent\":{}}").statusCode());
    }

    @Test
    public void drainInProtobufCarriesItsGracePeriod() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("drained-pb");
        s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), "p1");
        agent.await(AgentEvent.Type.LAUNCH, e -> true);
        agent.update(s.frameworkId, "p1", TaskState.TASK_RUNNING);
        s.update("p1", "TASK_RUNNING");
        var call = org.apache.mesos.v1.master.Protos.Call.newBuilder()
                .setType(org.apache.mesos.v1.master.Protos.Call.Type.DRAIN_AGENT)
                .setDrainAgent(org.apache.mesos.v1.master.Protos.Call.DrainAgent.newBuilder()
                        .setAgentId(org.apache.mesos.v1.Protos.AgentID.newBuilder().setValue(agent.id.value()))
                        .setMaxGracePeriod(com.google.protobuf.Duration.newBuilder().setSeconds(1).setNanos(500_000_000)))
                .build();
        var r = h.post("/api/v1", call.toByteArray(), "Content-Type", "application/x-protobuf",
                "Accept", "application/x-protobuf");
        assertEquals(r.body(), 200, r.statusCode());
        AgentEvent kill = agent.await(AgentEvent.Type.KILL, e -> e.kill().taskId().value().equals("p1"));
        assertEquals(1_500_000_000L, kill.kill().killPolicy().gracePeriod().nanoseconds());
        assertEquals(1, agentInfo().at("/drain_info/config/max_grace_period/seconds").asLong());
        assertEquals(400, h.postJson("/api/v1", agentCall("DRAIN_AGENT", "drain_agent", agent,
                ",\"max_grace_period\":\"soon\"")).statusCode());
    }
}
