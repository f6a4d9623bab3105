package io.pangaea.isolator.posix;

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
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * {@code posix/mem}: the resident memory of the container's processes (its process group), from {@code /proc}.
 * Without cgroups there is no kernel limit, so the isolator enforces one by polling: every
 * {@code posix_mem_poll_ms} the group's RSS is compared with the task's {@code mem}, and a container over it ends
 * as TASK_FAILED with {@code REASON_CONTAINER_LIMITATION_MEMORY}. A short burst between two polls goes unseen;
 * {@code cgroups/mem} is the exact mechanism.
 */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=posix/mem",
        configurationPid = "io.pangaea.isolator.posix", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PosixMemIsolator.Config.class)
public final class PosixMemIsolator implements Isolator {

    @ObjectClassDefinition(name = "Pangaea posix/mem isolator")
    public @interface Config {
        @AttributeDefinition(description = "How often a container's resident memory is checked, in milliseconds")
        long posix__mem__poll__ms() default 500;
    }

    private final Map<ContainerId, Long> limits = new ConcurrentHashMap<>();
    private final Map<ContainerId, Long> pids = new ConcurrentHashMap<>();
    private final LimitWatch watch;

    @Activate
    public PosixMemIsolator(Config config) {
        this(config.posix__mem__poll__ms());
    }

    PosixMemIsolator(long pollMs) {
        this.watch = new LimitWatch("pangaea-posix-mem", pollMs);
    }

    @Deactivate
    void deactivate() {
        watch.close();
    }

    @Override
    public void update(ContainerId id, io.pangaea.model.Resources resources) {
        double mb = resources.scalar("mem");
        if (mb > 0 && limits.containsKey(id)) {
            limits.put(id, (long) (mb * (1L << 20)));
        }
    }

    @Override
    public List<String> prepare(ContainerSpec spec) {
        double mb = spec.resources().scalar("mem");
        if (mb > 0) {
            limits.put(spec.containerId(), (long) (mb * (1L << 20)));
        }
        return List.of();
    }

    @Override
    public void isolate(ContainerId id, long pid) {
        pids.put(id, pid);
    }

    @Override
    public CompletionStage<Termination> watch(ContainerId id) {
        Long limit = limits.get(id);
        Long pid = pids.get(id);
        if (limit == null || pid == null) {
            return new CompletableFuture<>();
        }
        return watch.watch(id, () -> {
            long rss = ProcStat.ofGroup(pid).rssBytes();
            return rss <= limit ? null : new Termination(null, 9, TaskStatus.Reason.REASON_CONTAINER_LIMITATION_MEMORY,
                    "Memory limit exceeded: Requested: " + (limit >> 20) + "MB Maximum Used: " + (rss >> 20) + "MB");
        });
    }

    @Override
    public ResourceStatistics usage(ContainerId id, long pid, ResourceStatistics s) {
        ProcStat.Usage u = ProcStat.ofGroup(pid);
        Long limit = limits.get(id);
        return new ResourceStatistics(s.timestamp(), u.processes(), u.threads(), s.cpusUserTimeSecs(),
                s.cpusSystemTimeSecs(), s.cpusLimit(), u.rssBytes(), limit != null ? limit : s.memLimitBytes());
    }

    @Override
    public void cleanup(ContainerId id) {
        watch.stop(id);
        limits.remove(id);
        pids.remove(id);
    }
}
