package io.pangaea.agent.internal;

import io.pangaea.model.Attribute;
import io.pangaea.model.Range;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agent offers: the {@code resources} setting (Mesos syntax), plus detected cpus, mem, disk and ports for
 * the names it does not mention. Detection follows Mesos: all cores; memory less 1 GB (or half, on small hosts);
 * the work dir's file system less 5 GB (or half); ports 31000-32000.
 */
public final class ResourceDetector {

    private ResourceDetector() {}

    public static Resources resources(String configured, Path workDir) {
        Resources given = Resources.parse(configured);
        List<String> names = given.names();
        List<Resource> out = new ArrayList<>(given.toList());
        if (!names.contains("cpus")) {
            out.add(Resource.scalar("cpus", Runtime.getRuntime().availableProcessors()));
        }
        if (!names.contains("mem")) {
            long mb = totalMemoryMb();
            out.add(Resource.scalar("mem", mb >= 2048 ? mb - 1024 : mb / 2));
        }
        if (!names.contains("disk")) {
            long mb = diskMb(workDir);
            out.add(Resource.scalar("disk", mb >= 10240 ? mb - 5120 : mb / 2));
        }
        if (!names.contains("ports")) {
            out.add(Resource.ranges("ports", List.of(new Range(31000, 32000))));
        }
        return Resources.of(out);
    }

    static long totalMemoryMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    static long diskMb(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.getFileStore(dir).getTotalSpace() / (1024 * 1024);
        } catch (IOException e) {
            return 0;
        }
    }

    /** {@code rack:r1;level:2} into attributes: numbers as SCALAR, the rest as TEXT. */
    public static List<Attribute> attributes(String text) {
        List<Attribute> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String item : text.split(";")) {
            int colon = item.indexOf(':');
            if (colon <= 0 || colon == item.length() - 1) {
                throw new IllegalArgumentException("Bad attribute '" + item + "': expected name:value");
            }
            String name = item.substring(0, colon).trim();
            String value = item.substring(colon + 1).trim();
            try {
                out.add(Attribute.scalar(name, Double.parseDouble(value)));
            } catch (NumberFormatException e) {
                out.add(Attribute.text(name, value));
            }
        }
        return out;
    }
}
