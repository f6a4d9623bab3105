package io.pangaea.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The Python library's example framework against the built distributions: 20 tasks under its own Python executor,
 * fetched into the sandbox with the library; one fails, one is killed once it runs, the rest finish. The master is
 * restarted while they run: the framework subscribes again with its id and every task's end still reaches it.
 */
public class PythonFrameworkIT {

    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:4;mem:4096;disk:4096;ports:[31000-32000]");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void twentyTasksUnderAPythonExecutorEndAsTheyShould() throws Exception {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        Path out = Files.createTempFile("python-hello", ".out");
        ProcessBuilder pb = new ProcessBuilder("python3", repo.resolve("examples/python-hello/hello.py").toString(),
                "127.0.0.1:" + cluster.masterPort, "--tasks", "20", "--fail", "1", "--kill", "1", "--seconds", "20")
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("PYTHONPATH", repo.resolve("clients/python").toString());
        Process p = pb.start();
        try {
            // the failed and the killed task end at once; the others run 20 s, across a restart of the master
            org.awaitility.Awaitility.await("the fast tasks ended").atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> Files.readString(out).contains("TASK_KILLED"));
            cluster.restartMaster(0);
            assertTrue("the framework ended in time", p.waitFor(180, TimeUnit.SECONDS));
            String output = Files.readString(out);
            assertEquals(output, 0, p.exitValue());
            assertTrue(output, output.contains("done: 20 ended as expected, 0 not, 0 missing"));
            assertTrue(output, output.contains("hello-0 TASK_FAILED (failed on purpose)"));
            assertTrue(output, output.contains("hello-1 TASK_KILLED (killed by the framework)"));
            assertTrue(output, output.contains("hello-19 TASK_FINISHED (hello from Python)"));
            assertTrue("no stack trace: " + output, !output.contains("Traceback"));
            assertTrue("subscribed again after the restart: " + output, output.contains("subscribed again"));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
