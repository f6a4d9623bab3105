package io.pangaea.isolator.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the cgroup hierarchies are mounted, read from {@code /proc/self/mountinfo}: each cgroup v1 controller's
 * mount, and the cgroup v2 unified mount with the controllers it offers. A controller is used through v1 when it is
 * mounted there, else through v2 when the unified hierarchy has it.
 */
public final class CgroupFs {

    private final Map<String, Path> v1 = new HashMap<>();
    private final Path unified;
    private final List<String> unifiedControllers;

    CgroupFs(Map<String, Path> v1, Path unified, List<String> unifiedControllers) {
        this.v1.putAll(v1);
        this.unified = unified;
        this.unifiedControllers = unifiedControllers;
    }

    /** The hierarchies of this machine. */
    public static CgroupFs detect() {
        return parse(read(Path.of("/proc/self/mountinfo")));
    }

    static CgroupFs parse(String mountinfo) {
        Map<String, Path> v1 = new HashMap<>();
        Path unified = null;
        for (String line : mountinfo.split("\n")) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = line.substring(0, dash).split(" ");
            String[] right = line.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            Path mount = Path.of(left[4]);
            if (right[0].equals("cgroup2")) {
                unified = mount;
            } else if (right[0].equals("cgroup")) {
                for (String opt : right[2].split(",")) {
                    if (!opt.equals("rw") && !opt.equals("ro") && !opt.startsWith("name=") && !opt.contains("=")
                            && !opt.equals("relatime") && !opt.equals("clone_children")) {
                        v1.putIfAbsent(opt, mount);
                    }
                }
            }
        }
        List<String> controllers = List.of();
        if (unified != null) {
            String c = read(unified.resolve("cgroup.controllers")).trim();
            controllers = c.isEmpty() ? List.of() : List.of(c.split("\\s+"));
        }
        return new CgroupFs(v1, unified, controllers);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** The v1 mount of {@code controller}, or null. */
    public Path v1(String controller) {
        return v1.get(controller);
    }

    /** The v2 unified mount when it offers {@code controller}, or null. */
    public Path v2(String controller) {
        return unified != null && unifiedControllers.contains(controller) ? unified : null;
    }

    /** True when {@code controller} can be used at all. */
    public boolean has(String controller) {
        return v1(controller) != null || v2(controller) != null;
    }

    @Override
    public String toString() {
        return "cgroup v1 " + v1 + ", v2 " + unified + " " + unifiedControllers;
    }
}
