package io.pangaea.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code system/*} metrics of {@code /metrics/snapshot}: cores, load averages and memory, from /proc. */
public final class SystemMetrics {

    private SystemMetrics() {}

    /** Adds what can be read; off Linux only {@code system/cpus_total}. */
    public static void addTo(ObjectNode m) {
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
}
