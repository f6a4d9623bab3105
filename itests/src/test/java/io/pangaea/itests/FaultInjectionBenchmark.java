package io.pangaea.itests;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.Test;

/**
 * The fault-injection run of {@link FaultInjection}, larger than CI's: the masters keep the default
 * {@code zk_session_timeout} (10 s; {@code -Dfaults.zkSessionTimeout} to change it), tasks of 0.5 s, four per offer,
 * and the whole series of faults {@code -Dfaults.rounds} times (3 by default). Prints each figure's median and
 * maximum over the rounds ({@code BENCHMARK fault ...}) and the accounting of every task. Run it with
 * {@code benchmarks/faults.sh}.
 */
public class FaultInjectionBenchmark {

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    @Test
    public void faultsUnderLoad() throws Exception {
        int rounds = Integer.getInteger("faults.rounds", 3);
        String session = System.getProperty("faults.zkSessionTimeout", "10secs");
        try (FaultInjection f = new FaultInjection(0.5, 4, session)) {
            f.warmUp();
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                f.killLeadingMaster();
                f.killAndRestartAgent(r % 2);
                f.stopAndContinueAgent((r + 1) % 2);
                f.restartZooKeeper();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            FaultInjection.Report report = f.finish();
            System.out.printf(Locale.ROOT, "%nBENCHMARK fault injection: 3 masters (zk_session_timeout %s), ZooKeeper"
                    + " in its own process, 2 agents (pings %d x %d s); %d rounds of 4 faults in %.0f s%n", session,
                    FaultInjection.MAX_PINGS, FaultInjection.PING.toSeconds(), rounds, seconds);
            for (Map.Entry<String, List<Double>> e : f.figures.entrySet()) {
                System.out.printf(Locale.ROOT, "BENCHMARK fault %s: median %.1f s, max %.1f s over %s%n", e.getKey(),
                        median(e.getValue()), e.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(0),
                        e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList());
            }
            System.out.printf(Locale.ROOT, "BENCHMARK fault tasks: %s%n", report);
            assertEquals(report.toString(), 0, report.lost());
            assertEquals(report.toString(), 0, report.neverEnded());
            assertEquals(report.toString(), 0, report.conflictingEnds());
            assertEquals(report.toString(), 0, report.duplicateLaunches());
        }
    }
}
