package io.pangaea.agent.internal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the sandboxes of ended containers, as Mesos's agent does: each becomes garbage when its executor ends
 * (for a command task: when its last update is acknowledged) and goes {@code gc_delay} later (1 week by default).
 * Every {@code disk_watch_interval} the disk holding {@code work_dir} is measured, and the delay shrinks as it fills:
 * what became garbage longer ago than {@code gc_delay × max(0, 1 − gc_disk_headroom − disk usage)} goes at once, so
 * frequent jobs and restart loops cannot fill the disk. Sandboxes that an earlier run of the agent left (found at
 * start, dated by their last change) are scheduled the same way. Empty executor and framework directories go with
 * their last sandbox. Runs on the state thread; deletions on a worker.
 * Must not touch: the sandbox of anything still running (only what the agent says has ended is scheduled).
 */
final class GarbageCollector extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

    /** What became garbage, and when (ms since the epoch). */
    private final Map<Path, Long> scheduled = new HashMap<>();
    private ScheduledFuture<?> watch;
    /** The fraction of the work_dir's disk in use, 0 to 1; replaceable for tests. */
    private DoubleSupplier diskUsage = this::measuredDiskUsage;
    private double lastUsage;

    GarbageCollector(AgentContext ctx) {
        super(ctx);
    }

    /** Starts the disk watch (state thread). */
    void start() {
        reschedule();
    }

    /** For tests: the disk usage the collector sees. */
    void diskUsage(DoubleSupplier usage) {
        this.diskUsage = usage;
    }

    private void reschedule() {
        if (watch != null) {
            watch.cancel(false);
        }
        long every = Math.max(10, config().gc().diskWatchInterval().toMillis());
        watch = state.scheduleWithFixedDelay(this::prune, every, every, TimeUnit.MILLISECONDS);
    }

    /** The settings changed: the watch follows the new interval. */
    void reconfigured() {
        if (watch != null) {
            reschedule();
        }
    }

    /** {@code dir} (a sandbox) is garbage from {@code since} on (ms since the epoch). State thread. */
    void schedule(Path dir, long since) {
        if (dir == null) {
            return;
        }
        scheduled.merge(dir, since, Math::min);
        long delay = Math.max(0, since + config().gc().delay().toMillis() - System.currentTimeMillis());
        // a short delay is served by its own timer; the disk watch takes care of the others
        if (delay < config().gc().diskWatchInterval().toMillis()) {
            state.schedule(this::prune, delay + 1, TimeUnit.MILLISECONDS);
        }
    }

    /** Sandboxes waiting to be removed (Mesos's {@code gc/path_removals_pending}). */
    int pending() {
        return scheduled.size();
    }

    /**
     * The longest anything may wait now: {@code gc_delay} scaled down by how full the disk is, beyond the headroom.
     */
    Duration maxAge() {
        lastUsage = Math.max(0, Math.min(1, diskUsage.getAsDouble()));
        double factor = Math.max(0.0, 1.0 - config().gc().diskHeadroom() - lastUsage);
        return Duration.ofMillis((long) (config().gc().delay().toMillis() * Math.min(1.0, factor)));
    }

    /** Removes everything whose time has come (state thread). */
    void prune() {
        if (scheduled.isEmpty()) {
            return;
        }
        long cutoff = System.currentTimeMillis() - maxAge().toMillis();
        List<Path> due = new ArrayList<>();
        scheduled.forEach((dir, since) -> {
            if (since <= cutoff) {
                due.add(dir);
            }
        });
        if (due.isEmpty()) {
            return;
        }
        due.forEach(scheduled::remove);
        if (lastUsage > 1 - config().gc().diskHeadroom() - 0.5) {
            LOG.info("Disk of {} is {}% full: removing {} sandbox(es) that ended before {} ago", config().workDir(),
                    Math.round(lastUsage * 100), due.size(), Duration.ofMillis(System.currentTimeMillis() - cutoff));
        }
        ctx.workers.execute(() -> {
            int ok = 0;
            int failed = 0;
            for (Path dir : due) {
                try {
                    AgentCheckpoints.deleteTree(dir);
                    ok++;
                } catch (IOException | RuntimeException e) {
                    failed++;
                    LOG.warn("Cannot remove the sandbox {}: {}", dir, e.toString());
                }
            }
            int removed = ok;
            int notRemoved = failed;
            state.execute(() -> {
                ctx.counters.merge("gc/path_removals_succeeded", (long) removed, Long::sum);
                ctx.counters.merge("gc/path_removals_failed", (long) notRemoved, Long::sum);
                due.forEach(this::removeEmptyParents);
            });
        });
    }

    /**
     * After a sandbox {@code .../frameworks/<fw>/executors/<ex>/runs/<container>} went: its {@code runs}, executor
     * and framework directories go too when they are empty and nothing live uses them (state thread, where launches
     * claim them first).
     */
    private void removeEmptyParents(Path run) {
        Path runs = run.getParent();
        Path executor = runs == null ? null : runs.getParent();
        Path executorsDir = executor == null ? null : executor.getParent();
        Path framework = executorsDir == null ? null : executorsDir.getParent();
        if (framework == null) {
            return;
        }
        String fw = framework.getFileName().toString();
        String ex = executor.getFileName().toString();
        boolean executorLive = tasks.values().stream().anyMatch(t -> t.frameworkId.value().equals(fw)
                && t.executorId().value().equals(ex))
                || executors.keySet().stream().anyMatch(k -> k.frameworkId().value().equals(fw)
                && k.executorId().value().equals(ex));
        if (executorLive || !deleteIfEmpty(runs) || !deleteIfEmpty(executor)) {
            return;
        }
        boolean frameworkLive = frameworks.keySet().stream().anyMatch(f -> f.value().equals(fw));
        if (!frameworkLive && deleteIfEmpty(executorsDir)) {
            deleteIfEmpty(framework);
        }
    }

    private static boolean deleteIfEmpty(Path dir) {
        try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            if (s.findAny().isPresent()) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * At start, after recovery: every sandbox under {@code work_dir/slaves} that no live task or executor uses is
     * garbage, dated by its last change (state thread).
     */
    void scheduleLeftovers() {
        Path slaves = config().workDir().resolve("slaves");
        if (!Files.isDirectory(slaves)) {
            return;
        }
        java.util.Set<Path> live = new java.util.HashSet<>();
        tasks.values().forEach(t -> live.add(t.sandbox));
        executors.values().forEach(e -> live.add(e.sandbox));
        int found = 0;
        // slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<container>
        try (Stream<Path> runs = Files.find(slaves, 7, (p, a) -> a.isDirectory() && p.getParent() != null
                && p.getParent().getFileName().toString().equals("runs")
                && slaves.relativize(p).getNameCount() == 7)) {
            for (Path run : runs.toList()) {
                if (!live.contains(run)) {
                    schedule(run, Files.getLastModifiedTime(run).toMillis());
                    found++;
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot look for sandboxes an earlier run left in {}: {}", slaves, e.toString());
        }
        if (found > 0) {
            LOG.info("{} sandbox(es) of ended containers found from an earlier run; removed {} after they ended",
                    found, config().gc().delay());
        }
    }

    private double measuredDiskUsage() {
        try {
            FileStore store = Files.getFileStore(Files.exists(config().workDir()) ? config().workDir()
                    : config().workDir().getRoot());
            long total = store.getTotalSpace();
            return total <= 0 ? 0 : 1.0 - (double) store.getUsableSpace() / total;
        } catch (IOException e) {
            return 0;
        }
    }
}
