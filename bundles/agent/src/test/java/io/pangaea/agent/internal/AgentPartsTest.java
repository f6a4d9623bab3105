package io.pangaea.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.model.AgentId;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Label;
import io.pangaea.model.Labels;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/** The agent's parts wired by an {@link AgentContext} of their own: no master, no HTTP server, no OSGi. */
public class AgentPartsTest {

    private final Path work = temp();
    private final ScheduledThreadPoolExecutor state = new ScheduledThreadPoolExecutor(1);
    private final java.util.concurrent.ExecutorService workers = Executors.newCachedThreadPool();
    private final AgentContext ctx = context(work);

    private static Path temp() {
        try {
            return Files.createTempDirectory("pangaea-agent-parts");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private AgentContext context(Path workDir) {
        AgentConfig config = new AgentConfig("127.0.0.1:1", "127.0.0.3", 5999, "node-3", workDir,
                Resources.parse("cpus:2;mem:1024"), List.of(), List.of(), List.of("native", "docker"),
                Duration.ofSeconds(3), Duration.ofMinutes(1), workDir.resolve("fetch"), 1 << 20,
                Duration.ofSeconds(7));
        return new AgentContext(config, name -> null, state, workers, HttpClient.newHttpClient());
    }

    private <T> T on(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, state).join();
    }

    @After
    public void close() throws Exception {
        state.shutdownNow();
        workers.shutdownNow();
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static FrameworkInfo framework(String id) {
        return new FrameworkInfo("root", "fw", FrameworkId.of(id), null, true, "*", null, null, null, null,
                List.of(), null);
    }

    @Test
    public void aCustomExecutorGetsTheMesosEnvironmentFromTheAgentsSettings() {
        ctx.agentId = AgentId.of("a1");
        ExecutorInfo info = new ExecutorInfo(ExecutorInfo.Type.CUSTOM, ExecutorId.of("e1"), null,
                CommandInfo.shell("./run"), null, null, null, null, null, null, null);
        ExecutorRun e = new ExecutorRun(framework("f1"), info, ContainerId.of("c1"), work.resolve("sandbox"));
        Map<String, String> env = ctx.executorManager.executorEnvironment(e);
        // a quarter of the 7 s executor_reregistration_timeout: it tries a few times within the window
        assertEquals("1750ms", env.get("MESOS_SUBSCRIPTION_BACKOFF_MAX"));
        assertEquals("slave(1)@127.0.0.3:5999", env.get("MESOS_SLAVE_PID"));
        assertEquals("127.0.0.3:5999", env.get("MESOS_AGENT_ENDPOINT"));
        assertEquals("1", env.get("MESOS_CHECKPOINT"));
        assertEquals("3secs", env.get("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"));
        assertEquals("a1", env.get("MESOS_SLAVE_ID"));
        assertEquals(work.resolve("sandbox").toString(), env.get("MESOS_SANDBOX"));
    }

    @Test
    public void tasksGoToTheContainerizerTheyAskFor() {
        TaskInfo plain = new TaskInfo("t", TaskId.of("t"), null, List.of(), null, CommandInfo.shell("true"), null,
                null, null, null);
        assertEquals("native", ctx.launcher.containerizerFor(plain));
        assertEquals("docker", ctx.launcher.containerizerFor(new ContainerInfo(ContainerInfo.Type.DOCKER, null,
                null, null), null));
        assertEquals("lxc", ctx.launcher.containerizerFor(null, new Labels(List.of(new Label(
                TaskLauncher.CONTAINERIZER_LABEL, " lxc ")))));
        assertEquals("Terminated", TaskLauncher.signalName(15));
        assertEquals("signal 42", TaskLauncher.signalName(42));
    }

    @Test
    public void theAgentIdIsCheckpointedAndReadBackByTheNextAgent() throws Exception {
        assertNull(ctx.checkpoints.readAgentId());
        ctx.checkpoints.writeAgentId(AgentId.of("m1-S7"));
        assertEquals("m1-S7", Files.readString(work.resolve("meta").resolve("agent_id")));
        assertFalse("written through a temporary file, then renamed",
                Files.exists(work.resolve("meta").resolve("agent_id.tmp")));
        assertEquals(AgentId.of("m1-S7"), context(work).agentId);
    }

    @Test
    public void endedExecutorsAreKeptWithinMesossLimitAndAnIdleFrameworkCompletes() {
        FrameworkInfo f = framework("f1");
        on(() -> {
            ctx.frameworks.put(f.id(), f);
            for (int i = 0; i < CompletedHistory.MAX_COMPLETED_EXECUTORS + 5; i++) {
                TaskInfo task = new TaskInfo("t", TaskId.of("t" + i), null, List.of(), null,
                        CommandInfo.shell("true"), null, null, null, null);
                TaskRun t = new TaskRun(f.id(), task, work, ContainerId.of("c" + i));
                t.state = TaskState.TASK_FINISHED;
                ctx.tasks.put(task.taskId(), t);
                ctx.history.retire(t);
            }
            return null;
        });
        on(() -> {
            assertTrue(ctx.tasks.isEmpty());
            assertFalse("nothing left here: the framework is completed", ctx.frameworks.containsKey(f.id()));
            List<CompletedHistory.CompletedFramework> done = ctx.history.completedFrameworks();
            assertEquals(1, done.size());
            assertEquals(CompletedHistory.MAX_COMPLETED_EXECUTORS, done.get(0).executors().size());
            assertEquals("t5", done.get(0).executors().peekFirst().command().info.taskId().value());
            return null;
        });
    }

    @Test
    public void persistentVolumesAreMountedReadOnlyWhenAsked() {
        io.pangaea.model.Resource volume = Resources.parse("disk(web):10").toList().get(0)
                .withDisk(new io.pangaea.model.DiskInfo(new io.pangaea.model.DiskInfo.Persistence(
                        "v1", null), new ContainerInfo.Volume("data", null, ContainerInfo.Volume.Mode.RO)));
        TaskInfo task = new TaskInfo("t", TaskId.of("t"), null, List.of(volume), null, CommandInfo.shell("true"),
                null, null, null, null);
        ContainerInfo c = ctx.volumes.withVolumeMounts(task, Volumes.CONTAINER_SANDBOX + "/");
        ContainerInfo.Volume mount = c.volumes().get(0);
        assertEquals("/mnt/mesos/sandbox/data", mount.containerPath());
        assertEquals(ContainerInfo.Volume.Mode.RO, mount.mode());
        assertEquals(ctx.volumes.volumePath("web", "v1").toString(), mount.hostPath());
    }

    @Test
    public void anAgentStatusHasAUuidAndIsCounted() {
        ctx.agentId = AgentId.of("a1");
        TaskInfo task = new TaskInfo("t", TaskId.of("t1"), null, List.of(), null, CommandInfo.shell("true"), null,
                null, null, null);
        TaskRun t = new TaskRun(FrameworkId.of("f1"), task, work, ContainerId.of("c1"));
        on(() -> {
            ctx.statuses.send(t, TaskState.TASK_RUNNING, null, null);
            ctx.statuses.send(t, TaskState.TASK_FINISHED, "Command exited with status 0", null);
            return null;
        });
        on(() -> {
            assertEquals(2, t.statuses.size());
            assertEquals(TaskState.TASK_FINISHED, t.state);
            for (var s : t.statuses) {
                assertEquals(16, java.util.Base64.getDecoder().decode(s.uuid()).length);
                assertEquals("the command executor's id", "t1", s.executorId().value());
                assertEquals("127.0.0.3", s.containerStatus().networkInfos().get(0).ipAddresses().get(0)
                        .ipAddress());
            }
            assertEquals(2L, (long) ctx.counters.get("slave/valid_status_updates"));
            assertEquals(1L, (long) ctx.counters.get("slave/tasks_finished"));
            assertEquals(1L, (long) ctx.counters.get("slave/executors_terminated"));
            return null;
        });
    }

    @Test
    public void aFailedTaskOfAGroupTakesTheRestOfItsGroupDown() {
        ctx.agentId = AgentId.of("a1");
        ExecutorInfo dflt = new ExecutorInfo(ExecutorInfo.Type.DEFAULT, ExecutorId.of("d1"), null, null, null,
                null, null, null, null, null, null);
        List<TaskInfo> infos = List.of("g1", "g2", "g3").stream().map(id -> new TaskInfo(id, TaskId.of(id), null,
                List.of(), null, CommandInfo.shell("sleep 9"), null, null, null, null)).toList();
        io.pangaea.model.TaskGroupInfo group = new io.pangaea.model.TaskGroupInfo(infos);
        ExecutorRun e = new ExecutorRun(framework("f1"), dflt, ContainerId.of("e1"), work.resolve("e1"));
        on(() -> {
            for (TaskInfo info : infos) {
                TaskRun t = new TaskRun(FrameworkId.of("f1"), info, work.resolve(info.taskId().value()),
                        ContainerId.of("c-" + info.taskId().value()), e, group);
                t.state = TaskState.TASK_RUNNING;
                ctx.tasks.put(info.taskId(), t);
                e.tasks.put(info.taskId(), t);
            }
            ctx.statuses.send(ctx.tasks.get(TaskId.of("g2")), TaskState.TASK_FAILED, "exit 1", null);
            return null;
        });
        on(() -> {
            assertTrue(ctx.tasks.get(TaskId.of("g1")).killRequested);
            assertTrue(ctx.tasks.get(TaskId.of("g3")).killRequested);
            assertFalse("the executor lives while its tasks do", e.ended);
            return null;
        });
    }
}
