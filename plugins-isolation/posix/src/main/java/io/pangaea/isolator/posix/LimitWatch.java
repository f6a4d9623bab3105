package io.pangaea.isolator.posix;

import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Checks a container's limit every {@code intervalMs} on one daemon thread: the check returns the limitation once
 * the container is over, else null. Shared by the isolators that enforce by polling ({@code posix/mem},
 * {@code disk/du}).
 */
final class LimitWatch implements AutoCloseable {

    private final long intervalMs;
    private final Map<ContainerId, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    LimitWatch(String threadName, long intervalMs) {
        this.intervalMs = intervalMs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts checking; the stage completes with the first limitation {@code check} reports. */
    CompletionStage<Termination> watch(ContainerId id, Supplier<Termination> check) {
        CompletableFuture<Termination> f = new CompletableFuture<>();
        timers.put(id, timer.scheduleWithFixedDelay(() -> {
            Termination t = check.get();
            if (t != null && f.complete(t)) {
                stop(id);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS));
        return f;
    }

    void stop(ContainerId id) {
        ScheduledFuture<?> t = timers.remove(id);
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
