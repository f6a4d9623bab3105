package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentEvent;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The behaviours Mesos's HttpFaultToleranceTest and MasterTest check for schedulers: failover with a known id,
 * subscribing with an id the master never saw, the failover timeout, and updates that wait for a re-subscribed
 * framework's acknowledgement.
 */
public class FaultToleranceTest {

    private Harness h;

    @Before
    public void start() throws Exception {
        // a scheduler that goes away is seen when its connection closes; a peer that stops answering without
        // closing is seen at the next write to its stream that fails: heartbeats every 200 ms
        h = new Harness(io.pangaea.master.internal.MasterConfig.defaults()
                .withHeartbeatInterval(Duration.ofMillis(200)));
    }

    @After
    public void stop() throws Exception {
        h.close();
    }

    private static ObjectNode withId(ObjectNode subscribe, String id, double failoverTimeout) {
        ObjectNode fi = (ObjectNode) subscribe.at("/subscribe/framework_info");
        if (id != null) {
            fi.putObject("id").put("value", id);
            subscribe.putObject("framework_id").put("value", id);
        }
        fi.put("failover_timeout", failoverTimeout);
        return subscribe;
    }

    @Test
    public void schedulerFailover() throws Exception {
        h.agent("cpus:2;mem:1024");
        Harness.Scheduler first = h.scheduler(withId(Harness.subscribe("failover"), null, 60));
        JsonNode offer = first.awaitType("OFFERS").at("/offers/offers/0");
        Harness.Scheduler second = h.scheduler(withId(Harness.subscribe("failover"), first.frameworkId, 60));
        assertEquals(200, second.response.statusCode());
        assertEquals(first.frameworkId, second.frameworkId);
        JsonNode error = first.awaitType("ERROR");
        assertEquals("Framework failed over", error.at("/error/message").asText());
        Awaitility.await("old stream closed").atMost(Duration.ofSeconds(10)).until(() -> first.ended);
        // the outstanding offer went with the old stream; the new one gets the resources again
        JsonNode again = second.awaitType("OFFERS").at("/offers/offers/0");
        assertFalse(again.at("/id/value").asText().equals(offer.at("/id/value").asText()));
        // the old stream id no longer works, the new one does
        assertEquals(400, h.postJson("/api/v1/scheduler", second.call("REVIVE").toString(),
                "Mesos-Stream-Id", first.streamId).statusCode());
        assertEquals(202, second.post(second.call("REVIVE")).statusCode());
    }

    @Test
    public void subscribeWithAnIdTheMasterNeverSaw() throws Exception {
        Harness.Scheduler s = h.scheduler(withId(Harness.subscribe("chosen-id"), "my-own-id", 0));
        assertEquals(200, s.response.statusCode());
        assertEquals("my-own-id", s.frameworkId);
        assertTrue(h.get("/master/frameworks").body().contains("my-own-id"));
    }

    @Test
    public void frameworkFailoverTimeout() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler(withId(Harness.subscribe("timeout"), null, 0.5));
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        assertEquals(202, s.launch(offer, "t1").statusCode());
        agent.await(AgentEvent.Type.LAUNCH, e -> e.launch().task().taskId().value().equals("t1"));
        agent.update(s.frameworkId, "t1", TaskState.TASK_RUNNING);
        s.update("t1", "TASK_RUNNING");
        s.close(); // disconnect: the failover timer starts
        // when it fires the framework is removed and its tasks are shut down on the agent
        agent.await(AgentEvent.Type.SHUTDOWN_FRAMEWORK, e -> e.shutdownFramework().frameworkId().value()
                .equals(s.frameworkId));
        Awaitility.await("framework completed").atMost(Duration.ofSeconds(10)).until(() ->
                h.state().path("completed_frameworks").toString().contains(s.frameworkId));
        // and a later SUBSCRIBE with its id gets an ERROR
        Harness.Scheduler late = h.scheduler(withId(Harness.subscribe("timeout"), s.frameworkId, 0.5));
        JsonNode error = late.awaitType("ERROR");
        assertEquals("Framework has been removed", error.at("/error/message").asText());
    }

    @Test
    public void unacknowledgedUpdatesAreDeliveredToTheResubscribedFramework() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler(withId(Harness.subscribe("resend"), null, 60));
        assertEquals(202, s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), "t2").statusCode());
        agent.await(AgentEvent.Type.LAUNCH, e -> e.launch().task().taskId().value().equals("t2"));
        agent.update(s.frameworkId, "t2", TaskState.TASK_RUNNING);
        s.update("t2", "TASK_RUNNING"); // not acknowledged
        s.close();
        Harness.Scheduler back = h.scheduler(withId(Harness.subscribe("resend"), s.frameworkId, 60));
        // the agent resends what is not acknowledged (the master forwards it to the new stream)
        agent.update(back.frameworkId, "t2", TaskState.TASK_RUNNING);
        JsonNode u = back.update("t2", "TASK_RUNNING");
        assertTrue(u.at("/update/status/uuid").isTextual());
    }

    @Test
    public void teardownShutsTheFrameworkDownOnItsAgents() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("teardown");
        assertEquals(202, s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), "t3").statusCode());
        agent.await(AgentEvent.Type.LAUNCH, e -> true);
        assertEquals(202, s.post(s.call("TEARDOWN")).statusCode());
        agent.await(AgentEvent.Type.SHUTDOWN_FRAMEWORK, e -> e.shutdownFramework().frameworkId().value()
                .equals(s.frameworkId));
        Awaitility.await("stream closed").atMost(Duration.ofSeconds(10)).until(() -> s.ended);
    }
}
