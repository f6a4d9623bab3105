package io.pangaea.itests;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/**
 * Tasks per second end to end: 300 {@code true} tasks of 0.01 cpus on one agent, from the first offer to the last
 * TASK_FINISHED, through the real master and agent distributions. Run: {@code benchmarks/e2e-throughput.sh}.
 */
public class EndToEndThroughputBenchmark {

    private static final int TASKS = 300;
    private static final Set<String> TERMINAL = Set.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR",
            "TASK_LOST", "TASK_DROPPED", "TASK_GONE");

    @Test
    public void threeHundredTrueTasks() throws Exception {
        try (LocalCluster cluster = new LocalCluster("cpus:2;mem:4096;disk:4096;ports:[31000-32000]");
             TestFramework fw = new TestFramework(cluster.masterUrl(), "throughput")) {
            fw.nextOffer(0);
            double startEpoch = System.currentTimeMillis() / 1000.0;
            int launched = 0;
            int from = 0;
            List<String> ids = new ArrayList<>();
            Set<String> used = new HashSet<>();
            while (launched < TASKS) {
                JsonNode offer = fw.nextOffer(from);
                from = fw.events.indexOf(fw.events.stream().filter(e -> e.path("type").asText().equals("OFFERS")
                        && e.at("/offers/offers/0").equals(offer)).findFirst().orElseThrow()) + 1;
                if (!used.add(offer.at("/id/value").asText())) {
                    continue;
                }
                double cpus = 0;
                double mem = 0;
                for (JsonNode r : offer.get("resources")) {
                    if (r.get("name").asText().equals("cpus")) {
                        cpus = r.at("/scalar/value").asDouble();
                    }
                    if (r.get("name").asText().equals("mem")) {
                        mem = r.at("/scalar/value").asDouble();
                    }
                }
                int fit = (int) Math.min(Math.floor(cpus / 0.01 + 1e-9), Math.floor(mem / 1));
                List<String> args = new ArrayList<>();
                for (int i = 0; i < fit && launched < TASKS; i++, launched++) {
                    String id = "t" + launched;
                    ids.add(id);
                    args.add(id);
                    args.add("true");
                }
                if (!args.isEmpty()) {
                    assertEquals(202, fw.launch(offer, 0.01, 1, args.toArray(String[]::new)).statusCode());
                }
            }
            // One wait for all: the end is when the last terminal update reached the framework.
            Set<String> pending = new HashSet<>(ids);
            double[] end = {0};
            int[] scanned = {0};
            org.awaitility.Awaitility.await("all terminal updates").atMost(java.time.Duration.ofSeconds(120))
                    .pollDelay(java.time.Duration.ZERO).pollInterval(java.time.Duration.ofMillis(5)).until(() -> {
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
            System.out.printf("%nBENCHMARK e2e-throughput: %d tasks in %.2f s = %.1f tasks/s%n%n", TASKS, secs,
                    TASKS / secs);
            if (Boolean.getBoolean("pangaea.benchmark.timeline")) {
                for (int i = 0; i < fw.events.size(); i++) {
                    JsonNode e = fw.events.get(i);
                    String type = e.path("type").asText();
                    if (type.equals("UPDATE")) {
                        System.out.printf("T %.3f %.3f %s %s%n", e.at("/update/status/timestamp").asDouble(),
                                fw.arrivals.get(i),
                                e.at("/update/status/task_id/value").asText(), e.at("/update/status/state").asText());
                    } else if (type.equals("OFFERS")) {
                        System.out.println("OFFERS");
                    }
                }
            }
            fw.teardown();
        }
    }
}
