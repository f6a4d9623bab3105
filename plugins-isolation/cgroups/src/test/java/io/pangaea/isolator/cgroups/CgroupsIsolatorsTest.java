package io.pangaea.isolator.cgroups;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.containerizer.nativ.NativeContainerizer;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The cgroups isolators on the real kernel (root, cgroup v1 as on the project's machines), through the native
 * containerizer: limits land in the cgroup files, an OOM kill becomes a memory limitation, a fork bomb stalls at
 * pids.max, and no cgroup is left afterwards.
 */
public class CgroupsIsolatorsTest {

    private static final String ROOT = "pangaea-test-" + ProcessHandle.current().pid();
    private static final CgroupFs FS = CgroupFs.detect();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @After
    public void nothingLeft() throws Exception {
        for (String c : List.of("cpu", "cpuacct", "memory", "pids", "freezer")) {
            Path base = FS.v1(c) != null ? FS.v1(c) : FS.v2(c);
            if (base == null) {
                continue;
            }
            Path root = base.resolve(ROOT);
            if (Files.isDirectory(root)) {
                try (var children = Files.list(root)) {
                    assertEquals("cgroups left under " + root, 0, children.filter(Files::isDirectory).count());
                }
                Files.delete(root);
            }
        }
    }

    private ContainerSpec spec(String command, String resources, String... isolation) throws Exception {
        Path sandbox = tmp.newFolder().toPath();
        return new ContainerSpec(ContainerId.of("c-" + System.nanoTime()), CommandInfo.shell(command), null, sandbox,
                Map.of("PATH", "/usr/bin:/bin"), Resources.parse(resources), List.of(isolation), Map.of());
    }

    private static Path cgroup(String controller, ContainerSpec s) {
        Path base = FS.v1(controller) != null ? FS.v1(controller) : FS.v2(controller);
        return base.resolve(ROOT).resolve(s.containerId().value());
    }

    @Test
    public void cpuSharesAndCfsQuotaComeFromTheTasksCpus() throws Exception {
        Isolator cpu = new CgroupsCpuIsolator(FS, ROOT, true);
        ContainerSpec s = spec("sleep 30", "cpus:0.5;mem:64", "cgroups/cpu");
        Container c = new NativeContainerizer(Map.of("cgroups/cpu", cpu)).launch(s);
        Path cg = cgroup("cpu", s);
        if (FS.v1("cpu") != null) {
            assertEquals("512", Files.readString(cg.resolve("cpu.shares")).trim());
            assertEquals("50000", Files.readString(cg.resolve("cpu.cfs_quota_us")).trim());
            assertEquals("100000", Files.readString(cg.resolve("cpu.cfs_period_us")).trim());
        } else {
            assertEquals("50000 100000", Files.readString(cg.resolve("cpu.max")).trim());
        }
        // the task's process is in the cgroup from its first instruction
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(cg.resolve("cgroup.procs")).trim()
                .contains(Long.toString(c.pid())));
        ResourceStatistics st = c.usage();
        assertEquals(0.5, st.cpusLimit(), 0);
        assertNotNull(st.cpusUserTimeSecs());
        c.kill(Duration.ZERO);
        c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(cg));
    }

    /** A running container's limits follow its resources (an executor given tasks, then losing them). */
    @Test
    public void updatedResourcesChangeTheLimitsOfARunningContainer() throws Exception {
        Isolator cpu = new CgroupsCpuIsolator(FS, ROOT, false);
        Isolator mem = new CgroupsMemIsolator(FS, ROOT, 100);
        ContainerSpec s = spec("sleep 30", "cpus:0.5;mem:64", "cgroups/cpu", "cgroups/mem");
        Container c = new NativeContainerizer(Map.of("cgroups/cpu", cpu, "cgroups/mem", mem)).launch(s);
        boolean v1 = FS.v1("memory") != null;
        Path memLimit = cgroup("memory", s).resolve(v1 ? "memory.limit_in_bytes" : "memory.max");
        try {
            c.update(Resources.parse("cpus:1.5;mem:192"));
            assertEquals(Long.toString(192L << 20), Files.readString(memLimit).trim());
            if (FS.v1("cpu") != null) {
                assertEquals("1536", Files.readString(cgroup("cpu", s).resolve("cpu.shares")).trim());
            }
            assertEquals(1.5, c.usage().cpusLimit(), 0);
            c.update(Resources.parse("cpus:0.25;mem:32"));
            assertEquals(Long.toString(32L << 20), Files.readString(memLimit).trim());
            assertEquals(Long.valueOf(32L << 20), c.usage().memLimitBytes());
        } finally {
            c.kill(Duration.ZERO);
            c.termination().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(cgroup("memory", s)));
    }

    @Test
    public void allocatingPastTheMemoryLimitEndsAsAMemoryLimitation() throws Exception {
        Isolator mem = new CgroupsMemIsolator(FS, ROOT, 100);
        // dd holds a 200 MB buffer: far over mem:64
        ContainerSpec s = spec("dd if=/dev/zero of=/dev/null bs=200M count=1; sleep 30", "cpus:0.1;mem:64",
                "cgroups/mem");
        Container c = new NativeContainerizer(Map.of("cgroups/mem", mem)).launch(s);
        assertEquals(Long.toString(64L << 20),
                Files.readString(cgroup("memory", s).resolve(FS.v1("memory") != null ? "memory.limit_in_bytes"
                        : "memory.max")).trim());
        Termination t = c.termination().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(TaskStatus.Reason.REASON_CONTAINER_LIMITATION_MEMORY, t.limitation());
        assertTrue(t.message(), t.message().startsWith("Memory limit exceeded: Requested: 64MB Maximum Used: "));
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(cgroup("memory", s)));
    }

    @Test
    public void aForkBombIsContainedByPidsMax() throws Exception {
        Isolator pids = new CgroupsPidsIsolator(FS, ROOT, 32);
        // a real fork bomb: every process keeps forking, and keeps retrying when a fork is refused (bash retries
        // and goes on with its loop; dash would give up); the container's own process starts it and becomes
        // sleep, so the container lives on while the bomb presses on the ceiling
        ContainerSpec s = spec("bash -c 'f() { while :; do f & done; }; f' 2>/dev/null & exec sleep 60",
                "cpus:0.1;mem:64", "cgroups/pids");
        Container c = new NativeContainerizer(Map.of("cgroups/pids", pids)).launch(s);
        Path cg = cgroup("pids", s);
        List<Long> bomb;
        try {
            long max = Long.parseLong(Files.readString(cg.resolve("pids.max")).trim());
            assertEquals(32, max);
            await().atMost(Duration.ofSeconds(20)).until(() -> current(cg) >= max - 2);
            // it presses on the ceiling and never passes it: pids.current <= pids.max at every poll for 500 ms
            await("pids.current within pids.max").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10)).until(() -> current(cg) <= max);
            Long refused = new Cgroups.Dir(cg, FS.v1("pids") == null).keyed("pids.events", "max");
            assertNotNull("pids.events has its max count", refused);
            assertTrue("forks were refused at the ceiling: " + refused, refused > 0);
            if (FS.v1("freezer") != null) {
                // v1: the bomb is frozen whole before it is killed, else it refills each slot a kill frees
                assertTrue(Files.readAllLines(cgroup("freezer", s).resolve("cgroup.procs"))
                        .contains(Long.toString(c.pid())));
            }
            bomb = Files.readAllLines(cg.resolve("cgroup.procs")).stream().map(Long::parseLong).toList();
            assertTrue("the bomb's processes: " + bomb, bomb.size() > 10);
        } finally {
            c.kill(Duration.ZERO);
            c.termination().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        // destroyed: every process of the bomb is gone, and with them the cgroup
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(cg));
        // (a killed process is reaped by init shortly after: until then the kernel still lists it)
        List<Long> killed = bomb;
        await("every process of the bomb gone").atMost(Duration.ofSeconds(20)).until(() -> killed.stream()
                .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    private static long current(Path cg) throws java.io.IOException {
        return Long.parseLong(Files.readString(cg.resolve("pids.current")).trim());
    }

    @Test
    public void aMissingControllerFailsTheLaunchWithItsName() throws Exception {
        CgroupFs none = CgroupFs.parse("");
        Isolator mem = new CgroupsMemIsolator(none, ROOT, 100);
        ContainerSpec s = spec("true", "cpus:0.1;mem:64", "cgroups/mem");
        try {
            new NativeContainerizer(Map.of("cgroups/mem", mem)).launch(s);
            throw new AssertionError("launched without a memory controller");
        } catch (io.pangaea.agent.spi.ContainerException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'memory' is not available"));
        }
        assertFalse(Files.exists(cgroup("memory", s)));
    }
}
