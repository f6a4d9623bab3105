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

    @Test
    public void threeHundredTrueTasks() throws Exception {
        try (LocalCluster cluster = new LocalCluster("cpus:2;mem:4096;disk:4096;ports:[31000-32000]");
             TestFramework fw = new TestFramework(cluster.masterUrl(), "throughput")) {
            fw.nextOffer(0);
            long start = System.nanoTime();
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
            for (String id : ids) {
                assertEquals("TASK_FINISHED", fw.terminalUpdate(id).at("/update/status/state").asText());
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf("%nBENCHMARK e2e-throughput: %d tasks in %.2f s = %.1f tasks/s%n%n", TASKS, secs,
                    TASKS / secs);
            fw.teardown();
        }
    }
}
