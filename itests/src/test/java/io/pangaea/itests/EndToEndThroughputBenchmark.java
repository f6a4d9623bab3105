package io.pangaea.itests;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.Test;

/**
 * Tasks per second end to end: 300 {@code true} tasks of 0.01 cpus on one agent, from the first offer to the last
 * TASK_FINISHED reaching the framework, through the real master and agent distributions. The first round runs on
 * freshly started JVMs (cold); the following rounds on the same cluster (warm). Each round prints its figure and the
 * CPU time the master, the agent and the framework used. Run: {@code benchmarks/e2e-throughput.sh}.
 */
public class EndToEndThroughputBenchmark {

    private static final int TASKS = 300;
    private static final int ROUNDS = Integer.getInteger("pangaea.benchmark.rounds", 5);
    private static final Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR",
            "TASK_LOST", "TASK_DROPPED", "TASK_GONE");

    @Test
    public void threeHundredTrueTasks() throws Exception {
        try (LocalCluster cluster = new LocalCluster("cpus:2;mem:4096;disk:4096;ports:[31000-32000]");
             TestFramework fw = new TestFramework(cluster.masterUrl(), "throughput")) {
            int[] from = {0};
            Set<String> used = new HashSet<>();
            for (int round = 0; round < ROUNDS; round++) {
                round(cluster, fw, round, from, used);
            }
            fw.teardown();
        }
    }

    /** One round; offers are taken from event {@code from[0]} on, skipping the {@code used} ones. */
    private static void round(LocalCluster cluster, TestFramework fw, int round, int[] from, Set<String> used)
            throws Exception {
        nextOffer(fw, new int[] {from[0]});
        double startEpoch = System.currentTimeMillis() / 1000.0;
        double[] cpu0 = cluster.cpuSeconds();
        double self0 = selfCpu();
        int launched = 0;
        List<String> ids = new ArrayList<>();
        while (launched < TASKS) {
            int[] at = {from[0]};
            JsonNode offer = nextOffer(fw, at);
            from[0] = at[0] + 1;
            if (!used.add(offer.at("/id/value").asText())) {
                continue;
            }
            double cpus = scalar(offer, "cpus");
            double mem = scalar(offer, "mem");
            int fit = (int) Math.min(Math.floor(cpus / 0.01 + 1e-9), Math.floor(mem / 1));
            List<String> args = new ArrayList<>();
            for (int i = 0; i < fit && launched < TASKS; i++, launched++) {
                String id = "r" + round + "-t" + launched;
                ids.add(id);
                args.add(id);
                args.add("true");
            }
            assertEquals(202, fw.launch(offer, 0.01, 1, args.toArray(String[]::new)).statusCode());
        }
        // One wait for all: the end is when the last terminal update reached the framework.
        Set<String> pending = new HashSet<>(ids);
        double[] end = {0};
        int[] scanned = {0};
        Awaitility.await("all terminal updates").atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5)).until(() -> {
                    for (int n = fw.events.size(); scanned[0] < n; scanned[0]++) {
                        JsonNode e = fw.events.get(scanned[0]);
                        String state = e.at("/update/status/state").asText();
                        if (e.path("type").asText().equals("UPDATE") && TERMINAL.contains(state)
                                && pending.remove(e.at("/update/status/task_id/value").asText())) {
                            assertEquals("TASK_FINISHED", state);
                            end[0] = fw.arrivals.get(scanned[0]);
                        }
                    }
                    return pending.isEmpty();
                });
        double secs = end[0] - startEpoch;
        double[] cpu1 = cluster.cpuSeconds();
        System.out.printf("%nBENCHMARK e2e-throughput round %d (%s): %d tasks in %.2f s = %.1f tasks/s"
                        + " (CPU s: master %.2f, agent %.2f, framework %.2f)%n%n", round + 1, round == 0 ? "cold" : "warm",
                TASKS, secs, TASKS / secs, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1], selfCpu() - self0);
        if (Boolean.getBoolean("pangaea.benchmark.timeline")) {
            for (int i = 0; i < fw.events.size(); i++) {
                JsonNode e = fw.events.get(i);
                if (e.path("type").asText().equals("UPDATE")
                        && e.at("/update/status/task_id/value").asText().startsWith("r" + round + "-")) {
                    System.out.printf("T %.3f %.3f %s %s%n", e.at("/update/status/timestamp").asDouble(),
                            fw.arrivals.get(i), e.at("/update/status/task_id/value").asText(),
                            e.at("/update/status/state").asText());
                }
            }
        }
    }

    /** The first OFFERS event at or after {@code at[0]}; its index is left in {@code at[0]}. */
    private static JsonNode nextOffer(TestFramework fw, int[] at) {
        return Awaitility.await("an offer").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5)).until(() -> {
                    for (int i = at[0]; i < fw.events.size(); i++) {
                        if (fw.events.get(i).path("type").asText().equals("OFFERS")) {
                            at[0] = i;
                            return fw.events.get(i).at("/offers/offers/0");
                        }
                    }
                    return null;
                }, x -> x != null);
    }

    private static double scalar(JsonNode offer, String name) {
        for (JsonNode r : offer.get("resources")) {
            if (r.get("name").asText().equals(name)) {
                return r.at("/scalar/value").asDouble();
            }
        }
        return 0;
    }

    private static double selfCpu() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }
}
