package io.pangaea.isolator.namespaces;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Termination;
import io.pangaea.containerizer.nativ.NativeContainerizer;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.Resources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A real PID namespace (root): the task sees only its own processes, and its exit status comes through. */
public class NamespacesPidIsolatorTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Termination run(String command, Path sandbox) throws Exception {
        ContainerSpec s = new ContainerSpec(ContainerId.of("c-" + System.nanoTime()), CommandInfo.shell(command),
                null, sandbox, Map.of("PATH", "/usr/bin:/bin"), Resources.parse("cpus:0.1;mem:32"),
                List.of("namespaces/pid"), Map.of());
        Container c = new NativeContainerizer(Map.of("namespaces/pid", new NamespacesPidIsolator())).launch(s);
        try {
            return c.termination().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } finally {
            c.kill(java.time.Duration.ZERO); // nothing is left behind, even when the wait fails
        }
    }

    @Test
    public void psInsideTheTaskListsOnlyItsOwnProcesses() throws Exception {
        Path sandbox = tmp.newFolder().toPath();
        Termination t = run("sleep 0.2 & ps -e -o pid=,comm=", sandbox);
        assertTrue(t.toString(), t.succeeded());
        List<String> lines = Files.readAllLines(sandbox.resolve("stdout")).stream().map(String::trim)
                .filter(l -> !l.isEmpty()).toList();
        // pangaea-init (PID 1), the task's shell, sleep and ps: nothing of the host
        assertTrue(lines.toString(), lines.size() <= 5);
        assertTrue(lines.toString(), lines.stream().anyMatch(l -> l.startsWith("1 ")));
        assertTrue(lines.toString(), lines.stream().anyMatch(l -> l.endsWith("ps")));
        assertFalse(lines.toString(), lines.stream().anyMatch(l -> l.endsWith("java")));
        long hostProcesses;
        try (var s = java.nio.file.Files.list(Path.of("/proc"))) {
            hostProcesses = s.filter(p -> p.getFileName().toString().matches("\\d+")).count();
        }
        assertTrue("the host has more: " + hostProcesses, hostProcesses > lines.size());
    }

    @Test
    public void theTasksExitStatusIsKept() throws Exception {
        assertEquals(Integer.valueOf(7), run("exit 7", tmp.newFolder().toPath()).exitCode());
    }

    @Test
    public void orphansAreReapedAndDoNotOutliveTheTask() throws Exception {
        Path sandbox = tmp.newFolder().toPath();
        // the task leaves a background sleeper behind; PID 1 reaps it or the namespace ends it with PID 1
        Termination t = run("(sleep 600 &) ; echo $$ > pid; exit 0", sandbox);
        assertTrue(t.toString(), t.succeeded());
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("")
                .equals("sleep 600")));
    }
}
