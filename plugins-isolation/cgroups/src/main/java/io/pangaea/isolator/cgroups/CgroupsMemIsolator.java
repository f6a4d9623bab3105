package io.pangaea.isolator.cgroups;

import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import io.pangaea.model.TaskStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

/**
 * {@code cgroups/mem}: a hard memory limit from the task's mem (at least 32 MB, as Mesos), without swap. When the
 * kernel's OOM killer fires in the container, the container ends as a limitation: TASK_FAILED with
 * {@code REASON_CONTAINER_LIMITATION_MEMORY} and the requested and peak memory in the message.
 */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=cgroups/mem",
        configurationPid = CgroupsConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class CgroupsMemIsolator implements Isolator {

    static final long MIN_BYTES = 32L << 20;

    private final Cgroups cgroups;
    private final long pollMs;
    private final Map<ContainerId, Long> limits = new ConcurrentHashMap<>();
    private final Map<ContainerId, ScheduledFuture<?>> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pangaea-cgroups-oom");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public CgroupsMemIsolator(CgroupsConfig config) {
        this(CgroupFs.detect(), config.cgroups__root(), config.cgroups__oom__poll__ms());
    }

    CgroupsMemIsolator(CgroupFs fs, String root, long pollMs) {
        this.cgroups = new Cgroups(fs, root, List.of("memory"));
        this.pollMs = pollMs;
    }

    @Deactivate
    void deactivate() {
        poller.shutdownNow();
    }

    static long limitBytes(double memMb) {
        return Math.max(MIN_BYTES, (long) (memMb * (1L << 20)));
    }

    @Override
    public List<String> prepare(ContainerSpec spec) throws ContainerException {
        List<Cgroups.Dir> dirs = cgroups.create(spec.containerId());
        apply(spec.containerId(), limitBytes(spec.resources().scalar("mem")), false);
        return Cgroups.entryPrefix(dirs);
    }

    @Override
    public void update(ContainerId id, io.pangaea.model.Resources resources) throws ContainerException {
        Long before = limits.get(id);
        if (before != null) {
            long limit = limitBytes(resources.scalar("mem"));
            apply(id, limit, limit > before);
        }
    }

    /**
     * Writes the memory limit (and the swap limit with it). Growing a v1 limit raises the memory+swap limit first:
     * the kernel keeps memory.limit_in_bytes at or below it.
     */
    private void apply(ContainerId id, long limit, boolean growing) throws ContainerException {
        Cgroups.Dir d = cgroups.dir(id, "memory");
        if (d.v2()) {
            d.write("memory.max", Long.toString(limit));
            if (d.file("memory.swap.max").toFile().exists()) {
                d.write("memory.swap.max", "0");
            }
        } else {
            boolean memsw = d.file("memory.memsw.limit_in_bytes").toFile().exists();
            if (memsw && growing) {
                d.write("memory.memsw.limit_in_bytes", Long.toString(limit));
            }
            d.write("memory.limit_in_bytes", Long.toString(limit));
            if (memsw && !growing) {
                d.write("memory.memsw.limit_in_bytes", Long.toString(limit));
            }
        }
        limits.put(id, limit);
    }

    private long oomKills(ContainerId id) {
        Cgroups.Dir d = cgroups.dir(id, "memory");
        if (d == null) {
            return 0;
        }
        Long n = d.v2() ? d.keyed("memory.events", "oom_kill") : d.keyed("memory.oom_control", "oom_kill");
        return n == null ? 0 : n;
    }

    @Override
    public CompletionStage<Termination> watch(ContainerId id) {
        CompletableFuture<Termination> f = new CompletableFuture<>();
        watches.put(id, poller.scheduleWithFixedDelay(() -> {
            Termination t = limitation(id);
            if (t != null) {
                f.complete(t);
                ScheduledFuture<?> w = watches.remove(id);
                if (w != null) {
                    w.cancel(false);
                }
            }
        }, pollMs, pollMs, TimeUnit.MILLISECONDS));
        return f;
    }

    @Override
    public Termination limitation(ContainerId id) {
        if (oomKills(id) == 0) {
            return null;
        }
        Cgroups.Dir d = cgroups.dir(id, "memory");
        String peak = d.read(d.v2() ? "memory.peak" : "memory.max_usage_in_bytes");
        long limit = limits.getOrDefault(id, 0L);
        String used = peak == null ? "unknown" : (Long.parseLong(peak) >> 20) + "MB";
        return new Termination(null, 9, TaskStatus.Reason.REASON_CONTAINER_LIMITATION_MEMORY,
                "Memory limit exceeded: Requested: " + (limit >> 20) + "MB Maximum Used: " + used);
    }

    @Override
    public ResourceStatistics usage(ContainerId id, long pid, ResourceStatistics s) {
        Cgroups.Dir d = cgroups.dir(id, "memory");
        if (d == null) {
            return s;
        }
        Long rss = d.v2() ? d.keyed("memory.stat", "anon") : d.keyed("memory.stat", "total_rss");
        return new ResourceStatistics(s.timestamp(), s.processes(), s.threads(), s.cpusUserTimeSecs(),
                s.cpusSystemTimeSecs(), s.cpusLimit(), rss != null ? rss : s.memRssBytes(),
                limits.getOrDefault(id, s.memLimitBytes()));
    }

    @Override
    public void cleanup(ContainerId id) {
        ScheduledFuture<?> w = watches.remove(id);
        if (w != null) {
            w.cancel(false);
        }
        limits.remove(id);
        cgroups.destroy(id);
    }
}
