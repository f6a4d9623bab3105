package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentEvent;
import java.time.Duration;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The behaviours Mesos's ReconciliationTest and PartitionTest check: implicit and explicit reconciliation, the
 * answers for unknown tasks on unknown, registered, unreachable and gone agents, for partition-aware frameworks
 * and the others; agents that become unreachable and come back; MARK_AGENT_GONE.
 */
public class ReconciliationTest {

    private Harness h;

    @Before
    public void start() throws Exception {
        h = new Harness(MasterConfig.defaults().withHeartbeatInterval(Duration.ofMillis(200))
                .withAgentUnreachableTimeout(Duration.ofMillis(300)));
    }

    @After
    public void stop() throws Exception {
        h.close();
    }

    private static ObjectNode reconcile(Harness.Scheduler s, String taskId, String agentId) {
        ObjectNode r = s.call("RECONCILE");
        ArrayNodeBuilder.tasks(r, taskId, agentId);
        return r;
    }

    /** Helper for the reconcile body. */
    private static final class ArrayNodeBuilder {
        static void tasks(ObjectNode call, String taskId, String agentId) {
            ObjectNode t = call.putObject("reconcile").putArray("tasks").addObject();
            t.putObject("task_id").put("value", taskId);
            if (agentId != null) {
                t.putObject("agent_id").put("value", agentId);
            }
        }
    }

    private static JsonNode answerFor(Harness.Scheduler s, String taskId, int from) {
        return s.await("reconciliation of " + taskId, e -> s.events.indexOf(e) >= from
                && e.path("type").asText().equals("UPDATE")
                && e.at("/update/status/task_id/value").asText().equals(taskId)
                && e.at("/update/status/reason").asText().equals("REASON_RECONCILIATION")).at("/update/status");
    }

    /** A framework with one running task {@code id} on {@code agent}. */
    private Harness.Scheduler running(Harness.Agent agent, String name, String id, boolean partitionAware)
            throws Exception {
        Harness.Scheduler s = partitionAware ? h.scheduler(name, "PARTITION_AWARE") : h.scheduler(name);
        assertEquals(202, s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), id).statusCode());
        agent.await(AgentEvent.Type.LAUNCH, e -> e.launch().task().taskId().value().equals(id));
        agent.update(s.frameworkId, id, TaskState.TASK_RUNNING);
        s.update(id, "TASK_RUNNING");
        return s;
    }

    @Test
    public void implicitReconciliation() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = running(agent, "implicit", "t1", false);
        int from = s.events.size();
        ObjectNode r = s.call("RECONCILE");
        r.putObject("reconcile").putArray("tasks");
        assertEquals(202, s.post(r).statusCode());
        JsonNode st = answerFor(s, "t1", from);
        assertEquals("TASK_RUNNING", st.path("state").asText());
        assertEquals("SOURCE_MASTER", st.path("source").asText());
        assertEquals(agent.id.value(), st.at("/agent_id/value").asText());
    }

    @Test
    public void taskStateMatch() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = running(agent, "match", "t2", false);
        int from = s.events.size();
        assertEquals(202, s.post(reconcile(s, "t2", agent.id.value())).statusCode());
        assertEquals("TASK_RUNNING", answerFor(s, "t2", from).path("state").asText());
    }

    @Test
    public void unknownTask() throws Exception {
        Harness.Scheduler s = h.scheduler("unknown");
        assertEquals(202, s.post(reconcile(s, "nobody", null)).statusCode());
        JsonNode st = answerFor(s, "nobody", 0);
        assertEquals("TASK_LOST", st.path("state").asText());
        assertEquals("Reconciliation: Task is unknown", st.path("message").asText());
    }

    @Test
    public void unknownTaskPartitionAware() throws Exception {
        Harness.Scheduler s = h.scheduler("unknown-pa", "PARTITION_AWARE");
        assertEquals(202, s.post(reconcile(s, "nobody", "no-such-agent")).statusCode());
        JsonNode st = answerFor(s, "nobody", 0);
        assertEquals("TASK_UNKNOWN", st.path("state").asText());
    }

    @Test
    public void unknownTaskOnARegisteredAgent() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler pa = h.scheduler("gone-pa", "PARTITION_AWARE");
        Harness.Scheduler old = h.scheduler("gone-lost");
        assertEquals(202, pa.post(reconcile(pa, "ghost", agent.id.value())).statusCode());
        assertEquals(202, old.post(reconcile(old, "ghost", agent.id.value())).statusCode());
        JsonNode a = answerFor(pa, "ghost", 0);
        assertEquals("TASK_GONE", a.path("state").asText());
        assertEquals("Reconciliation: Task is unknown to the agent", a.path("message").asText());
        assertEquals("TASK_LOST", answerFor(old, "ghost", 0).path("state").asText());
    }

    @Test
    public void anUnreachableAgentsTasksAreUnreachableAndComeBackWithIt() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = running(agent, "partition-aware", "p1", true);
        agent.disconnect();
        JsonNode u = s.update("p1", "TASK_UNREACHABLE").at("/update/status");
        assertEquals("REASON_AGENT_REMOVED", u.path("reason").asText());
        assertEquals("SOURCE_MASTER", u.path("source").asText());
        int from = s.events.size();
        assertEquals(202, s.post(reconcile(s, "other", agent.id.value())).statusCode());
        JsonNode st = answerFor(s, "other", from);
        assertEquals("TASK_UNREACHABLE", st.path("state").asText());
        assertEquals("Reconciliation: Task is unreachable", st.path("message").asText());

        // the agent comes back with the task: the framework sees it running again
        from = s.events.size();
        Harness.Agent back = h.agent("cpus:2;mem:1024", agent.id, List.of(task(s.frameworkId, "p1", agent)));
        JsonNode again = s.next("UPDATE", from).at("/update/status");
        assertEquals("p1", again.at("/task_id/value").asText());
        assertEquals("TASK_RUNNING", again.path("state").asText());
        assertEquals("REASON_AGENT_REREGISTERED", again.path("reason").asText());
        assertEquals(agent.id, back.id);
    }

    /**
     * Mesos's health check: an agent whose connection stays open but which answers no PING (hung, paused, behind a
     * network that drops packets) is taken for unreachable after {@code max_agent_ping_timeouts} pings, and its
     * stream is closed. When it comes back, its tasks are running again.
     */
    @Test
    public void aHungAgentIsFoundByItsMissedPingsAndItsTasksComeBackWithIt() throws Exception {
        h.close();
        h = new Harness(MasterConfig.defaults().withHeartbeatInterval(Duration.ofMillis(200))
                .withAgentPings(Duration.ofMillis(100), 3));
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = running(agent, "hung-agent", "h1", true);
        // it answers pings while it is well: nothing happens over many ping timeouts
        org.awaitility.Awaitility.await("pings answered").atMost(Duration.ofSeconds(10))
                .until(() -> agent.count(AgentEvent.Type.PING) >= 10);
        assertEquals("TASK_RUNNING", h.state().at("/frameworks/0/tasks/0/state").asText());
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        agent.onClose(() -> closed.set(true));
        agent.hung = true;
        JsonNode u = s.update("h1", "TASK_UNREACHABLE").at("/update/status");
        assertEquals("REASON_AGENT_REMOVED", u.path("reason").asText());
        assertTrue("the master closed the hung agent's stream", closed.get());
        assertEquals(1, h.state().path("unreachable_slaves").asInt());
        assertEquals(0, h.state().path("activated_slaves").asInt());
        int from = s.events.size();
        Harness.Agent back = h.agent("cpus:2;mem:1024", agent.id, List.of(task(s.frameworkId, "h1", agent)));
        JsonNode again = s.next("UPDATE", from).at("/update/status");
        assertEquals("TASK_RUNNING", again.path("state").asText());
        assertEquals("REASON_AGENT_REREGISTERED", again.path("reason").asText());
        assertEquals(agent.id, back.id);
    }

    @Test
    public void anUnreachableAgentsTasksAreLostForOtherFrameworksAndKilledIfTheyComeBack() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = running(agent, "not-partition-aware", "n1", false);
        agent.disconnect();
        JsonNode u = s.update("n1", "TASK_LOST").at("/update/status");
        assertEquals("REASON_AGENT_REMOVED", u.path("reason").asText());
        Harness.Agent back = h.agent("cpus:2;mem:1024", agent.id, List.of(task(s.frameworkId, "n1", agent)));
        back.await(AgentEvent.Type.KILL, e -> e.kill().taskId().value().equals("n1"));
    }

    @Test
    public void markAgentGone() throws Exception {
        Harness.Agent agent = h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = running(agent, "gone", "g1", true);
        String body = "{\"type\":\"MARK_AGENT_GONE\",\"mark_agent_gone\":{\"agent_id\":{\"value\":\""
                + agent.id.value() + "\"}}}";
        assertEquals(200, h.postJson("/api/v1", body).statusCode());
        JsonNode u = s.update("g1", "TASK_GONE_BY_OPERATOR").at("/update/status");
        assertEquals("REASON_AGENT_REMOVED_BY_OPERATOR", u.path("reason").asText());
        // the agent is told, and may not come back
        agent.await(AgentEvent.Type.ERROR, e -> e.error().message().contains("marked gone"));
        int from = s.events.size();
        assertEquals(202, s.post(reconcile(s, "g2", agent.id.value())).statusCode());
        JsonNode st = answerFor(s, "g2", from);
        assertEquals("TASK_GONE_BY_OPERATOR", st.path("state").asText());
        assertEquals("Reconciliation: Task is gone", st.path("message").asText());
        assertTrue(h.get("/master/slaves").body(), !h.get("/master/slaves").body().contains(agent.id.value()));
        // marking it again is fine; an agent never seen is 404; no agent id is 400
        assertEquals(200, h.postJson("/api/v1", body).statusCode());
        assertEquals(404, h.postJson("/api/v1", body.replace(agent.id.value(), "never-seen")).statusCode());
        assertEquals(400, h.postJson("/api/v1", "{\"type\":\"MARK_AGENT_GONE\"}").statusCode());
    }

    private static io.pangaea.model.Task task(String frameworkId, String taskId, Harness.Agent agent) {
        return new io.pangaea.model.Task(taskId, io.pangaea.model.TaskId.of(taskId),
                io.pangaea.model.FrameworkId.of(frameworkId), null, agent.id, TaskState.TASK_RUNNING,
                io.pangaea.model.Resources.parse("cpus:0.1").toList(), List.of(), null, null, null, null, null);
    }
}
