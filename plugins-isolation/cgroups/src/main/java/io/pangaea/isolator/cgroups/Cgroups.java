package io.pangaea.isolator.cgroups;

import io.pangaea.agent.spi.ContainerException;
import io.pangaea.model.ContainerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cgroups one isolator makes for its containers: one directory per controller ({@code <mount>/<root>/<id>}) under
 * v1, or one under the v2 unified mount. The task's process enters them itself before it execs the task (the
 * command prefix from {@link #entryPrefix}), so nothing it forks escapes.
 */
final class Cgroups {

    /** A container's cgroup for one controller (v1), or for all (v2). */
    record Dir(Path path, boolean v2) {
        Path file(String name) {
            return path.resolve(name);
        }

        void write(String name, String value) throws ContainerException {
            try {
                Files.writeString(file(name), value);
            } catch (IOException e) {
                throw new ContainerException("Cannot write " + value + " to " + file(name) + ": " + e.getMessage(), e);
            }
        }

        String read(String name) {
            try {
                return Files.readString(file(name)).trim();
            } catch (IOException e) {
                return null;
            }
        }

        /** The value of {@code key} in a "key value" per line file (memory.stat, cpu.stat, memory.events...). */
        Long keyed(String name, String key) {
            String all = read(name);
            if (all == null) {
                return null;
            }
            for (String line : all.split("\n")) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    try {
                        return Long.parseLong(kv[1]);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);

    private final CgroupFs fs;
    private final String root;
    private final CgroupReaper reaper;
    private final List<String> controllers;
    private final Map<ContainerId, List<Dir>> dirs = new ConcurrentHashMap<>();
    private final Map<ContainerId, Map<String, Dir>> byController = new ConcurrentHashMap<>();

    Cgroups(CgroupFs fs, String root, List<String> controllers) {
        this(fs, root, controllers, false);
    }

    /**
     * With {@code freezeOnDestroy}, the containers are also put in a v1 freezer cgroup (when that hierarchy is
     * mounted), so that {@link #destroy} can stop every process at once before it kills them: killing processes one
     * by one loses to a fork bomb, which refills each freed slot. Under v2, {@code cgroup.kill} does it in one write.
     */
    Cgroups(CgroupFs fs, String root, List<String> controllers, boolean freezeOnDestroy) {
        this(fs, root, controllers, freezeOnDestroy, CgroupReaper.SHARED);
    }

    /** With {@code reaper} for the cgroups that cannot be removed at once. */
    Cgroups(CgroupFs fs, String root, List<String> controllers, boolean freezeOnDestroy, CgroupReaper reaper) {
        this.reaper = reaper;
        this.fs = fs;
        this.root = root;
        List<String> all = new ArrayList<>(controllers);
        if (freezeOnDestroy && fs.v1("freezer") != null && !all.contains("freezer")) {
            all.add("freezer");
        }
        this.controllers = List.copyOf(all);
    }

    /** Creates the container's cgroups; throws when a controller is not available on this machine. */
    List<Dir> create(ContainerId id) throws ContainerException {
        List<Dir> out = new ArrayList<>();
        Map<String, Dir> map = new java.util.HashMap<>();
        for (String c : controllers) {
            Path v1 = fs.v1(c);
            Path base;
            boolean v2;
            if (v1 != null) {
                base = v1;
                v2 = false;
            } else if (fs.v2(c) != null) {
                base = fs.v2(c);
                v2 = true;
                enableV2(base, c);
            } else {
                throw new ContainerException("cgroup controller '" + c + "' is not available on this machine (" + fs
                        + ")");
            }
            Path dir = base.resolve(root).resolve(id.value());
            Dir existing = out.stream().filter(d -> d.path().equals(dir)).findFirst().orElse(null);
            if (existing != null) {
                map.put(c, existing); // co-mounted controllers (cpu,cpuacct) or v2: one directory
                continue;
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new ContainerException("Cannot create cgroup " + dir + ": " + e.getMessage(), e);
            }
            Dir d = new Dir(dir, v2);
            out.add(d);
            map.put(c, d);
        }
        dirs.put(id, out);
        byController.put(id, map);
        return out;
    }

    /** The container's cgroup for {@code controller}, or null. */
    Dir dir(ContainerId id, String controller) {
        Map<String, Dir> m = byController.get(id);
        return m == null ? null : m.get(controller);
    }

    /** v2: the controllers must be enabled in every ancestor's subtree_control. */
    private void enableV2(Path unified, String controller) throws ContainerException {
        Path parent = unified;
        Path rootDir = unified.resolve(root);
        try {
            Files.createDirectories(rootDir);
            for (Path p : List.of(parent, rootDir)) {
                Files.writeString(p.resolve("cgroup.subtree_control"), "+" + controller);
            }
        } catch (IOException e) {
            throw new ContainerException("Cannot enable the '" + controller + "' controller under " + rootDir + ": "
                    + e.getMessage(), e);
        }
    }

    List<Dir> dirs(ContainerId id) {
        return dirs.getOrDefault(id, List.of());
    }

    /** A prefix for the launch: {@code sh -c 'echo $$ > .../cgroup.procs && exec "$@"' pangaea-cgroups}. */
    static List<String> entryPrefix(List<Dir> dirs) {
        StringBuilder script = new StringBuilder();
        for (Dir d : dirs) {
            script.append("echo $$ > '").append(d.file("cgroup.procs")).append("' && ");
        }
        script.append("exec \"$@\"");
        return List.of("/bin/sh", "-c", script.toString(), "pangaea-cgroups");
    }

    /**
     * Kills whatever is left in the container's cgroups and removes them. A cgroup that cannot be removed within
     * a few seconds is left to the {@link CgroupReaper}, which keeps trying, and this method then throws, naming
     * it, so that the containerizer counts a destroy error.
     */
    void destroy(ContainerId id) {
        List<Dir> list = dirs.remove(id);
        Map<String, Dir> map = byController.remove(id);
        if (list == null) {
            return;
        }
        List<Path> busy = new ArrayList<>();
        Dir freezer = map == null ? null : map.get("freezer");
        if (freezer != null && !freezer.v2()) {
            freezeAndKill(id, freezer);
        }
        for (Dir d : list) {
            if (d.v2() && Files.exists(d.file("cgroup.kill"))) {
                try {
                    Files.writeString(d.file("cgroup.kill"), "1");
                } catch (IOException ignored) {
                    // the loop below kills one by one
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean warned = false;
            while (true) {
                List<ProcessHandle> left = members(d);
                if (left.isEmpty() || System.nanoTime() > deadline) {
                    break;
                }
                if (System.nanoTime() > deadline - TimeUnit.SECONDS.toNanos(5) && !warned) {
                    LOG.warn("Container {}: {} process(es) still in cgroup {} after 5 s of killing", id.value(),
                            left.size(), d.path());
                    warned = true;
                }
                left.forEach(ProcessHandle::destroyForcibly);
                for (ProcessHandle h : left) {
                    try {
                        h.onExit().get(100, TimeUnit.MILLISECONDS);
                    } catch (Exception ignored) {
                        // checked again on the next round
                    }
                }
            }
            if (!removeWhenEmpty(d.path())) {
                LOG.warn("Container {}: cgroup {} could not be removed within 5 s; removing it in the background",
                        id.value(), d.path());
                reaper.retry(d.path(), id.value());
                busy.add(d.path());
            }
        }
        if (!busy.isEmpty()) {
            throw new IllegalStateException("cgroup(s) " + busy + " of container " + id.value()
                    + " could not be removed yet; retrying in the background");
        }
    }

    /**
     * Freezes the cgroup, sends SIGKILL to every process in it while none of them can fork, and thaws it so that the
     * signals are delivered. Whatever is left (a cgroup that would not freeze in time) goes to the loop in
     * {@link #destroy}.
     */
    private static void freezeAndKill(ContainerId id, Dir freezer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (System.nanoTime() < deadline) {
                // a freeze can stay FREEZING while a process is in the middle of a fork; writing again retries it
                Files.writeString(freezer.file("freezer.state"), "FROZEN");
                if ("FROZEN".equals(freezer.read("freezer.state"))) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            members(freezer).forEach(ProcessHandle::destroyForcibly);
        } catch (IOException e) {
            // the loop in destroy kills one by one
            LOG.info("Container {}: cannot freeze {} ({}); killing its processes one by one", id.value(),
                    freezer.path(), e.toString());
        } finally {
            try {
                Files.writeString(freezer.file("freezer.state"), "THAWED");
            } catch (IOException ignored) {
                // gone already
            }
        }
    }

    static List<ProcessHandle> members(Dir d) {
        String procs = d.read("cgroup.procs");
        List<ProcessHandle> out = new ArrayList<>();
        if (procs == null || procs.isEmpty()) {
            return out;
        }
        for (String pid : procs.split("\\s+")) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(out::add);
        }
        return out;
    }

    /** Removes the cgroup once the kernel lets go of it, waiting up to 5 s; false when it is still there. */
    private static boolean removeWhenEmpty(Path dir) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!CgroupReaper.removeNow(dir)) {
            // EBUSY while the last process is being reaped by the kernel
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return true;
    }
}
