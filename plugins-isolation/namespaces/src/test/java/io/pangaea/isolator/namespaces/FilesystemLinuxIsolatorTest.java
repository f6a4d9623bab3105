package io.pangaea.isolator.namespaces;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Termination;
import io.pangaea.containerizer.nativ.NativeContainerizer;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.ContainerInfo.Volume;
import io.pangaea.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Real mount namespaces (root): host path volumes appear at their container path inside the task only, read-only
 * ones refuse writes, and nothing stays mounted on the host.
 */
public class FilesystemLinuxIsolatorTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final NativeContainerizer containerizer = new NativeContainerizer(Map.of("filesystem/linux",
            new FilesystemLinuxIsolator()));

    private ContainerSpec spec(String command, Path sandbox, Volume... volumes) {
        return new ContainerSpec(ContainerId.of("c-" + System.nanoTime()), CommandInfo.shell(command),
                new ContainerInfo(ContainerInfo.Type.MESOS, List.of(volumes), null, null), sandbox,
                Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"), Resources.parse("cpus:0.1;mem:32"),
                List.of("filesystem/linux"), Map.of());
    }

    private Termination run(ContainerSpec s) throws Exception {
        Container c = containerizer.launch(s);
        try {
            return c.termination().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } finally {
            c.kill(java.time.Duration.ZERO);
        }
    }

    private static boolean mountedOnTheHost(Path p) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.split(" ")[4].equals(p.toString()));
    }

    @Test
    public void volumesAreMountedWritableOrReadOnlyInsideTheTaskOnly() throws Exception {
        Path sandbox = tmp.newFolder("sandbox").toPath();
        Path data = tmp.newFolder("data").toPath();
        Path config = tmp.newFolder("config").toPath();
        Files.writeString(config.resolve("app.conf"), "setting=1");
        Path single = tmp.newFile("token").toPath();
        Files.writeString(single, "secret");
        Termination t = run(spec("echo written > data/out.txt"
                        + " && cat conf/app.conf > seen.txt"
                        + " && cat etc/token >> seen.txt"
                        + " && if echo x > conf/new.txt 2>/dev/null; then echo wrote > ro.txt; else echo refused > ro.txt; fi"
                        + " && grep -c ' " + sandbox + "/' /proc/self/mountinfo > mounts.txt",
                sandbox, new Volume("data", data.toString(), Volume.Mode.RW),
                new Volume("conf", config.toString(), Volume.Mode.RO),
                new Volume("etc/token", single.toString(), Volume.Mode.RO)));
        assertTrue(t + " " + Files.readString(sandbox.resolve("stderr")), t.succeeded());
        assertEquals("written", Files.readString(data.resolve("out.txt")).trim());
        assertEquals("setting=1secret", Files.readString(sandbox.resolve("seen.txt")).replace("\n", ""));
        assertEquals("refused", Files.readString(sandbox.resolve("ro.txt")).trim());
        assertFalse(Files.exists(config.resolve("new.txt")));
        assertEquals("3", Files.readString(sandbox.resolve("mounts.txt")).trim());
        // the host never saw the mounts: the sandbox's mount points are empty directories (and an empty file)
        assertFalse(mountedOnTheHost(sandbox.resolve("data")));
        try (var left = Files.list(sandbox.resolve("data"))) {
            assertEquals(0, left.count());
        }
        assertEquals(0, Files.size(sandbox.resolve("etc/token")));
    }

    @Test
    public void anAbsoluteContainerPathIsMountedOverTheAgentsDirectory() throws Exception {
        Path sandbox = tmp.newFolder("sandbox").toPath();
        Path data = tmp.newFolder("data").toPath();
        Files.writeString(data.resolve("inside"), "from the volume");
        Path target = tmp.newFolder("target").toPath();
        Files.writeString(target.resolve("hidden"), "the agent's own file");
        Termination t = run(spec("ls " + target + " > listing.txt", sandbox,
                new Volume(target.toString(), data.toString(), Volume.Mode.RO)));
        assertTrue(t.toString(), t.succeeded());
        assertEquals("inside", Files.readString(sandbox.resolve("listing.txt")).trim());
        assertTrue(Files.exists(target.resolve("hidden")));
        assertFalse(mountedOnTheHost(target));
    }

    @Test
    public void badVolumesFailTheLaunchWithTheReason() throws Exception {
        Path sandbox = tmp.newFolder("sandbox").toPath();
        Path data = tmp.newFolder("data").toPath();
        Object[][] cases = {
            {new Volume("v", null, Volume.Mode.RW), "has no 'host_path'"},
            {new Volume("v", "relative/dir", Volume.Mode.RW), "not an existing absolute path"},
            {new Volume("v", data.resolve("missing").toString(), Volume.Mode.RW), "not an existing absolute path"},
            {new Volume(null, data.toString(), Volume.Mode.RW), "has no 'container_path'"},
            {new Volume("../escape", data.toString(), Volume.Mode.RW), "leaves the sandbox"},
            {new Volume("/no/such/dir", data.toString(), Volume.Mode.RW), "must exist on this agent"},
        };
        for (Object[] c : cases) {
            try {
                containerizer.launch(spec("true", sandbox, (Volume) c[0]));
                fail("launched with " + c[0]);
            } catch (ContainerException e) {
                assertTrue(e.getMessage(), e.getMessage().contains((String) c[1]));
            }
        }
        assertFalse(Files.exists(sandbox.getParent().resolve("escape")));
    }
}
