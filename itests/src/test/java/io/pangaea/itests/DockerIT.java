package io.pangaea.itests;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Docker tasks through both distributions, the agent with the docker containerizer feature: a task from the busybox
 * test image ({@code .ci/engines}) finishes with its stdout in the sandbox; a non-Docker task still runs natively.
 * Leave it out with {@code -Dpangaea.docker.skip=true} on a machine without a Docker engine.
 */
public class DockerIT {

    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:4;mem:2048;disk:4096;ports:[31000-32000]",
                Map.of("featuresBoot+", "pangaea-containerizer-docker"));
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    public void aDockerTaskFromTheBusyboxImageFinishesWithItsOutputInTheSandbox() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "docker")) {
            JsonNode offer = fw.nextOffer(0);
            int from = fw.events.size();
            assertEquals(202, fw.launchTask(offer, "in-docker",
                    "echo hello from $(cat /etc/hostname 2>/dev/null || echo docker) in $MESOS_SANDBOX",
                    t -> TestFramework.docker(t, "pangaea/busybox:test")).statusCode());
            JsonNode u = fw.terminalUpdate("in-docker");
            assertEquals(u.toString(), "TASK_FINISHED", u.at("/update/status/state").asText());
            String out = Files.readString(cluster.sandbox("in-docker").resolve("stdout"));
            assertEquals(out, true, out.startsWith("hello from ") && out.trim().endsWith("in /mnt/mesos/sandbox"));

            assertEquals(202, fw.launchTask(fw.nextOffer(from), "native", "echo native", t -> { }).statusCode());
            assertEquals("TASK_FINISHED", fw.terminalUpdate("native").at("/update/status/state").asText());
            fw.teardown();
        }
    }
}
