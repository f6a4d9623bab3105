package io.pangaea.isolator.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Termination;
import io.pangaea.containerizer.nativ.NativeContainerizer;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** disk/du on a real sandbox: writing past the task's disk ends it as a disk limitation; staying under does not. */
public class DiskDuIsolatorTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Termination run(String command, String resources) throws Exception {
        Path sandbox = tmp.newFolder().toPath();
        ContainerSpec s = new ContainerSpec(ContainerId.of("c-" + System.nanoTime()), CommandInfo.shell(command),
                null, sandbox, Map.of("PATH", "/usr/bin:/bin"), Resources.parse(resources), List.of("disk/du"),
                Map.of());
        Container c = new NativeContainerizer(Map.of("disk/du", new DiskDuIsolator(100))).launch(s);
        try {
            return c.termination().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } finally {
            c.kill(java.time.Duration.ZERO);
        }
    }

    @Test
    public void writingPastTheDiskResourceIsALimitation() throws Exception {
        Termination t = run("dd if=/dev/zero of=big bs=1M count=20 2>/dev/null; sleep 30", "cpus:0.1;mem:32;disk:10");
        assertEquals(TaskStatus.Reason.REASON_CONTAINER_LIMITATION_DISK, t.limitation());
        assertTrue(t.message(), t.message().matches("Disk usage \\(\\d+MB\\) exceeds quota \\(10MB\\)"));
    }

    @Test
    public void stayingUnderTheDiskResourceFinishesNormally() throws Exception {
        Termination t = run("dd if=/dev/zero of=small bs=1M count=2 2>/dev/null; sleep 0.5", "cpus:0.1;mem:32;disk:10");
        assertNull(t.limitation());
        assertTrue(t.toString(), t.succeeded());
    }
}
