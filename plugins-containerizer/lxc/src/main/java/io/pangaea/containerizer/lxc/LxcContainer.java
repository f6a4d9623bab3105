package io.pangaea.containerizer.lxc;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Supervisor;
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
 * One task's LXC container: an {@code lxc-execute} process under a {@link Supervisor}, which records its exit status
 * in the container's runtime directory, so that the end is seen alike by the agent that launched the container and by
 * one that recovered it after a restart. When the supervisor has ended, the container is destroyed. A kill sends
 * SIGTERM to {@code lxc-execute}, which passes it to the task through the container's init, and after the grace
 * period {@code lxc-stop -k} ends what is left.
 */
final class LxcContainer implements Container {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LxcContainer.class);

    private final ContainerId id;
    private final String name;
    private final Lxc lxc;
    /** {@code lxc-execute}'s pid and start time, as the supervisor reported them. */
    private final long executePid;
    private final long executeStart;
    private final Path runtimeDir;
    /** The write end of an ephemeral container's pipe (see {@link Supervisor}): open while it may run, else null. */
    private final java.io.Closeable lifeline;
    private volatile long memLimit;
    private volatile Double cpusLimit;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<Termination> termination = new CompletableFuture<>();
    private final AtomicBoolean killing = new AtomicBoolean();
    private volatile long pid = -1;

    LxcContainer(ContainerId id, String name, Lxc lxc, long executePid, long executeStart, Path runtimeDir,
                 java.io.Closeable lifeline, long memLimit, Double cpusLimit, ScheduledExecutorService timers) {
        this.id = id;
        this.name = name;
        this.lxc = lxc;
        this.executePid = executePid;
        this.executeStart = executeStart;
        this.runtimeDir = runtimeDir;
        this.lifeline = lifeline;
        this.memLimit = memLimit;
        this.cpusLimit = cpusLimit;
        this.timers = timers;
    }

    /** Watches the supervisor's end; {@code remove} destroys the container, before the termination completes. */
    void watch(CompletionStage<?> supervisorEnded, Runnable remove) {
        supervisorEnded.thenRunAsync(() -> {
            Integer code = Supervisor.status(runtimeDir).orElse(null);
            if (code == null) {
                // the supervisor was killed: nothing may run on unwatched
                LOG.warn("LXC container {}: its supervisor ended without recording the exit status", name);
                Supervisor.same(executePid, executeStart).ifPresent(ProcessHandle::destroyForcibly);
                stopNow();
            }
            closeLifeline();
            try {
                remove.run();
            } finally {
                if (code == null) {
                    termination.complete(new Termination(null, null, null, "The container's supervisor ended"
                            + " without recording the task's exit status"));
                } else if (killing.get() && code > 128 && code < 160) {
                    termination.complete(Termination.signaled(code - 128));
                } else {
                    termination.complete(Termination.exited(code));
                }
            }
        }, timers);
    }

    /** For tests: what the end of the agent's JVM does to an ephemeral container's pipe. */
    void closeLifeline() {
        if (lifeline != null) {
            try {
                lifeline.close();
            } catch (IOException ignored) {
                // the supervisor is gone already
            }
        }
    }

    @Override
    public ContainerId id() {
        return id;
    }

    /** The container's init as the host sees it (found once, through {@code lxc-info}). */
    @Override
    public long pid() {
        long p = pid;
        if (p <= 0 && !termination.isDone()) {
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
        if (!killing.compareAndSet(false, true) || termination.isDone()) {
            return;
        }
        Supervisor.same(executePid, executeStart).ifPresent(ProcessHandle::destroy);
        timers.schedule(() -> {
            if (!termination.isDone()) {
                stopNow();
            }
        }, Math.max(0, gracePeriod.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Ends the container at once: {@code lxc-stop -k}, and {@code lxc-execute} itself if that fails. */
    private void stopNow() {
        try {
            Lxc.Result r = lxc.stopNow(name);
            if (r.ok()) {
                return;
            }
        } catch (IOException e) {
            LOG.debug("lxc-stop {}: {}", name, e.toString());
        }
        Supervisor.same(executePid, executeStart).ifPresent(ProcessHandle::destroyForcibly);
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
