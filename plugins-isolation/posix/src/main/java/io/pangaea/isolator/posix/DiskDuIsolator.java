package io.pangaea.isolator.posix;

import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import io.pangaea.model.TaskStatus;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
 * {@code disk/du}: every {@code container_disk_watch_interval} the sandbox's size (allocated blocks, as {@code du})
 * is compared with the task's disk resource; over it, the container ends as TASK_FAILED with
 * {@code REASON_CONTAINER_LIMITATION_DISK}. A task without a disk resource is not limited.
 */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=disk/du",
        configurationPid = "io.pangaea.isolator.disk", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DiskDuIsolator.Config.class)
public final class DiskDuIsolator implements Isolator {

    @ObjectClassDefinition(name = "Pangaea disk/du isolator")
    public @interface Config {
        @AttributeDefinition(description = "How often sandboxes are measured, in milliseconds (Mesos"
                + " container_disk_watch_interval)")
        long container__disk__watch__interval__ms() default 15_000;
    }

    private record Watched(Path sandbox, long limitBytes) {}

    private final Map<ContainerId, Watched> containers = new ConcurrentHashMap<>();
    private final LimitWatch limits;

    @Activate
    public DiskDuIsolator(Config config) {
        this(config.container__disk__watch__interval__ms());
    }

    DiskDuIsolator(long intervalMs) {
        this.limits = new LimitWatch("pangaea-disk-du", intervalMs);
    }

    @Deactivate
    void deactivate() {
        limits.close();
    }

    @Override
    public List<String> prepare(ContainerSpec spec) {
        double mb = spec.resources().scalar("disk");
        if (mb > 0) {
            containers.put(spec.containerId(), new Watched(spec.sandbox(), (long) (mb * (1L << 20))));
        }
        return List.of();
    }

    @Override
    public CompletionStage<Termination> watch(ContainerId id) {
        Watched w = containers.get(id);
        if (w == null) {
            return new CompletableFuture<>();
        }
        return limits.watch(id, () -> {
            long used = usedBytes(w.sandbox());
            return used <= w.limitBytes() ? null : new Termination(null, 9,
                    TaskStatus.Reason.REASON_CONTAINER_LIMITATION_DISK, "Disk usage (" + (used >> 20)
                    + "MB) exceeds quota (" + (w.limitBytes() >> 20) + "MB)");
        });
    }

    /** Allocated bytes under {@code dir} (512-byte blocks, like du), without following links. */
    static long usedBytes(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    Object blocks = null;
                    try {
                        blocks = Files.getAttribute(file, "unix:blocks", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                        // fall back to the apparent size
                    }
                    total[0] += blocks instanceof Long b ? b * 512 : attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            return total[0];
        }
        return total[0];
    }

    @Override
    public void cleanup(ContainerId id) {
        limits.stop(id);
        containers.remove(id);
    }
}
