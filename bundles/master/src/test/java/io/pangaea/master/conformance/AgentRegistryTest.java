package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Test;

/**
 * The agents in the registry across a change of leader, as Mesos's registrar keeps them: the admitted agents a new
 * master waits for ({@code agent_reregister_timeout}), shown as recovered agents meanwhile; those that do not come back
 * are marked unreachable (reconciliation then says TASK_UNREACHABLE); agents marked gone stay gone.
 */
public class AgentRegistryTest {

    private java.nio.file.Path registry;
    /** The master leading now. */
    private Harness leader;

    @After
    public void tearDown() throws Exception {
        if (leader != null) {
            leader.close();
        }
        if (registry != null) {
            Files.deleteIfExists(registry);
        }
    }

    private Harness first() throws Exception {
        registry = Files.createTempFile("pangaea-agent-registry", ".json");
        Files.delete(registry);
        leader = new Harness(MasterConfig.defaults(), registry);
        return leader;
    }

    /** The next leader: a new master on the registry the one before wrote. */
    private Harness next(Duration reregisterTimeout, double removalLimit) throws Exception {
        leader.close();
        leader = null;
        leader = new Harness(MasterConfig.defaults().withAgentRecovery(reregisterTimeout, removalLimit), registry);
        return leader;
    }

    private static JsonNode registryAgents(Harness h) throws Exception {
        return Harness.JSON.readTree(Files.readAllBytes(h.registry)).path("agents");
    }

    private static List<String> ids(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.at(field).asText()));
        return out;
    }

    /** Explicit reconciliation of {@code taskId} on {@code agentId}. */
    private static void reconcile(Harness.Scheduler s, String... taskAndAgent) throws Exception {
        ObjectNode call = s.call("RECONCILE");
        var tasks = call.putObject("reconcile").putArray("tasks");
        for (int i = 0; i < taskAndAgent.length; i += 2) {
            ObjectNode t = tasks.addObject();
            t.putObject("task_id").put("value", taskAndAgent[i]);
            t.putObject("agent_id").put("value", taskAndAgent[i + 1]);
        }
        assertEquals(202, s.post(call).statusCode());
    }

    @Test
    public void aNewMasterWaitsForTheAdmittedAgentsAndMarksThoseThatStayAwayUnreachable() throws Exception {
        Harness h1 = first();
        String a = h1.agent("cpus:1;mem:512").id.value();
        String b = h1.agent("cpus:1;mem:512").id.value();
        Awaitility.await("both admitted in the registry").atMost(Duration.ofSeconds(10)).until(() ->
                Files.exists(h1.registry) && ids(registryAgents(h1).path("admitted"), "/id").containsAll(List.of(a, b)));

        Harness h2 = next(Duration.ofSeconds(2), 1.0);
        // until they re-register, both are recovered agents, as Mesos shows them
        assertEquals(List.of(a, b), ids(h2.state().path("recovered_slaves"), "/id"));
        JsonNode agents = Harness.JSON.readTree(h2.postJson("/api/v1", "{\"type\":\"GET_AGENTS\"}").body());
        assertEquals(List.of(a, b), ids(agents.at("/get_agents/recovered_agents"), "/id/value"));

        h2.agent("cpus:1;mem:512", AgentId.of(a), List.of());
        assertEquals(List.of(b), ids(h2.state().path("recovered_slaves"), "/id"));
        Harness.Scheduler s = h2.scheduler("reconciler", "PARTITION_AWARE");
        // a task on an agent still expected gets no answer yet; one on an agent nobody knows does, in the same reply
        reconcile(s, "on-b", b, "nowhere", "no-such-agent");
        s.update("nowhere", "TASK_UNKNOWN");
        assertFalse(s.events.toString().contains("on-b"));

        // b does not come back in time: it is unreachable, in memory and in the registry
        Awaitility.await("b marked unreachable").atMost(Duration.ofSeconds(20)).until(() ->
                h2.get("/metrics/snapshot").body().contains("\"master/recovery_slave_removals\":1"));
        assertEquals(0, h2.state().path("recovered_slaves").size());
        Awaitility.await("the registry written").atMost(Duration.ofSeconds(10)).until(() ->
                ids(registryAgents(h2).path("unreachable"), "/id").equals(List.of(b)));
        assertEquals(List.of(a), ids(registryAgents(h2).path("admitted"), "/id"));
        reconcile(s, "on-b", b);
        JsonNode unreachable = s.update("on-b", "TASK_UNREACHABLE").at("/update/status");
        assertEquals("REASON_RECONCILIATION", unreachable.path("reason").asText());

        // when b comes back after all, it is admitted again
        h2.agent("cpus:1;mem:512", AgentId.of(b), List.of());
        Awaitility.await("b admitted again").atMost(Duration.ofSeconds(10)).until(() ->
                ids(registryAgents(h2).path("admitted"), "/id").containsAll(List.of(a, b))
                        && registryAgents(h2).path("unreachable").isEmpty());
    }

    @Test
    public void anAgentMarkedGoneStaysGoneUnderTheNextLeader() throws Exception {
        Harness h1 = first();
        String gone = h1.agent("cpus:1;mem:512").id.value();
        assertEquals(200, h1.postJson("/api/v1", "{\"type\":\"MARK_AGENT_GONE\",\"mark_agent_gone\":{\"agent_id\":"
                + "{\"value\":\"" + gone + "\"}}}").statusCode());
        Awaitility.await("gone in the registry").atMost(Duration.ofSeconds(10)).until(() ->
                registryAgents(h1).path("gone").toString().contains(gone));

        Harness h2 = next(Duration.ofMinutes(10), 1.0);
        assertEquals(0, h2.state().path("recovered_slaves").size());
        Harness.Agent back = h2.new Agent();
        h2.master.subscribeAgent(new AgentCall.Subscribe(new AgentInfo("localhost", 5051,
                Resources.parse("cpus:1").toList(), List.of(), AgentId.of(gone)), List.of(), List.of(), List.of(),
                "test", List.of()), back);
        AgentEvent error = back.await(AgentEvent.Type.ERROR, e -> true);
        assertTrue(error.error().message(), error.error().message().contains("marked gone"));
    }

    /** Above recovery_agent_removal_limit, none of the missing agents is marked unreachable. */
    @Test
    public void theRemovalLimitBoundsTheShareOfMissingAgents() {
        MasterConfig half = MasterConfig.defaults().withAgentRecovery(Duration.ofMinutes(10), 0.5);
        assertTrue(half.mayMarkUnreachableAfterFailover(1, 2));
        assertFalse(half.mayMarkUnreachableAfterFailover(2, 3));
        assertTrue(MasterConfig.defaults().mayMarkUnreachableAfterFailover(3, 3));
        assertFalse(MasterConfig.defaults().withAgentRecovery(Duration.ofMinutes(10), 0)
                .mayMarkUnreachableAfterFailover(1, 1000));
    }

    /**
     * Agent changes are written in batches: a burst of registrations costs one write of the registry, taken when the
     * queued write runs, with every agent in it.
     */
    @Test
    public void agentChangesAreWrittenInBatches() throws Exception {
        java.nio.file.Path file = Files.createTempFile("pangaea-registry", ".json");
        try {
            io.pangaea.master.internal.Registry r = new io.pangaea.master.internal.Registry(file);
            List<Runnable> queued = new ArrayList<>();
            r.batchAgentWritesOn(queued::add);
            for (int i = 0; i < 1000; i++) {
                r.admitAgent(new io.pangaea.master.internal.Registry.AgentRecord("agent-" + i, "host-" + i, 5051));
            }
            r.markAgentUnreachable("agent-7", 1.0);
            assertEquals(0, r.writes());
            assertEquals(1, queued.size());
            queued.forEach(Runnable::run);
            assertEquals(1, r.writes());
            io.pangaea.master.internal.Registry again = new io.pangaea.master.internal.Registry(file);
            assertEquals(999, again.admittedAgents().size());
            assertEquals(java.util.Set.of("agent-7"), again.unreachableAgents().keySet());
            // re-registering with the same information writes nothing
            again.admitAgent(new io.pangaea.master.internal.Registry.AgentRecord("agent-1", "host-1", 5051));
            assertEquals(0, again.writes());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** recovery_agent_removal_limit as Mesos writes it, with a clear error for anything else. */
    @Test
    public void theRemovalLimitIsAPercentage() {
        assertEquals(1.0, MasterConfig.parseRemovalLimit("100%"), 0);
        assertEquals(0.255, MasterConfig.parseRemovalLimit(" 25.5 %"), 1e-9);
        for (String bad : new String[] {"50", "150%", "-1%", "half%", ""}) {
            try {
                MasterConfig.parseRemovalLimit(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("recovery_agent_removal_limit"));
            }
        }
    }
}
