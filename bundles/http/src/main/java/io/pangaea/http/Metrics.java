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
}
