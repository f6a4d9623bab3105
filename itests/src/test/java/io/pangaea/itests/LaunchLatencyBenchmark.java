package io.pangaea.itests;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.Test;

/**
 * Launch-to-RUNNING latency and tasks per second on one agent, through both distributions: 100 native tasks of
 * {@code sleep 1} under cgroups/cpu and cgroups/mem, and Docker tasks of {@code true} from the busybox test image
 * with network none, in rounds of 50 and 500 (the shapes; {@code -Dlaunch.docker=50,500} to change them).
 * Latency is from the ACCEPT to the task's TASK_RUNNING reaching the framework, throughput from the ACCEPT to the
 * last TASK_FINISHED. Run: {@code benchmarks/launch.sh}.
 */
public class LaunchLatencyBenchmark {

    private static final int TASKS = 100;

    @Test
    public void nativeWithCgroups() throws Exception {
        String root = "pangaea-bench-" + ProcessHandle.current().pid();
        try (LocalCluster cluster = new LocalCluster("cpus:16;mem:16384;disk:4096;ports:[31000-32000]",
                Map.of("isolation", "cgroups/cpu,cgroups/mem", "io.pangaea.isolator.cgroups.cfg:cgroups_root",
                        root))) {
            run(cluster, "native + cgroups/cpu,cgroups/mem", null, TASKS, "sleep 1", 0.1, 64);
        } finally {
            LocalCluster.removeCgroupRoot(root);
        }
    }

    @Test
    public void docker() throws Exception {
        Map<String, String> agent = new HashMap<>(Map.of("containerizers", "native,docker"));
        String parallelism = System.getProperty("launch.dockerParallelism");
        if (parallelism != null) {
            agent.put("io.pangaea.containerizer.docker.cfg:launch_parallelism", parallelism);
        }
        try (LocalCluster cluster = new LocalCluster("cpus:16;mem:16384;disk:4096;ports:[31000-32000]", agent)) {
            for (String n : System.getProperty("launch.docker", "50,500").split(",")) {
                run(cluster, "docker `true` (busybox, network none)", "pangaea/busybox:test",
                        Integer.parseInt(n.trim()), "true", 0.01, 16);
            }
        }
    }

    private static void run(LocalCluster cluster, String what, String image, int count, String command,
                            double cpus, double mem) throws Exception {
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "launch-bench")) {
            JsonNode offer = fw.nextOffer(0);
            ObjectNode accept = fw.call("ACCEPT");
            ObjectNode a = accept.putObject("accept");
            a.putArray("offer_ids").add(offer.get("id"));
            ArrayNode tasks = a.putArray("operations").addObject().put("type", "LAUNCH").putObject("launch")
                    .putArray("task_infos");
            for (int i = 0; i < count; i++) {
                ObjectNode t = tasks.addObject().put("name", "t" + i);
                t.putObject("task_id").put("value", "t" + i);
                t.set("agent_id", offer.get("agent_id"));
                t.putObject("command").put("value", command);
                if (image != null) {
                    t.putObject("container").put("type", "DOCKER").putObject("docker").put("image", image)
                            .put("network", "NONE");
                }
                ArrayNode res = t.putArray("resources");
                res.addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar").put("value", cpus);
                res.addObject().put("name", "mem").put("type", "SCALAR").putObject("scalar").put("value", mem);
            }
            double machineBefore = machineCpuSeconds();
            double agentBefore = cluster.cpuSeconds()[1];
            double start = System.currentTimeMillis() / 1000.0;
            assertEquals(202, fw.post(accept).statusCode());
            Map<String, Double> running = new HashMap<>();
            Set<String> finished = new HashSet<>();
            double[] end = {0};
            int[] scanned = {0};
            Awaitility.await("all tasks finished").atMost(Duration.ofMinutes(15)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        for (int n = fw.events.size(); scanned[0] < n; scanned[0]++) {
                            JsonNode e = fw.events.get(scanned[0]);
                            String id = e.at("/update/status/task_id/value").asText();
                            String state = e.at("/update/status/state").asText();
                            if (state.equals("TASK_RUNNING")) {
                                running.putIfAbsent(id, fw.arrivals.get(scanned[0]));
                            } else if (state.equals("TASK_FINISHED")) {
                                finished.add(id);
                                end[0] = fw.arrivals.get(scanned[0]);
                            } else if (!state.equals("TASK_STARTING") && !state.isEmpty()) {
                                throw new AssertionError(e.toString());
                            }
                        }
                        return finished.size() == count;
                    });
            double machine = machineCpuSeconds() - machineBefore;
            double agent = cluster.cpuSeconds()[1] - agentBefore;
            double[] lat = running.values().stream().mapToDouble(t -> t - start).sorted().toArray();
            System.out.printf(Locale.ROOT, "%nBENCHMARK launch %s: %d tasks, launch-to-RUNNING median %.0f ms, p95 %.0f"
                            + " ms, max %.0f ms; all finished in %.2f s = %.1f tasks/s; CPU-s: machine %.1f (%.0f ms a"
                            + " task), agent %.1f%n%n", what, count,
                    lat[lat.length / 2] * 1000, lat[(int) (lat.length * 0.95)] * 1000, lat[lat.length - 1] * 1000,
                    end[0] - start, count / (end[0] - start), machine, machine * 1000 / count, agent);
            fw.teardown();
        }
    }

    /** CPU time the whole machine spent working (user, nice, system, irq, softirq) since boot, from /proc/stat. */
    static double machineCpuSeconds() throws java.io.IOException {
        String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long ticks = 0;
        for (int i : new int[] {1, 2, 3, 6, 7}) {
            ticks += Long.parseLong(f[i]);
        }
        return ticks / 100.0; // USER_HZ
    }
}
