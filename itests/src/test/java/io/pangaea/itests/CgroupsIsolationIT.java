package io.pangaea.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The agent distribution with {@code isolation = cgroups/cpu,cgroups/mem,cgroups/pids,namespaces/pid}: a task that
 * allocates 200 MB with {@code mem: 64} ends TASK_FAILED with the memory-limit reason, and the agent goes on running
 * tasks, which see only their own processes.
 */
public class CgroupsIsolationIT {

    private static final String CGROUPS_ROOT = "pangaea-it-" + ProcessHandle.current().pid();
    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:4;mem:2048;disk:4096;ports:[31000-32000]",
                Map.of("isolation", "cgroups/cpu,cgroups/mem,cgroups/pids,namespaces/pid",
                        "io.pangaea.isolator.cgroups.cfg:cgroups_root", CGROUPS_ROOT));
    }

    /** Stops the cluster; every container cgroup must be gone, then the test's own root is removed. */
    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        LocalCluster.removeCgroupRoot(CGROUPS_ROOT);
    }

    @Test
    public void aTaskOverItsMemoryFailsWithTheLimitationAndTheAgentGoesOn() throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "oom")) {
            JsonNode first = fw.nextOffer(0);
            int from = fw.events.size();
            assertEquals(202, fw.launch(first, 0.1, 64, "hog",
                    "dd if=/dev/zero of=/dev/null bs=200M count=1").statusCode());
            JsonNode u = fw.terminalUpdate("hog");
            assertEquals(u.toString(), "TASK_FAILED", u.at("/update/status/state").asText());
            assertEquals("REASON_CONTAINER_LIMITATION_MEMORY", u.at("/update/status/reason").asText());
            assertTrue(u.toString(), u.at("/update/status/message").asText()
                    .startsWith("Memory limit exceeded: Requested: 64MB"));

            // the rest of the first offer (and the hog's freed share) is offered again
            assertEquals(202, fw.launch(fw.nextOffer(from), 0.1, 64, "after", "ps -e -o pid= | wc -l").statusCode());
            assertEquals("TASK_FINISHED", fw.terminalUpdate("after").at("/update/status/state").asText());
            // in its own PID namespace: init, the shell, ps and wc (the host has hundreds)
            int seen = Integer.parseInt(Files.readString(cluster.sandbox("after").resolve("stdout")).trim());
            assertTrue("processes seen by the task: " + seen, seen > 0 && seen <= 6);
            fw.teardown();
        }
    }
}
