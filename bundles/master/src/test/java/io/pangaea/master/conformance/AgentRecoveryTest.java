package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A real agent (native containerizer, real processes) stopped and started again on its work_dir, as its bundle or
 * process restarts: the behaviours of Mesos's agent recovery tests (ReconnectExecutor, RecoverTerminatedExecutor,
 * KillTask after recovery, the status update resent) for command tasks of a framework that checkpoints, and the
 * end of a non-checkpointing framework's tasks with the agent.
 */
public class AgentRecoveryTest {

    private Harness h;
    private Harness.RealAgent agent;

    @Before
    public void setUp() throws Exception {
        h = new Harness();
        agent = h.realAgent(Duration.ofSeconds(60));
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    /**
     * A framework that acknowledges every update as it comes, as the scheduler libraries do: an acknowledgement may
     * still be on its way to the agent when the agent stops, and the update it was for then comes again.
     */
    private Harness.Scheduler scheduler(String name, boolean checkpoint) throws Exception {
        ObjectNode sub = Harness.subscribe(name, "PARTITION_AWARE");
        ((ObjectNode) sub.at("/subscribe/framework_info")).put("checkpoint", checkpoint);
        Harness.Scheduler s = h.scheduler(sub);
        s.autoAcknowledge = true;
        return s;
    }

    private static void launch(Harness.Scheduler s, String id, String command) throws Exception {
        assertEquals(202, s.launch(s.freshOffer(), id, t -> {
            t.putObject("command").put("value", command);
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
        }).statusCode());
    }

    /** Launches a command task and waits until it runs (STARTING and RUNNING seen); the pid of its process. */
    private static long running(Harness.Scheduler s, String id, String command) throws Exception {
        launch(s, id, command);
        s.acked(id, "TASK_STARTING");
        return s.acked(id, "TASK_RUNNING").at("/container_status/executor_pid").asLong();
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private JsonNode masterTask(String id) throws Exception {
        for (JsonNode f : h.state().path("frameworks")) {
            for (JsonNode t : f.path("tasks")) {
                if (t.path("id").asText().equals(id)) {
                    return t;
                }
            }
        }
        return null;
    }

    @Test
    public void aCheckpointedTaskKeepsRunningThroughARestartAndCanBeKilledAfterIt() throws Exception {
        Harness.Scheduler s = scheduler("checkpointing", true);
        long pid = running(s, "keep", "sleep 600");
        assertTrue(alive(pid));
        // the checkpoints, in Mesos's layout
        Path meta = agent.workDir.resolve("meta");
        assertTrue(Files.isSymbolicLink(meta.resolve("slaves/latest")));
        Path fw = meta.resolve("slaves/" + agent.agent.agentId().value() + "/frameworks/" + s.frameworkId);
        assertTrue(Files.exists(fw.resolve("framework.info")));
        assertTrue(Files.exists(fw.resolve("executors/keep/executor.info")));
        assertTrue(Files.exists(meta.resolve("boot_id")));

        int from = s.events.size();
        agent.restart();
        assertTrue("the task's process survived the agent's restart", alive(pid));
        // the master sees the same task, still running, on the same agent
        Awaitility.await("the agent re-registered with its task").atMost(Duration.ofSeconds(20))
                .until(() -> masterTask("keep") != null
                        && masterTask("keep").path("state").asText().equals("TASK_RUNNING")
                        && h.state().at("/slaves/0/active").asBoolean());
        assertEquals("TASK_RUNNING", agent.state().at("/frameworks/0/executors/0/tasks/0/state").asText());

        ObjectNode kill = s.call("KILL");
        kill.putObject("kill").putObject("task_id").put("value", "keep");
        assertEquals(202, s.post(kill).statusCode());
        JsonNode killed = s.acked("keep", "TASK_KILLED");
        assertEquals("keep", killed.at("/task_id/value").asText());
        Awaitility.await("process gone").atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        // nothing is left to recover: the run's checkpoints go once its last update is acknowledged
        Awaitility.await("checkpoints removed").atMost(Duration.ofSeconds(10))
                .until(() -> !Files.exists(fw.resolve("executors/keep")));
        assertFalse(s.events.subList(from, s.events.size()).stream().anyMatch(e -> e.path("type").asText()
                .equals("UPDATE") && e.at("/update/status/state").asText().equals("TASK_LOST")));
    }

    @Test
    public void aTaskThatEndsWhileTheAgentIsDownGetsItsRealStatusAfterTheRestart() throws Exception {
        Harness.Scheduler s = scheduler("checkpointing-ends", true);
        long pid = running(s, "ends", "while [ ! -e go ]; do sleep 0.05; done; exit 3");
        Path sandbox = Path.of(agent.state().at("/frameworks/0/executors/0/directory").asText());
        agent.stop();
        Files.writeString(sandbox.resolve("go"), "");
        Awaitility.await("the task ended while the agent was down").atMost(Duration.ofSeconds(10))
                .until(() -> !alive(pid));
        agent.start();
        JsonNode failed = s.acked("ends", "TASK_FAILED");
        assertEquals("Command exited with status 3", failed.path("message").asText());
        assertEquals("REASON_COMMAND_EXECUTOR_FAILED", failed.path("reason").asText());
    }

    @Test
    public void anUnacknowledgedUpdateIsSentAgainAfterTheRestart() throws Exception {
        Harness.Scheduler s = scheduler("checkpointing-acks", true);
        s.autoAcknowledge = false;
        launch(s, "unacked", "sleep 600");
        s.acked("unacked", "TASK_STARTING");
        // TASK_RUNNING is not acknowledged
        String uuid = s.update("unacked", "TASK_RUNNING").at("/update/status/uuid").asText();
        int from = s.events.size();
        agent.restart();
        JsonNode again = Awaitility.await("TASK_RUNNING sent again").atMost(Duration.ofSeconds(20))
                .until(() -> s.events.subList(from, s.events.size()).stream().filter(e -> e.path("type").asText()
                        .equals("UPDATE") && e.at("/update/status/uuid").asText().equals(uuid)).findFirst()
                        .orElse(null), x -> x != null);
        assertEquals("TASK_RUNNING", again.at("/update/status/state").asText());
    }

    @Test
    public void aNonCheckpointingFrameworksTaskEndsWithTheAgent() throws Exception {
        Harness.Scheduler s = scheduler("not-checkpointing", false);
        long pid = running(s, "ephemeral", "sleep 600");
        assertFalse(Files.exists(agent.workDir.resolve("meta/slaves/" + agent.agent.agentId().value()
                + "/frameworks/" + s.frameworkId)));
        agent.restart();
        Awaitility.await("process gone").atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        // the restarted agent does not have it: the master says so to the framework
        JsonNode lost = s.update("ephemeral", "TASK_LOST").at("/update/status");
        assertEquals("REASON_AGENT_RESTARTED", lost.path("reason").asText());
    }

    /**
     * Mesos's Reboot test: a boot id other than the checkpointed one means the machine restarted, so nothing of the
     * earlier run can be running; the agent registers as a new agent. (Here the machine did not really reboot, so
     * the earlier task is still there: the orphan sweep ends it.)
     */
    @Test
    public void aChangedBootIdMakesANewAgent() throws Exception {
        Harness.Scheduler s = scheduler("reboot", true);
        long pid = running(s, "before-reboot", "sleep 600");
        String before = agent.agent.agentId().value();
        agent.stop();
        Files.writeString(agent.workDir.resolve("meta/boot_id"), "an-earlier-boot\n");
        agent.start();
        org.junit.Assert.assertNotEquals(before, agent.agent.agentId().value());
        Awaitility.await("the earlier run's task ended").atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        assertEquals(AgentCheckpointsBootId.current(), Files.readString(agent.workDir.resolve("meta/boot_id")).trim());
    }

    private io.pangaea.agent.internal.AgentConfig withResources(io.pangaea.agent.internal.AgentConfig c, String r,
                                                                 String policy) {
        return new io.pangaea.agent.internal.AgentConfig(c.master(), c.ip(), c.port(), c.hostname(), c.workDir(),
                io.pangaea.model.Resources.parse(r), c.attributes(), c.isolation(), c.containerizers(),
                c.killGracePeriod(), c.executorRegistrationTimeout(), c.fetcherCacheDir(), c.fetcherCacheSize(),
                c.executorReregistrationTimeout()).withGc(c.gc()).withRecovery(
                new io.pangaea.agent.internal.AgentConfig.Recovery("reconnect", true, Duration.ofMinutes(15),
                        policy));
    }

    /**
     * reconfiguration_policy: with {@code equal}, other resources than the agent last ran with stop its start, with a
     * message naming them, and touch no task; with {@code additive}, more resources are taken and the task is
     * recovered.
     */
    @Test
    public void changedResourcesStopTheStartUnderEqualAndAreTakenUnderAdditive() throws Exception {
        Harness.Scheduler s = scheduler("reconfigured", true);
        long pid = running(s, "kept", "sleep 600");
        String id = agent.agent.agentId().value();
        agent.stop();
        agent.startWith(c -> withResources(c, "cpus:3;mem:1024;disk:1000", "equal"));
        Awaitility.await("the start refused").atMost(Duration.ofSeconds(10))
                .until(() -> agent.agent.recoveryFailure() != null);
        String why = agent.agent.recoveryFailure();
        assertTrue(why, why.contains("reconfiguration_policy=equal") && why.contains("resources")
                && why.contains("cpus:3"));
        assertFalse(agent.agent.registered());
        assertTrue("no task is touched", alive(pid));

        agent.stop();
        agent.startWith(c -> withResources(c, "cpus:3;mem:1024;disk:1000", "additive"));
        Awaitility.await("registered with more resources").atMost(Duration.ofSeconds(20))
                .until(() -> agent.agent.registered());
        assertEquals(id, agent.agent.agentId().value());
        assertTrue(alive(pid));
        Awaitility.await("the master has the new total").atMost(Duration.ofSeconds(10))
                .until(() -> h.state().at("/slaves/0/resources/cpus").asDouble() == 3.0);
    }

    /** recover=cleanup: every task an earlier run left is killed, the checkpoints forgotten, and the agent stops. */
    @Test
    public void recoverCleanupKillsEverythingAndStops() throws Exception {
        Harness.Scheduler s = scheduler("cleaned-up", true);
        long pid = running(s, "doomed", "sleep 600");
        agent.stop();
        agent.startWith(c -> c.withRecovery(new io.pangaea.agent.internal.AgentConfig.Recovery("cleanup", true,
                Duration.ofMinutes(15), "equal")));
        Awaitility.await("the agent asked to stop").atMost(Duration.ofSeconds(20)).until(() -> agent.stopAsked);
        Awaitility.await("the task killed").atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
        assertFalse(agent.agent.registered());
        assertFalse(Files.exists(agent.workDir.resolve("meta/slaves")));
        Awaitility.await("runtime directories gone").atMost(Duration.ofSeconds(10)).until(() -> {
            try (var dirs = Files.list(agent.workDir.resolve("containers"))) {
                return dirs.noneMatch(Files::isDirectory);
            }
        });
    }

    /** The machine's boot id, as the agent checkpoints it. */
    private static final class AgentCheckpointsBootId {
        static String current() throws Exception {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        }
    }
}
