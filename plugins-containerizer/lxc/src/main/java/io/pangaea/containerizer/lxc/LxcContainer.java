package io.pangaea.containerizer.lxc;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One task's LXC container: an {@code lxc-execute} process, child of the agent. Its exit is the task's; then the
 * container is destroyed. A kill sends SIGTERM to {@code lxc-execute}, which passes it to the task through the
 * container's init, and after the grace period {@code lxc-stop -k} ends what is left.
 */
final class LxcContainer implements Container {

    private final ContainerId id;
    private final String name;
    private final Lxc lxc;
    private final Process process;
    private volatile long memLimit;
    private volatile Double cpusLimit;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<Termination> termination = new CompletableFuture<>();
    private final AtomicBoolean killing = new AtomicBoolean();
    private volatile long pid = -1;

    LxcContainer(ContainerId id, String name, Lxc lxc, Process process, long memLimit, Double cpusLimit,
                 ScheduledExecutorService timers, Runnable remove) {
        this.id = id;
        this.name = name;
        this.lxc = lxc;
        this.process = process;
        this.memLimit = memLimit;
        this.cpusLimit = cpusLimit;
        this.timers = timers;
        process.onExit().thenAcceptAsync(p -> {
            int code = p.exitValue();
            remove.run();
            if (killing.get() && code > 128 && code < 160) {
                termination.complete(Termination.signaled(code - 128));
            } else {
                termination.complete(Termination.exited(code));
            }
        }, timers);
    }

    @Override
    public ContainerId id() {
        return id;
    }

    @Override
    public long pid() {
        long p = pid;
        if (p <= 0 && process.isAlive()) {
            p = lxc.initPid(name);
            pid = p;
        }
        return p;
    }

    @Override
    public CompletionStage<Termination> termination() {
        return termination;
    }

    @Override
    public void kill(Duration gracePeriod) {
        if (!killing.compareAndSet(false, true) || !process.isAlive()) {
            return;
        }
        process.destroy();
        timers.schedule(() -> {
            if (process.isAlive()) {
                try {
                    lxc.stopNow(name);
                } catch (IOException e) {
                    process.destroyForcibly();
                }
            }
        }, gracePeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** New memory and CPU limits for the running container, through {@code lxc-cgroup} (v1 or v2 keys). */
    @Override
    public void update(io.pangaea.model.Resources resources) throws io.pangaea.agent.spi.ContainerException {
        boolean v1 = LxcConfig.cgroupV1();
        double mem = resources.scalar("mem");
        double cpus = resources.scalar("cpus");
        try {
            if (mem > 0) {
                long bytes = Math.max(32L << 20, (long) (mem * (1L << 20)));
                set(v1 ? "memory.limit_in_bytes" : "memory.max", Long.toString(bytes));
                memLimit = bytes;
            }
            if (cpus > 0) {
                long shares = Math.max(2, (long) (cpus * 1024));
                set(v1 ? "cpu.shares" : "cpu.weight", Long.toString(v1 ? shares
                        : Math.max(1, Math.min(10_000, shares * 100 / 1024))));
                cpusLimit = cpus;
            }
        } catch (IOException e) {
            throw new io.pangaea.agent.spi.ContainerException("lxc-cgroup failed for " + name + ": " + e.getMessage());
        }
    }

    private void set(String key, String value) throws IOException, io.pangaea.agent.spi.ContainerException {
        Lxc.Result r = lxc.cgroup(name, key, value);
        if (!r.ok()) {
            throw new io.pangaea.agent.spi.ContainerException("lxc-cgroup " + key + " " + value + " failed: "
                    + r.output().trim());
        }
    }

    /** CPU and memory of the container's cgroup, found from its init's {@code /proc/PID/cgroup}. */
    @Override
    public ResourceStatistics usage() {
        double now = System.currentTimeMillis() / 1000.0;
        long p = pid();
        Double user = null;
        Double system = null;
        Long rss = null;
        Integer procs = null;
        if (p > 0) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + p + "/cgroup"))) {
                    String[] f = line.split(":", 3);
                    if (f.length < 3) {
                        continue;
                    }
                    List<String> controllers = List.of(f[1].split(","));
                    if (controllers.contains("cpuacct")) {
                        for (String s : read(Path.of("/sys/fs/cgroup/cpuacct" + f[2]), "cpuacct.stat")) {
                            if (s.startsWith("user ")) {
                                user = Long.parseLong(s.substring(5).trim()) / 100.0;
                            } else if (s.startsWith("system ")) {
                                system = Long.parseLong(s.substring(7).trim()) / 100.0;
                            }
                        }
                    } else if (controllers.contains("memory")) {
                        for (String s : read(Path.of("/sys/fs/cgroup/memory" + f[2]), "memory.stat")) {
                            if (s.startsWith("total_rss ")) {
                                rss = Long.parseLong(s.substring(10).trim());
                            }
                        }
                    } else if (controllers.contains("pids")) {
                        List<String> cur = read(Path.of("/sys/fs/cgroup/pids" + f[2]), "pids.current");
                        procs = cur.isEmpty() ? null : Integer.valueOf(cur.get(0).trim());
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the container is gone or its cgroups are elsewhere: report what was read
            }
        }
        return new ResourceStatistics(now, procs, null, user, system, cpusLimit, rss,
                memLimit > 0 ? memLimit : null);
    }

    private static List<String> read(Path dir, String file) throws IOException {
        Path f = dir.resolve(file);
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }
}
