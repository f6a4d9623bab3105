package io.pangaea.isolator.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes, in the background, the cgroups that could not be removed when their container was destroyed (a process
 * the kernel had not reaped yet, one stuck in uninterruptible sleep): it tries again with growing pauses, up to
 * {@code maxPause}, until the directory is gone. One daemon thread, shared by the cgroups isolators of a bundle.
 */
final class CgroupReaper {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupReaper.class);

    static final CgroupReaper SHARED = new CgroupReaper(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final Duration firstPause;
    private final Duration maxPause;
    private final Set<Path> pending = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer;

    CgroupReaper(Duration firstPause, Duration maxPause) {
        this.firstPause = firstPause;
        this.maxPause = maxPause;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pangaea-cgroup-reaper");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Tries to remove {@code dir} now; true when it is gone. */
    static boolean removeNow(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false; // EBUSY: a process is still in it, or the kernel has not let go of the last one
        }
    }

    /** Keeps trying to remove the cgroup {@code dir} of container {@code container} until it is gone. */
    void retry(Path dir, String container) {
        if (pending.add(dir)) {
            schedule(dir, container, firstPause, 1);
        }
    }

    private void schedule(Path dir, String container, Duration pause, int attempt) {
        timer.schedule(() -> {
            if (removeNow(dir)) {
                pending.remove(dir);
                LOG.info("Container {}: cgroup {} removed in the background after {} attempt(s)", container, dir,
                        attempt);
                return;
            }
            if (attempt % 10 == 0) {
                LOG.warn("Container {}: cgroup {} is still busy after {} attempts; trying again", container, dir,
                        attempt);
            }
            Duration next = pause.multipliedBy(2).compareTo(maxPause) > 0 ? maxPause : pause.multipliedBy(2);
            schedule(dir, container, next, attempt + 1);
        }, pause.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The cgroups still waiting to be removed. */
    Set<Path> pending() {
        return Set.copyOf(pending);
    }
}
