package io.pangaea.containerizer.nativ;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Real processes: exit codes, output files, environment, and killing a whole process tree. */
public class NativeContainerizerTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private ContainerSpec spec(CommandInfo cmd) throws Exception {
        Path sandbox = tmp.newFolder().toPath();
        return new ContainerSpec(ContainerId.of("c-" + System.nanoTime()), cmd, null, sandbox,
                Map.of("PATH", "/usr/bin:/bin", "MESOS_SANDBOX", sandbox.toString(), "GREETING", "hello"),
                Resources.parse("cpus:0.1;mem:32"), List.of(), Map.of());
    }

    @Test
    public void shellCommandWritesItsOutputIntoTheSandboxAndExitsZero() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("echo $GREETING from $MESOS_SANDBOX; echo oops >&2"));
        Container c = new NativeContainerizer(Map.of()).launch(s);
        Termination t = c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertTrue(t.succeeded());
        assertEquals("hello from " + s.sandbox() + "\n", Files.readString(s.sandbox().resolve("stdout")));
        assertEquals("oops\n", Files.readString(s.sandbox().resolve("stderr")));
    }

    @Test
    public void exitCodeIsReported() throws Exception {
        Container c = new NativeContainerizer(Map.of()).launch(spec(CommandInfo.shell("exit 3")));
        assertEquals(Integer.valueOf(3), c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS).exitCode());
    }

    @Test
    public void nonShellCommandRunsTheExecutableWithArguments() throws Exception {
        ContainerSpec s = spec(new CommandInfo(null, null, false, "/bin/echo", List.of("echo", "a b", "c"), null));
        Container c = new NativeContainerizer(Map.of()).launch(s);
        assertTrue(c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS).succeeded());
        assertEquals("a b c\n", Files.readString(s.sandbox().resolve("stdout")));
    }

    @Test
    public void killEndsTheWholeProcessTree() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("sleep 600 & sleep 600 & wait"));
        Container c = new NativeContainerizer(Map.of()).launch(s);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(c.pid()).orElseThrow()
                .descendants().count() == 2);
        List<ProcessHandle> children = ProcessHandle.of(c.pid()).orElseThrow().descendants().toList();
        c.kill(Duration.ofSeconds(2));
        Termination t = c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertNotNull(t.signal());
        assertEquals(15, (int) t.signal());
        await().atMost(Duration.ofSeconds(5)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    public void processesLeftBehindByTheTaskAreReaped() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("sleep 600 & echo started"));
        Container c = new NativeContainerizer(Map.of()).launch(s);
        assertTrue(c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS).succeeded());
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 600")
                        && p.info().arguments().isPresent() && isIn(p, s.sandbox())));
    }

    private static boolean isIn(ProcessHandle p, Path sandbox) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/cwd")).equals(sandbox);
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    public void missingIsolatorFailsTheLaunchByName() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("true"));
        ContainerSpec withIsolator = new ContainerSpec(s.containerId(), s.command(), null, s.sandbox(),
                s.environment(), s.resources(), List.of("cgroups/mem"), Map.of());
        try {
            new NativeContainerizer(Map.of()).launch(withIsolator);
            throw new AssertionError("launch should fail");
        } catch (ContainerException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("cgroups/mem"));
        }
        assertFalse(Files.exists(s.sandbox().resolve("stdout")));
    }

    /** An isolator whose cleanup fails, as a cgroup that will not go makes the cgroups isolators' fail. */
    private static final class FailingCleanup implements io.pangaea.agent.spi.Isolator {
        final java.util.concurrent.atomic.AtomicInteger cleanups = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void cleanup(ContainerId id) {
            cleanups.incrementAndGet();
            throw new IllegalStateException("cgroup of " + id.value() + " is busy");
        }
    }

    @Test
    public void aFailedCleanupIsCountedOncePerContainerAndEveryIsolatorStillGetsItsTurn() throws Exception {
        FailingCleanup first = new FailingCleanup();
        FailingCleanup second = new FailingCleanup();
        NativeContainerizer containerizer = new NativeContainerizer(Map.of("test/first", first, "test/second",
                second));
        Path sandbox = tmp.newFolder().toPath();
        ContainerSpec s = new ContainerSpec(ContainerId.of("c-fail"), CommandInfo.shell("true"), null, sandbox,
                Map.of("PATH", "/usr/bin:/bin"), Resources.parse("cpus:0.1"), List.of("test/first", "test/second"),
                Map.of());
        assertEquals(0, containerizer.destroyErrors());
        Termination t = containerizer.launch(s).termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(Integer.valueOf(0), t.exitCode());
        assertEquals(1, first.cleanups.get());
        assertEquals(1, second.cleanups.get());
        assertEquals(1, containerizer.destroyErrors());
        // a launch that fails after the isolators prepared it is cleaned up too, and counted
        ContainerSpec bad = new ContainerSpec(ContainerId.of("c-bad"), CommandInfo.shell("true"), null,
                sandbox.resolve("missing-sandbox"), Map.of(), Resources.parse("cpus:0.1"), List.of("test/first"),
                Map.of());
        try {
            containerizer.launch(bad);
        } catch (ContainerException expected) {
            // the sandbox does not exist
        }
        assertEquals(2, first.cleanups.get());
        assertEquals(2, containerizer.destroyErrors());
    }

    // ---- the supervisor: containers that outlive the agent, or end with it --------------------------------------

    private ContainerSpec durable(CommandInfo cmd, boolean outlivesAgent, Path runtimeRoot) throws Exception {
        ContainerSpec s = spec(cmd);
        return new ContainerSpec(s.containerId(), s.command(), null, s.sandbox(), s.environment(), s.resources(),
                s.isolation(), s.labels(), runtimeRoot.resolve(s.containerId().value()), outlivesAgent);
    }

    /** The end of the agent's JVM closes the pipe an ephemeral container's supervisor reads: the task is killed. */
    @Test
    public void anEphemeralContainerEndsWithTheAgent() throws Exception {
        Path root = tmp.newFolder().toPath();
        NativeContainer c = (NativeContainer) new NativeContainerizer(Map.of())
                .launch(durable(CommandInfo.shell("sleep 600"), false, root));
        ProcessHandle task = ProcessHandle.of(c.pid()).orElseThrow();
        c.closeLifeline();
        Termination t = c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(Integer.valueOf(128 + 9), t.exitCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> !task.isAlive());
    }

    /**
     * A checkpointed container is found again by a containerizer that did not launch it (as after an agent restart):
     * the same process, still running, which can then be killed.
     */
    @Test
    public void aCheckpointedContainerIsRecoveredRunningAndCanBeKilled() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec s = durable(CommandInfo.shell("sleep 600"), true, root);
        NativeContainer first = (NativeContainer) new NativeContainerizer(Map.of()).launch(s);
        assertEquals(first.pid(), Long.parseLong(Files.readString(s.runtimeDir().resolve("pid")).trim()));
        Container again = new NativeContainerizer(Map.of()).recover(s);
        assertEquals(first.pid(), again.pid());
        assertFalse(again.termination().toCompletableFuture().isDone());
        again.kill(Duration.ofSeconds(5));
        Termination t = again.termination().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(Integer.valueOf(15), t.signal());
        assertFalse(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive).orElse(false));
    }

    /** A task that ended while nobody watched: its supervisor recorded the exit status, which recovery reports. */
    @Test
    public void aContainerThatEndedWhileTheAgentWasDownReportsItsExitStatus() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec s = durable(CommandInfo.shell("exit 7"), true, root);
        Container first = new NativeContainerizer(Map.of()).launch(s);
        first.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Termination t = new NativeContainerizer(Map.of()).recover(s).termination().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertEquals(Integer.valueOf(7), t.exitCode());
    }

    /** A container that no checkpoint names is killed and its runtime directory removed; a known one is left. */
    @Test
    public void orphansAreDestroyedAndKnownContainersLeft() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec orphan = durable(CommandInfo.shell("sleep 600"), true, root);
        ContainerSpec known = durable(CommandInfo.shell("sleep 600"), true, root);
        NativeContainerizer before = new NativeContainerizer(Map.of());
        Container o = before.launch(orphan);
        Container k = before.launch(known);
        int destroyed = new NativeContainerizer(Map.of()).destroyOrphans(root, java.util.Set.of(known.containerId()));
        assertEquals(1, destroyed);
        o.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertFalse(Files.exists(orphan.runtimeDir()));
        assertTrue(ProcessHandle.of(k.pid()).map(ProcessHandle::isAlive).orElse(false));
        k.kill(Duration.ZERO);
        k.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    public void recoveringAContainerWithoutRuntimeInformationFailsClearly() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec s = durable(CommandInfo.shell("true"), true, root);
        try {
            new NativeContainerizer(Map.of()).recover(s);
            throw new AssertionError("recovered a container that never ran");
        } catch (ContainerException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("left no runtime information"));
        }
    }
}
