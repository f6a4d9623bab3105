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
}
