package io.pangaea.containerizer.docker;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Against the real Docker engine on /var/run/docker.sock, with the busybox image .ci/run imports
 * ({@code pangaea/busybox:test}). Leave these out with {@code -Dpangaea.docker.skip=true} on a machine without
 * Docker. They fail, rather than skip, when the engine is missing.
 */
public class DockerContainerizerTest {

    private static final String IMAGE = System.getProperty("pangaea.docker.image", "pangaea/busybox:test");
    private static final String AGENT = "test-agent-" + ProcessHandle.current().pid();
    private static DockerContainerizer docker;
    private static DockerApi api;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void engine() throws Exception {
        docker = new DockerContainerizer(Path.of("/var/run/docker.sock"));
        api = new DockerApi(Path.of("/var/run/docker.sock"));
        api.ping();
    }

    @After
    public void noContainerLeft() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> api.list(DockerContainerizer.LABEL_AGENT, AGENT).isEmpty());
    }

    @AfterClass
    public static void close() throws Exception {
        docker.deactivate();
        api.close();
    }

    private ContainerSpec spec(CommandInfo cmd, String image) throws Exception {
        Path sandbox = tmp.newFolder().toPath();
        return new ContainerSpec(ContainerId.of("c-" + System.nanoTime()), cmd,
                new ContainerInfo(ContainerInfo.Type.DOCKER, null, null,
                        new ContainerInfo.DockerInfo(image, ContainerInfo.DockerInfo.Network.NONE, false, false)),
                sandbox, Map.of("PATH", "/usr/bin:/bin", "MESOS_SANDBOX", sandbox.toString(), "GREETING", "hello"),
                Resources.parse("cpus:0.1;mem:32"), List.of(), Map.of(DockerContainerizer.LABEL_AGENT, AGENT));
    }

    @Test
    public void aBusyboxTaskWritesItsOutputIntoTheSandboxAndFinishes() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("echo $GREETING from $MESOS_SANDBOX; echo oops >&2; pwd"), IMAGE);
        Container c = docker.launch(s);
        Termination t = c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(t.toString(), t.succeeded());
        assertEquals("hello from /mnt/mesos/sandbox\n/mnt/mesos/sandbox\n",
                Files.readString(s.sandbox().resolve("stdout")));
        assertEquals("oops\n", Files.readString(s.sandbox().resolve("stderr")));
    }

    @Test
    public void theExitCodeIsReported() throws Exception {
        Container c = docker.launch(spec(CommandInfo.shell("exit 3"), IMAGE));
        assertEquals(Integer.valueOf(3), c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS).exitCode());
    }

    /**
     * Network NONE is a network namespace of the container's own with its loopback up and nothing else (the engine
     * is asked for no network sandbox at all, which spares it a hook process per container).
     */
    @Test
    public void networkNoneLeavesTheContainerOnlyItsLoopback() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("ip -o link; ip -o addr show lo"), IMAGE);
        assertTrue(DockerContainerizer.containerSpec(s).path("NetworkDisabled").asBoolean());
        Container c = docker.launch(s);
        assertTrue(c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS).succeeded());
        List<String> out = Files.readAllLines(s.sandbox().resolve("stdout"));
        List<String> links = out.stream().filter(l -> l.matches("\\d+: .*")).filter(l -> !l.contains("inet")).toList();
        assertEquals(out.toString(), 1, links.size());
        assertTrue(out.toString(), links.get(0).contains(" lo: ") && links.get(0).contains("UP"));
        assertTrue(out.toString(), out.stream().anyMatch(l -> l.contains("inet 127.0.0.1/8")));
    }

    /** Launches beyond launch_parallelism wait their turn; every one of them runs and finishes. */
    @Test
    public void launchesBeyondTheParallelismWaitTheirTurnAndAllFinish() throws Exception {
        DockerContainerizer two = new DockerContainerizer(Path.of("/var/run/docker.sock"), 2);
        java.util.concurrent.ExecutorService launchers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Termination>> ends = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ContainerSpec s = spec(CommandInfo.shell("exit " + i), IMAGE);
                ends.add(launchers.submit(() -> two.launch(s).termination().toCompletableFuture()
                        .get(120, TimeUnit.SECONDS)));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(Integer.valueOf(i), ends.get(i).get(180, TimeUnit.SECONDS).exitCode());
            }
        } finally {
            launchers.shutdownNow();
            two.deactivate();
        }
    }

    @Test
    public void aParallelismBelowOneIsRefused() {
        try {
            new DockerContainerizer(Path.of("/var/run/docker.sock"), 0);
            throw new AssertionError("accepted a parallelism of 0");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("launch_parallelism"));
        }
    }

    /** A running container's memory and CPU shares follow new resources (an executor given more tasks). */
    @Test
    public void updatedResourcesChangeTheEnginesLimits() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("sleep 600"), IMAGE);
        Container c = docker.launch(s);
        try {
            String id = api.list(DockerContainerizer.LABEL_CONTAINER, s.containerId().value()).get(0).path("Id")
                    .asText();
            assertEquals(32L << 20, api.inspect(id).at("/HostConfig/Memory").asLong());
            c.update(Resources.parse("cpus:0.5;mem:96"));
            assertEquals(96L << 20, api.inspect(id).at("/HostConfig/Memory").asLong());
            assertEquals(96L << 20, api.inspect(id).at("/HostConfig/MemorySwap").asLong());
            assertEquals(512, api.inspect(id).at("/HostConfig/CpuShares").asLong());
            c.update(Resources.parse("cpus:0.1;mem:48"));
            assertEquals(48L << 20, api.inspect(id).at("/HostConfig/Memory").asLong());
        } finally {
            c.kill(Duration.ZERO);
            c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    public void aKilledTaskLeavesNoContainer() throws Exception {
        ContainerSpec s = spec(CommandInfo.shell("sleep 600"), IMAGE);
        Container c = docker.launch(s);
        assertTrue("the container's process runs on the host", c.pid() > 0);
        c.kill(Duration.ofSeconds(1));
        Termination t = c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(t.toString(), t.signal() != null || (t.exitCode() != null && t.exitCode() != 0));
        assertTrue(api.list(DockerContainerizer.LABEL_CONTAINER, s.containerId().value()).isEmpty());
    }

    @Test
    public void anUnknownImageFailsTheLaunchWithItsName() throws Exception {
        try {
            docker.launch(spec(CommandInfo.shell("true"), "pangaea/no-such-image:1"));
            throw new AssertionError("launched without an image");
        } catch (ContainerException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("pangaea/no-such-image:1"));
        }
    }

    @Test
    public void containersLeftByAnEarlierRunOfTheAgentAreRemoved() throws Exception {
        String reapAgent = AGENT + "-reap";
        ObjectNode leftover = new ObjectMapper().createObjectNode().put("Image", IMAGE);
        leftover.putArray("Cmd").add("sleep").add("600");
        leftover.putObject("Labels").put(DockerContainerizer.LABEL_AGENT, reapAgent);
        leftover.putObject("HostConfig").put("NetworkMode", "none");
        String id = api.create("pangaea-leftover-" + System.nanoTime(), leftover);
        api.start(id);
        DockerContainerizer fresh = new DockerContainerizer(Path.of("/var/run/docker.sock"));
        try {
            ContainerSpec s = spec(CommandInfo.shell("true"), IMAGE);
            ContainerSpec forReapAgent = new ContainerSpec(s.containerId(), s.command(), s.container(), s.sandbox(),
                    s.environment(), s.resources(), s.isolation(), Map.of(DockerContainerizer.LABEL_AGENT, reapAgent));
            Container c = fresh.launch(forReapAgent);
            c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> api.list(DockerContainerizer.LABEL_AGENT, reapAgent)
                    .isEmpty());
        } finally {
            api.remove(id);
            fresh.deactivate();
        }
    }

    // ---- after an agent restart ---------------------------------------------------------------------------------

    private ContainerSpec durable(CommandInfo cmd, Path runtimeRoot) throws Exception {
        ContainerSpec s = spec(cmd, IMAGE);
        return new ContainerSpec(s.containerId(), s.command(), s.container(), s.sandbox(), s.environment(),
                s.resources(), s.isolation(), s.labels(), runtimeRoot.resolve(s.containerId().value()), true);
    }

    /** The numbers a counting task wrote to its stdout, in order. */
    private static List<Integer> ticks(Path sandbox) throws Exception {
        return Files.readAllLines(sandbox.resolve("stdout")).stream().filter(l -> l.startsWith("tick "))
                .map(l -> Integer.parseInt(l.substring(5).trim())).toList();
    }

    /**
     * A containerizer that did not launch the container (as after an agent restart) finds it by its label: its
     * output goes on into the sandbox from where the file ends, with what it wrote meanwhile and nothing twice, and
     * it can be killed.
     */
    @Test
    public void aRunningContainerIsRecoveredWithItsOutputResumedWhereTheFileEnds() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec s = durable(CommandInfo.shell("i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done"),
                root);
        DockerContainerizer first = new DockerContainerizer(Path.of("/var/run/docker.sock"));
        DockerContainerizer second = new DockerContainerizer(Path.of("/var/run/docker.sock"));
        try {
            first.launch(s);
            await().atMost(Duration.ofSeconds(30)).until(() -> ticks(s.sandbox()).size() >= 5);
            first.deactivate(); // the agent goes: nobody follows the output for a while
            int before = ticks(s.sandbox()).size();
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            Container again = second.recover(s);
            await("output resumed").atMost(Duration.ofSeconds(30)).until(() -> ticks(s.sandbox()).size()
                    >= before + 10);
            List<Integer> all = ticks(s.sandbox());
            for (int n = 0; n < all.size(); n++) {
                assertEquals("line " + n + " of " + all, Integer.valueOf(n), all.get(n));
            }
            again.kill(Duration.ofSeconds(1));
            again.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } finally {
            second.deactivate();
        }
    }

    /** A container that ended while nobody followed it: its exit code is the termination, and it is removed. */
    @Test
    public void aContainerThatEndedMeanwhileReportsItsExitCode() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec s = durable(CommandInfo.shell("sleep 1; echo done; exit 4"), root);
        DockerContainerizer first = new DockerContainerizer(Path.of("/var/run/docker.sock"));
        DockerContainerizer second = new DockerContainerizer(Path.of("/var/run/docker.sock"));
        try {
            String cid = s.containerId().value();
            first.launch(s);
            first.deactivate();
            await("it ended").atMost(Duration.ofSeconds(30)).until(() -> api.list(DockerContainerizer
                    .LABEL_CONTAINER, cid).path(0).path("State").asText().equals("exited"));
            Termination t = second.recover(s).termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(Integer.valueOf(4), t.exitCode());
            assertTrue(Files.readString(s.sandbox().resolve("stdout")).contains("done"));
        } finally {
            second.deactivate();
        }
    }

    /** What no checkpoint names is removed; a known container is left. */
    @Test
    public void orphansOfThisAgentAreRemovedAndKnownOnesLeft() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec orphan = durable(CommandInfo.shell("sleep 600"), root);
        ContainerSpec known = durable(CommandInfo.shell("sleep 600"), root);
        Container k = docker.launch(known);
        Container o = docker.launch(orphan);
        DockerContainerizer next = new DockerContainerizer(Path.of("/var/run/docker.sock"));
        try {
            assertEquals(1, next.destroyOrphans(root, java.util.Set.of(known.containerId())));
            o.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertTrue(api.list(DockerContainerizer.LABEL_CONTAINER, orphan.containerId().value()).isEmpty());
            assertEquals(1, api.list(DockerContainerizer.LABEL_CONTAINER, known.containerId().value()).size());
        } finally {
            k.kill(Duration.ZERO);
            k.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
            next.deactivate();
        }
    }

    @Test
    public void recoveringAContainerThatIsGoneFailsClearly() throws Exception {
        Path root = tmp.newFolder().toPath();
        ContainerSpec s = durable(CommandInfo.shell("true"), root);
        try {
            docker.recover(s);
            throw new AssertionError("recovered a container that never existed");
        } catch (ContainerException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is gone"));
        }
    }
}
