package io.pangaea.isolator.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.containerizer.nativ.NativeContainerizer;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** posix/mem on real processes: a task holding more than its mem is ended as a memory limitation. */
public class PosixMemIsolatorTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Container launch(String command, String resources) throws Exception {
        ContainerSpec s = new ContainerSpec(ContainerId.of("m-" + System.nanoTime()), CommandInfo.shell(command),
                null, tmp.newFolder().toPath(), Map.of("PATH", "/usr/bin:/bin"), Resources.parse(resources),
                List.of("posix/mem"), Map.of());
        return new NativeContainerizer(Map.of("posix/mem", new PosixMemIsolator(100))).launch(s);
    }

    @Test
    public void aTaskOverItsMemoryIsKilledAndReported() throws Exception {
        // tail keeps the last 100 MB of an endless pipe: its resident memory climbs to 100 MB and stays there
        Container c = launch("cat /dev/zero | tail -c 100000000 >/dev/null", "cpus:0.1;mem:32");
        try {
            Termination t = c.termination().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(TaskStatus.Reason.REASON_CONTAINER_LIMITATION_MEMORY, t.limitation());
            assertTrue(t.message(), t.message().matches("Memory limit exceeded: Requested: 32MB Maximum Used: \\d+MB"));
        } finally {
            c.kill(Duration.ZERO);
        }
    }

    @Test
    public void usageReportsResidentMemoryAndTheLimit() throws Exception {
        Container c = launch("sleep 30", "cpus:0.1;mem:64");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                ResourceStatistics s = c.usage();
                return s.memRssBytes() != null && s.memRssBytes() > 0 && s.processes() != null;
            });
            assertEquals(Long.valueOf(64L << 20), c.usage().memLimitBytes());
            c.kill(Duration.ZERO);
            Termination t = c.termination().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertNull(t.limitation());
        } finally {
            c.kill(Duration.ZERO);
        }
    }
}
