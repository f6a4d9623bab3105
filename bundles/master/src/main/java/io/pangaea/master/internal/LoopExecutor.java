package io.pangaea.master.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The master's event loop: one thread, timers in the order they fall due, and a count of the work posted with
 * {@link #execute} that has not started yet, Mesos's {@code master/event_queue_dispatches}. Timers are not counted
 * until they fall due and run.
 */
final class LoopExecutor extends ScheduledThreadPoolExecutor {

    private final AtomicInteger waiting = new AtomicInteger();

    LoopExecutor(ThreadFactory threads) {
        super(1, threads);
        setRemoveOnCancelPolicy(true);
    }

    @Override
    public void execute(Runnable command) {
        waiting.incrementAndGet();
        try {
            super.execute(() -> {
                waiting.decrementAndGet();
                command.run();
            });
        } catch (RuntimeException e) {
            waiting.decrementAndGet();
            throw e;
        }
    }

    /** Work posted and not started. */
    int waiting() {
        return waiting.get();
    }
}
