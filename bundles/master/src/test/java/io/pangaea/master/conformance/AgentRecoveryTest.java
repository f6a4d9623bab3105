package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /** A task of 0.1 cpus for {@code executor}. */
    private static void onExecutor(ObjectNode task, ObjectNode executor) {
        task.set("executor", executor);
        task.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                .put("value", 0.1);
    }

    /** The JVM of {@link ReconnectingTestExecutor}, as a CUSTOM executor's command. */
    private static ObjectNode reconnectingExecutor(String id) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ExecutorHttpApiTest.executor(id, "exec '" + java + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' " + ReconnectingTestExecutor.class.getName());
    }

    /**
     * Mesos's ReconnectExecutor: a checkpointing framework's custom executor outlives the agent's restart, subscribes
     * again, keeps its task, and the task is killed through it afterwards. Its run is checkpointed in Mesos's layout.
     */
    @Test
    public void aCustomExecutorSubscribesAgainAfterTheRestartAndKeepsItsTask() throws Exception {
        Harness.Scheduler s = scheduler("checkpointing-executor", true);
        assertEquals(202, s.launch(s.freshOffer(), "served", t -> onExecutor(t, reconnectingExecutor("ex1")))
                .statusCode());
        JsonNode running = s.acked("served", "TASK_RUNNING");
        long pid = Long.parseLong(new String(java.util.Base64.getDecoder().decode(running.path("data").asText()),
                java.nio.charset.StandardCharsets.UTF_8));
        Path ex = agent.workDir.resolve("meta/slaves/" + agent.agent.agentId().value() + "/frameworks/"
                + s.frameworkId + "/executors/ex1");
        assertTrue(Files.exists(ex.resolve("executor.info")));
        try (var runs = Files.list(ex.resolve("runs"))) {
            Path run = runs.findFirst().orElseThrow();
            assertTrue(Files.exists(run.resolve("run.info")));
            assertTrue(Files.exists(run.resolve("tasks/served/task.info")));
            assertTrue(Files.exists(run.resolve("tasks/served/task.updates")));
        }

        int from = s.events.size();
        agent.restart();
        assertTrue("the executor survived the agent's restart", alive(pid));
        Awaitility.await("the executor subscribed again").atMost(Duration.ofSeconds(20)).until(() ->
                agent.state().at("/frameworks/0/executors/0/tasks/0/state").asText().equals("TASK_RUNNING")
                        && h.state().at("/slaves/0/active").asBoolean());
        ObjectNode kill = s.call("KILL");
        kill.putObject("kill").putObject("task_id").put("value", "served");
        assertEquals(202, s.post(kill).statusCode());
        JsonNode killed = s.acked("served", "TASK_KILLED");
        // the executor, the same process, answered the kill
        assertEquals("SOURCE_EXECUTOR", killed.path("source").asText());
        assertTrue(alive(pid));
        assertFalse(s.events.subList(from, s.events.size()).stream().anyMatch(e -> e.path("type").asText()
                .equals("UPDATE") && List.of("TASK_LOST", "TASK_GONE", "TASK_FAILED")
                .contains(e.at("/update/status/state").asText())));
        // the framework ends: the executor is shut down and its checkpoints go
        s.post(s.call("TEARDOWN"));
        Awaitility.await("executor ended").atMost(Duration.ofSeconds(20)).until(() -> !alive(pid));
    }

    /**
     * Mesos's RecoverUnregisteredExecutor: an executor that does not subscribe again within
     * {@code executor_reregistration_timeout} after the restart is destroyed, and its task ends TASK_GONE for a
     * partition-aware framework, with REASON_EXECUTOR_REREGISTRATION_TIMEOUT.
     */
    @Test
    public void anExecutorThatDoesNotSubscribeAgainIsDestroyedAndItsTaskGone() throws Exception {
        Harness.Scheduler s = scheduler("checkpointing-silent", true);
        String marker = "sleep " + (600 + (ProcessHandle.current().pid() % 97));
        // only a process started by this test: another's `sleep 6xx` may be running on the machine
        java.time.Instant launched = java.time.Instant.now().minusSeconds(1);
        assertEquals(202, s.launch(s.freshOffer(), "silent", t -> onExecutor(t,
                ExecutorHttpApiTest.executor("mute", "exec " + marker))).statusCode());
        ProcessHandle executor = Awaitility.await("the executor runs").atMost(Duration.ofSeconds(20)).until(() ->
                ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").equals("/usr/bin/"
                        + marker) || p.info().commandLine().orElse("").equals("/bin/" + marker))
                        .filter(p -> p.info().startInstant().map(t -> t.isAfter(launched)).orElse(false))
                        .findFirst().orElse(null), x -> x != null);
        agent.restart();
        JsonNode gone = s.acked("silent", "TASK_GONE");
        assertEquals("REASON_EXECUTOR_REREGISTRATION_TIMEOUT", gone.path("reason").asText());
        Awaitility.await("the executor destroyed").atMost(Duration.ofSeconds(10)).until(() -> !executor.isAlive());
    }

    /**
     * A task group of the default executor recovers like command tasks: both tasks run on through the restart, and
     * killing one afterwards takes the group down.
     */
    @Test
    public void aTaskGroupOfTheDefaultExecutorRecoversAsAGroup() throws Exception {
        Harness.Scheduler s = scheduler("checkpointing-group", true);
        JsonNode offer = s.freshOffer();
        ObjectNode op = Harness.JSON.createObjectNode().put("type", "LAUNCH_GROUP");
        ObjectNode lg = op.putObject("launch_group");
        ObjectNode executor = Harness.JSON.createObjectNode().put("type", "DEFAULT");
        executor.putObject("executor_id").put("value", "default-1");
        executor.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                .put("value", 0.1);
        lg.set("executor", executor);
        var tasks = lg.putObject("task_group").putArray("tasks");
        for (String id : List.of("g1", "g2")) {
            ObjectNode t = ExecutorHttpApiTest.commandTask(id, "sleep 600");
            t.set("agent_id", offer.get("agent_id"));
            tasks.add(t);
        }
        assertEquals(202, s.accept(offer, op).statusCode());
        long g1 = s.acked("g1", "TASK_RUNNING").at("/container_status/executor_pid").asLong();
        long g2 = s.acked("g2", "TASK_RUNNING").at("/container_status/executor_pid").asLong();
        int from = s.events.size();
        agent.restart();
        assertTrue(alive(g1) && alive(g2));
        Awaitility.await("the agent re-registered with the group").atMost(Duration.ofSeconds(20))
                .until(() -> h.state().at("/slaves/0/active").asBoolean() && masterTask("g1") != null
                        && masterTask("g1").path("state").asText().equals("TASK_RUNNING"));
        ObjectNode kill = s.call("KILL");
        kill.putObject("kill").putObject("task_id").put("value", "g1");
        assertEquals(202, s.post(kill).statusCode());
        s.acked("g1", "TASK_KILLED");
        s.acked("g2", "TASK_KILLED");
        Awaitility.await("both processes gone").atMost(Duration.ofSeconds(10)).until(() -> !alive(g1) && !alive(g2));
        assertFalse(s.events.subList(from, s.events.size()).stream().anyMatch(e -> e.path("type").asText()
                .equals("UPDATE") && List.of("TASK_LOST", "TASK_GONE", "TASK_FAILED")
                .contains(e.at("/update/status/state").asText())));
    }

    /**
     * The agent stops after a container's task started and before the containerizer recorded it (only the
     * supervisor's pid file is there): that is no recovery error; the agent starts and takes the task up (it runs on
     * and can be killed). With not even the pid file (the task never started), the task is TASK_GONE.
     */
    @Test
    public void aContainerWhoseLaunchTheAgentDidNotFinishIsTakenUpOrGone() throws Exception {
        Harness.Scheduler s = scheduler("checkpointing-half", true);
        long pid = running(s, "half", "sleep 600");
        long other = running(s, "never", "sleep 600");
        agent.stop();
        // "never" is made a container whose supervisor never started: no process, no pid file
        ProcessHandle never = ProcessHandle.of(other).orElseThrow();
        ProcessHandle neverSupervisor = never.parent().orElseThrow();
        neverSupervisor.destroyForcibly();
        never.destroyForcibly();
        Awaitility.await("'never' gone").atMost(Duration.ofSeconds(10)).until(() -> !alive(other));
        Path runtime = agent.workDir.resolve("containers");
        try (var dirs = Files.list(runtime)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                Files.deleteIfExists(d.resolve("native.json")); // as if the agent died before writing it
                Files.deleteIfExists(d.resolve("status"));
                if (Files.readString(d.resolve("pid")).trim().equals(Long.toString(other))) {
                    Files.delete(d.resolve("pid"));
                }
            }
        }
        agent.start();
        JsonNode gone = s.acked("never", "TASK_GONE");
        assertEquals("REASON_CONTAINER_LAUNCH_FAILED", gone.path("reason").asText());
        assertEquals(null, agent.agent.recoveryFailure());
        assertTrue("the task that ran is taken up", alive(pid));
        ObjectNode kill = s.call("KILL");
        kill.putObject("kill").putObject("task_id").put("value", "half");
        assertEquals(202, s.post(kill).statusCode());
        s.acked("half", "TASK_KILLED");
        Awaitility.await("process gone").atMost(Duration.ofSeconds(10)).until(() -> !alive(pid));
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
        // the master removes the old agent, which registered at the same address, and its task is gone
        JsonNode gone = s.acked("before-reboot", "TASK_GONE");
        assertEquals("REASON_AGENT_RESTARTED", gone.path("reason").asText());
        Awaitility.await("only the new agent").atMost(Duration.ofSeconds(10)).until(() ->
                h.state().path("slaves").size() == 1 && h.state().at("/slaves/0/id").asText()
                        .equals(agent.agent.agentId().value()));
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
