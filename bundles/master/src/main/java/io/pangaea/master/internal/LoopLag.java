package io.pangaea.master.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How far behind the master's event loop is: how long a piece of work posted now waits before it runs. A probe is
 * scheduled on the loop every {@link #PERIOD_MS}; the loop runs due timers in the order they fell due among the work
 * posted meanwhile, so the probe runs late by the loop's backlog. Read on the loop, the lag is the larger of the
 * last probe's delay and how late the next one already is (it cannot have run while the reader was running).
 *
 * <p>The allocation loop uses it for admission control: new offers are what bring new work (launches, then their
 * status updates and acknowledgements), so no cycle starts while the loop is behind ({@link AllocationLoop}).
 */
final class LoopLag {

    static final long PERIOD_MS = 20;

    private final ScheduledExecutorService loop;
    /** When the next probe falls due (System.nanoTime); loop only, after {@link #start}. */
    private long nextDue;
    private long lastLagNanos;
    private boolean stopped;

    LoopLag(ScheduledExecutorService loop) {
        this.loop = loop;
    }

    /** Starts probing (any thread). */
    void start() {
        loop.execute(() -> {
            nextDue = System.nanoTime();
            probe();
        });
    }

    void stop() {
        loop.execute(() -> stopped = true);
    }

    private void probe() {
        long now = System.nanoTime();
        lastLagNanos = Math.max(0, now - nextDue);
        if (stopped || loop.isShutdown()) {
            return;
        }
        nextDue = now + TimeUnit.MILLISECONDS.toNanos(PERIOD_MS);
        try {
            loop.schedule(this::probe, PERIOD_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the master is closing
        }
    }

    /** The loop's lag now, in milliseconds (loop only). 0 before the first probe. */
    double millis() {
        if (nextDue == 0) {
            return 0;
        }
        return Math.max(lastLagNanos, System.nanoTime() - nextDue) / 1e6;
    }
}
