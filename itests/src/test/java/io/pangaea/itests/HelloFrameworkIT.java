package io.pangaea.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.examples.hello.HelloFramework;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The example framework (examples/hello, written with the scheduler library in bundles/scheduler) against the
 * built distributions: run as its README says, {@code java -jar ... <master> 3} exits 0 after its three tasks
 * finished; called in process, it reports each task's final state.
 */
public class HelloFrameworkIT {

    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:2;mem:1024;disk:1024;ports:[31000-31100]");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void theRunnableJarRunsItsTasksAndExitsZero() throws Exception {
        Path jar = Path.of(System.getProperty("pangaea.example.hello"));
        assertTrue(jar + " is built", Files.isRegularFile(jar));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), cluster.masterUrl(), "3").redirectErrorStream(true).start();
        try {
            assertTrue("the example ends", p.waitFor(120, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(out, 0, p.exitValue());
            for (int i = 1; i <= 3; i++) {
                assertTrue(out, out.contains("hello-" + i + " TASK_FINISHED"));
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    public void inProcessEveryTaskFinishes() throws Exception {
        HelloFramework.Result r = HelloFramework.run(URI.create(cluster.masterUrl()), 4, Duration.ofMinutes(2));
        assertEquals(r.toString(), 4, r.tasks().size());
        assertTrue(r.toString(), r.allFinished());
    }
}
