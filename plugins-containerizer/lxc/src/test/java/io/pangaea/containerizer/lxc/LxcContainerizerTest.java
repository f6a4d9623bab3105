package io.pangaea.containerizer.lxc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The LXC containerizer with the real lxc-* tools (root, the busybox template): tasks run and finish in their own
 * container with the sandbox mounted, limits land in the container's cgroups, a kill ends the container, and no
 * container is left behind. Leave it out with {@code -Dpangaea.lxc.skip=true} on a machine without LXC.
 */
public class LxcContainerizerTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<Container> started = new ArrayList<>();

    @After
    public void killLeftovers() throws Exception {
        for (Container c : started) {
            c.kill(Duration.ZERO);
            c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private Path lxcPath() throws Exception {
        return tmp.getRoot().toPath().resolve("lxc");
    }

    private Container launch(LxcContainerizer lxc, String command, String resources, String agent)
            throws Exception {
        return launch(lxc, command, resources, agent, null);
    }

    private Container launch(LxcContainerizer lxc, String command, String resources, String agent,
                             io.pangaea.model.ContainerInfo container) throws Exception {
        Path sandbox = Files.createDirectories(tmp.getRoot().toPath().resolve("sandbox-" + UUID.randomUUID()));
        ContainerSpec spec = new ContainerSpec(ContainerId.of(UUID.randomUUID().toString()),
                CommandInfo.shell(command), container, sandbox, Map.of("MESOS_SANDBOX", sandbox.toString(),
                "GREETING", "hello from lxc"), Resources.parse(resources), List.of(),
                agent == null ? Map.of() : Map.of("io.pangaea.agent", agent));
        Container c = lxc.launch(spec);
        started.add(c);
        return c;
    }

    private static Termination end(Container c) throws Exception {
        return c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private Path sandboxOf(Container c) throws Exception {
        try (var s = Files.list(tmp.getRoot().toPath())) {
            return s.filter(p -> p.getFileName().toString().startsWith("sandbox-"))
                    .filter(p -> Files.exists(p.resolve("stdout"))).filter(p -> {
                        try {
                            return Files.readString(p.resolve("stdout")).contains(c.id().value());
                        } catch (Exception e) {
                            return false;
                        }
                    }).findFirst().orElseThrow();
        }
    }

    private void assertNoContainers() throws Exception {
        Path path = lxcPath();
        if (Files.isDirectory(path)) {
            try (var s = Files.list(path)) {
                assertEquals(List.of(), s.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    @Test
    public void aTaskRunsInItsOwnContainerFromTheSandboxAndFinishes() throws Exception {
        LxcContainerizer lxc = new LxcContainerizer(lxcPath(), "busybox", null);
        Container c = launch(lxc, "echo $GREETING; echo id=$MESOS_SANDBOX; pwd; ps | wc -l; hostname;"
                + " echo made-inside > file", "cpus:0.5;mem:64", null);
        Termination t = end(c);
        assertTrue(t.toString(), t.succeeded());
        Path sandbox = Files.list(tmp.getRoot().toPath()).filter(p -> Files.exists(p.resolve("file")))
                .findFirst().orElseThrow();
        List<String> out = Files.readAllLines(sandbox.resolve("stdout"));
        assertEquals("hello from lxc", out.get(0));
        assertEquals("id=/mnt/mesos/sandbox", out.get(1));
        assertEquals("/mnt/mesos/sandbox", out.get(2));
        // ps's header, the container's init, the shell, ps and wc: nothing of the host
        assertTrue(out.toString(), Integer.parseInt(out.get(3).trim()) <= 6);
        assertEquals("pangaea-" + c.id().value(), out.get(4));
        assertEquals("made-inside", Files.readString(sandbox.resolve("file")).trim());
        assertNoContainers();
    }

    /** Volumes (a persistent volume, as the agent passes it) are bind-mounted; a read-only one cannot be written. */
    @Test
    public void volumesAreMountedIntoTheSandboxReadOnlyWhenAsked() throws Exception {
        Path rw = Files.createDirectories(tmp.getRoot().toPath().resolve("volume-rw"));
        Path ro = Files.createDirectories(tmp.getRoot().toPath().resolve("volume-ro"));
        Files.writeString(ro.resolve("kept"), "before");
        var info = new io.pangaea.model.ContainerInfo(io.pangaea.model.ContainerInfo.Type.MESOS, List.of(
                new io.pangaea.model.ContainerInfo.Volume("/mnt/mesos/sandbox/data", rw.toString(),
                        io.pangaea.model.ContainerInfo.Volume.Mode.RW),
                new io.pangaea.model.ContainerInfo.Volume("/mnt/mesos/sandbox/config", ro.toString(),
                        io.pangaea.model.ContainerInfo.Volume.Mode.RO)), null, null);
        Termination t = end(launch(new LxcContainerizer(lxcPath(), "busybox", null),
                "echo from-lxc > data/file && cat config/kept && ! echo x > config/kept", "cpus:0.1", null, info));
        assertTrue(t.toString(), t.succeeded());
        assertEquals("from-lxc", Files.readString(rw.resolve("file")).trim());
        assertEquals("before", Files.readString(ro.resolve("kept")).trim());
        assertNoContainers();
    }

    @Test
    public void theExitCodeIsTheTasks() throws Exception {
        Termination t = end(launch(new LxcContainerizer(lxcPath(), "busybox", null), "exit 7", "cpus:0.1", null));
        assertEquals(Integer.valueOf(7), t.exitCode());
        assertNoContainers();
    }

    @Test
    public void limitsFromTheResourcesAreInTheContainersCgroupsAndAKillEndsIt() throws Exception {
        Container c = launch(new LxcContainerizer(lxcPath(), "busybox", null), "sleep 600", "cpus:0.5;mem:64",
                null);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> c.pid() > 0);
        if (LxcConfig.cgroupV1()) {
            String cg = Files.readAllLines(Path.of("/proc/" + c.pid() + "/cgroup")).stream()
                    .filter(l -> l.split(":")[1].equals("memory")).findFirst().orElseThrow().split(":", 3)[2];
            assertEquals(String.valueOf(64L << 20),
                    Files.readString(Path.of("/sys/fs/cgroup/memory" + cg, "memory.limit_in_bytes")).trim());
            String cpu = Files.readAllLines(Path.of("/proc/" + c.pid() + "/cgroup")).stream()
                    .filter(l -> List.of(l.split(":")[1].split(",")).contains("cpu")).findFirst().orElseThrow()
                    .split(":", 3)[2];
            assertEquals("512", Files.readString(Path.of("/sys/fs/cgroup/cpu" + cpu, "cpu.shares")).trim());
        }
        ResourceStatistics s = c.usage();
        assertEquals(Long.valueOf(64L << 20), s.memLimitBytes());
        assertEquals(0.5, s.cpusLimit(), 1e-9);
        assertNotNull(s.memRssBytes());
        // the running container's limits follow new resources (an executor given more tasks)
        c.update(io.pangaea.model.Resources.parse("cpus:1;mem:128"));
        if (LxcConfig.cgroupV1()) {
            String cg = Files.readAllLines(Path.of("/proc/" + c.pid() + "/cgroup")).stream()
                    .filter(l -> l.split(":")[1].equals("memory")).findFirst().orElseThrow().split(":", 3)[2];
            assertEquals(String.valueOf(128L << 20),
                    Files.readString(Path.of("/sys/fs/cgroup/memory" + cg, "memory.limit_in_bytes")).trim());
        }
        assertEquals(Long.valueOf(128L << 20), c.usage().memLimitBytes());
        assertEquals(1.0, c.usage().cpusLimit(), 1e-9);
        long pid = c.pid();
        c.kill(Duration.ofSeconds(1));
        Termination t = end(c);
        assertFalse(t.succeeded());
        assertFalse(ProcessHandle.of(pid).isPresent());
        assertNoContainers();
    }

    @Test
    public void aSharedRootFileSystemDirectoryIsUsedAndKept() throws Exception {
        Path rootfs = tmp.newFolder("rootfs").toPath();
        Path busybox = Path.of("/bin/busybox");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "echo", "ls", "cat", "ps", "wc")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "sys", "dev", "tmp", "mnt/mesos/sandbox")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Container c = launch(new LxcContainerizer(lxcPath(), "busybox", rootfs), "echo " + "shared; ls /bin | wc -l",
                "cpus:0.1;mem:32", null);
        Termination t = end(c);
        assertTrue(t.toString(), t.succeeded());
        assertTrue(Files.exists(rootfs.resolve("bin/busybox")));
        assertNoContainers();
    }

    @Test
    public void containersLeftByAnEarlierRunOfTheAgentAreRemoved() throws Exception {
        LxcContainerizer before = new LxcContainerizer(lxcPath(), "busybox", null);
        Container orphan = launch(before, "sleep 600", "cpus:0.1", "agent-1");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> orphan.pid() > 0);
        // a new containerizer, as after an agent restart: its first launch for agent-1 reaps the orphan
        LxcContainerizer after = new LxcContainerizer(lxcPath(), "busybox", null);
        Container fresh = launch(after, "true", "cpus:0.1", "agent-1");
        assertTrue(end(fresh).succeeded());
        end(orphan);
        assertNoContainers();
    }

    // ---- the supervisor: containers that outlive the agent, or end with it --------------------------------------

    private Container durable(LxcContainerizer lxc, String command, boolean outlivesAgent, Path runtimeRoot,
                              java.util.function.Consumer<ContainerSpec> specOut) throws Exception {
        Path sandbox = Files.createDirectories(tmp.getRoot().toPath().resolve("sandbox-" + UUID.randomUUID()));
        ContainerId id = ContainerId.of(UUID.randomUUID().toString());
        ContainerSpec spec = new ContainerSpec(id, CommandInfo.shell(command), null, sandbox,
                Map.of("MESOS_SANDBOX", sandbox.toString()), Resources.parse("cpus:0.1;mem:32"), List.of(), Map.of(),
                runtimeRoot.resolve(id.value()), outlivesAgent);
        specOut.accept(spec);
        Container c = lxc.launch(spec);
        started.add(c);
        return c;
    }

    /**
     * A checkpointed container is found again by a containerizer that did not launch it (as after an agent
     * restart): the same container init, still running, which a kill then ends, and the container is destroyed.
     */
    @Test
    public void aCheckpointedContainerIsRecoveredRunningAndCanBeKilled() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec[] spec = new ContainerSpec[1];
        Container first = durable(new LxcContainerizer(lxcPath(), "busybox", null), "sleep 600", true, root,
                s -> spec[0] = s);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> first.pid() > 0);
        Container again = new LxcContainerizer(lxcPath(), "busybox", null).recover(spec[0]);
        started.add(again);
        assertEquals(first.pid(), again.pid());
        assertFalse(again.termination().toCompletableFuture().isDone());
        again.kill(Duration.ofSeconds(5));
        Termination t = end(again);
        assertFalse(t.succeeded());
        assertFalse(ProcessHandle.of(first.pid()).map(ProcessHandle::isAlive).orElse(false));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(this::assertNoContainers);
    }

    /** A task that ended while nobody watched: its supervisor recorded the exit status, which recovery reports. */
    @Test
    public void aContainerThatEndedWhileTheAgentWasDownReportsItsExitStatus() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec[] spec = new ContainerSpec[1];
        Container first = durable(new LxcContainerizer(lxcPath(), "busybox", null), "exit 7", true, root,
                s -> spec[0] = s);
        assertEquals(Integer.valueOf(7), end(first).exitCode());
        Termination t = end(new LxcContainerizer(lxcPath(), "busybox", null).recover(spec[0]));
        assertEquals(Integer.valueOf(7), t.exitCode());
        assertNoContainers();
    }

    /** The end of the agent's JVM closes the pipe an ephemeral container's supervisor reads: the container ends. */
    @Test
    public void anEphemeralContainerEndsWithTheAgent() throws Exception {
        Path root = tmp.newFolder().toPath();
        LxcContainer c = (LxcContainer) durable(new LxcContainerizer(lxcPath(), "busybox", null), "sleep 600", false,
                root, s -> { });
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> c.pid() > 0);
        long init = c.pid();
        c.closeLifeline();
        end(c);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !ProcessHandle.of(init)
                .map(ProcessHandle::isAlive).orElse(false));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(this::assertNoContainers);
    }

    /** A container that no checkpoint names is stopped and destroyed with its runtime directory; a known one is left. */
    @Test
    public void orphansAreDestroyedAndKnownContainersLeft() throws Exception {
        Path root = tmp.newFolder().toPath();
        LxcContainerizer before = new LxcContainerizer(lxcPath(), "busybox", null);
        ContainerSpec[] orphan = new ContainerSpec[1];
        ContainerSpec[] known = new ContainerSpec[1];
        Container o = durable(before, "sleep 600", true, root, s -> orphan[0] = s);
        Container k = durable(before, "sleep 600", true, root, s -> known[0] = s);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> o.pid() > 0 && k.pid() > 0);
        int destroyed = new LxcContainerizer(lxcPath(), "busybox", null).destroyOrphans(root,
                java.util.Set.of(known[0].containerId()));
        assertEquals(1, destroyed);
        end(o);
        assertFalse(Files.exists(orphan[0].runtimeDir()));
        assertFalse(Files.exists(lxcPath().resolve(LxcContainerizer.PREFIX + orphan[0].containerId().value())));
        assertTrue(ProcessHandle.of(k.pid()).map(ProcessHandle::isAlive).orElse(false));
    }
}
