package io.pangaea.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the master's and the agent's {@code /metrics/snapshot} share, and the v1 {name, value} lists. */
public final class Metrics {

    private Metrics() {}

    /** {@code system/*}: cores, load averages and memory, from /proc; off Linux only {@code system/cpus_total}. */
    public static void addSystem(ObjectNode m) {
        m.put("system/cpus_total", (double) Runtime.getRuntime().availableProcessors());
        try {
            String[] load = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            m.put("system/load_1min", Double.parseDouble(load[0]));
            m.put("system/load_5min", Double.parseDouble(load[1]));
            m.put("system/load_15min", Double.parseDouble(load[2]));
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                String[] f = line.split("\\s+");
                if (f[0].equals("MemTotal:")) {
                    m.put("system/mem_total_bytes", Double.parseDouble(f[1]) * 1024);
                } else if (f[0].equals("MemAvailable:")) {
                    m.put("system/mem_free_bytes", Double.parseDouble(f[1]) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the load and memory figures are left out
        }
    }

    /**
     * {@code <prefix>/<resource>_total}, {@code _used} and {@code _percent} (used over total), and the revocable
     * ones, which are zero: Pangaea offers no revocable resources.
     */
    public static void addResource(ObjectNode m, String prefix, String resource, double total, double used) {
        m.put(prefix + resource + "_total", total);
        m.put(prefix + resource + "_used", used);
        m.put(prefix + resource + "_percent", total == 0 ? 0.0 : used / total);
        m.put(prefix + resource + "_revocable_total", 0.0);
        m.put(prefix + resource + "_revocable_used", 0.0);
        m.put(prefix + resource + "_revocable_percent", 0.0);
    }

    /** A map as the v1 APIs list flags and metrics: {@code [{"name": key, "value": value}, ...]}. */
    public static ArrayNode nameValueList(ObjectNode map) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        map.fields().forEachRemaining(e -> list.addObject().put("name", e.getKey()).set("value", e.getValue()));
        return list;
    }

    /**
     * A timer as libprocess reports one: the last value under its name, and {@code /count}, {@code /min},
     * {@code /max} and the percentiles {@code /p50} ... {@code /p9999} over the most recent samples (a window of
     * {@value #WINDOW}). Values in milliseconds. Thread-safe.
     */
    public static final class Timer {
        static final int WINDOW = 1000;
        private final double[] samples = new double[WINDOW];
        private long count;
        private double last;

        public synchronized void record(double millis) {
            samples[(int) (count % WINDOW)] = millis;
            count++;
            last = millis;
        }

        public synchronized long count() {
            return count;
        }

        /** Adds {@code name} and its statistics; nothing until the first sample. */
        public void addTo(ObjectNode m, String name) {
            double[] window;
            double lastValue;
            long n;
            synchronized (this) {
                n = count;
                if (n == 0) {
                    return;
                }
                window = java.util.Arrays.copyOf(samples, (int) Math.min(n, WINDOW));
                lastValue = last;
            }
            java.util.Arrays.sort(window);
            m.put(name, lastValue);
            m.put(name + "/count", (double) window.length);
            m.put(name + "/min", window[0]);
            m.put(name + "/max", window[window.length - 1]);
            for (String[] p : new String[][] {{"p50", "0.5"}, {"p90", "0.9"}, {"p95", "0.95"}, {"p99", "0.99"},
                {"p999", "0.999"}, {"p9999", "0.9999"}}) {
                m.put(name + "/" + p[0], percentile(window, Double.parseDouble(p[1])));
            }
        }

        /** Linear interpolation between the closest ranks of a sorted window. */
        static double percentile(double[] sorted, double q) {
            if (sorted.length == 1) {
                return sorted[0];
            }
            double rank = q * (sorted.length - 1);
            int lo = (int) Math.floor(rank);
            int hi = Math.min(lo + 1, sorted.length - 1);
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
        }
    }
}
