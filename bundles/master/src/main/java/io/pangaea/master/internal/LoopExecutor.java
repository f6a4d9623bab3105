package io.pangaea.master.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's event loop: one thread that runs the work posted to it in the order it was posted, and timers that
 * post their work to it when they fall due. It counts the work waiting to start, Mesos's
 * {@code master/event_queue_dispatches}; a timer counts once it has fallen due.
 *
 * <p>The work and the timers are kept apart. In one {@link ScheduledThreadPoolExecutor}, every piece of work went
 * through the timers' heap: with an agent's health check each, 50,000 agents made it a heap of 50,000, and each
 * event's insertion and removal walked it (a third of the loop's time at that size, in a flight recording). Here the
 * work waits in a plain queue, and the timers are kept by a thread of their own, which only hands the due ones over.
 *
 * <p>A timer cancelled on the loop does not run afterwards, even when it fell due and was handed over meanwhile: it
 * checks that it is still wanted when its turn comes. A periodic timer that fell due again while its last run still
 * waits is not handed over twice. Work that throws is logged and the loop goes on.
 */
final class LoopExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private static final Logger LOG = LoggerFactory.getLogger(LoopExecutor.class);

    /** Put last in the queue when the loop is stopped: the loop ends when it comes to it. */
    private static final Runnable STOP = () -> { };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ScheduledThreadPoolExecutor timers;
    private final Thread thread;
    private volatile boolean shutdown;

    LoopExecutor(ThreadFactory threads, ThreadFactory timerThreads) {
        timers = new ScheduledThreadPoolExecutor(1, timerThreads);
        timers.setRemoveOnCancelPolicy(true);
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        thread = threads.newThread(this::loop);
        thread.start();
    }

    private void loop() {
        while (true) {
            Runnable r;
            try {
                r = queue.take();
            } catch (InterruptedException e) {
                continue; // stopped by shutdownNow while waiting: STOP is in the queue
            }
            if (r == STOP) {
                return;
            }
            waiting.decrementAndGet();
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                LOG.error("The master's event loop caught an error from its work", e);
            }
        }
    }

    @Override
    public void execute(Runnable command) {
        if (command == null) {
            throw new NullPointerException("command");
        }
        if (shutdown) {
            throw new RejectedExecutionException("The master's event loop is stopped");
        }
        waiting.incrementAndGet();
        queue.add(command);
    }

    /** Work posted and not started. */
    int waiting() {
        return waiting.get();
    }

    /** True on the loop's own thread. */
    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    // ---- timers ----------------------------------------------------------------------------------------------

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return schedule(() -> {
            command.run();
            return null;
        }, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Timer<V> t = new Timer<>(callable, false);
        t.start(() -> timers.schedule(t::due, delay, unit));
        return t;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Timer<Void> t = new Timer<>(periodic(command), true);
        t.start(() -> timers.scheduleAtFixedRate(t::due, initialDelay, period, unit));
        return t;
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                     TimeUnit unit) {
        // the delay counts from when the last run was handed over, not from when it ended on the loop
        Timer<Void> t = new Timer<>(periodic(command), true);
        t.start(() -> timers.scheduleWithFixedDelay(t::due, initialDelay, delay, unit));
        return t;
    }

    private static Callable<Void> periodic(Runnable command) {
        return () -> {
            command.run();
            return null;
        };
    }

    /**
     * A timer: the timers' thread hands it to the loop when due ({@link #due}); on the loop it runs unless it was
     * cancelled meanwhile.
     */
    private final class Timer<V> implements ScheduledFuture<V> {
        private final Callable<V> work;
        private final boolean periodic;
        private final CompletableFuture<V> result = new CompletableFuture<>();
        /** A run handed to the loop and not started yet. */
        private final AtomicBoolean handedOver = new AtomicBoolean();
        private volatile ScheduledFuture<?> due;

        Timer(Callable<V> work, boolean periodic) {
            this.work = work;
            this.periodic = periodic;
        }

        void start(java.util.function.Supplier<ScheduledFuture<?>> schedule) {
            if (shutdown) {
                throw new RejectedExecutionException("The master's event loop is stopped");
            }
            due = schedule.get();
        }

        /** Timers' thread: the timer fell due. */
        private void due() {
            if (result.isDone() || !handedOver.compareAndSet(false, true)) {
                return;
            }
            try {
                execute(this::runOnLoop);
            } catch (RejectedExecutionException e) {
                handedOver.set(false); // the loop stopped
            }
        }

        private void runOnLoop() {
            handedOver.set(false);
            if (result.isDone()) {
                return; // cancelled meanwhile
            }
            try {
                V v = work.call();
                if (!periodic) {
                    result.complete(v);
                }
            } catch (Exception | Error e) {
                // as a ScheduledThreadPoolExecutor does: the failure is the future's, and a periodic timer stops
                result.completeExceptionally(e);
                stopTimer();
                LOG.error("A timer of the master's event loop failed", e);
            }
        }

        private void stopTimer() {
            ScheduledFuture<?> d = due;
            if (d != null) {
                d.cancel(false);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = result.cancel(false);
            stopTimer();
            return cancelled;
        }

        @Override
        public boolean isCancelled() {
            return result.isCancelled();
        }

        @Override
        public boolean isDone() {
            return result.isDone();
        }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            return result.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return result.get(timeout, unit);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            ScheduledFuture<?> d = due;
            return d == null ? 0 : d.getDelay(unit);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }

    // ---- life cycle ------------------------------------------------------------------------------------------

    /** Takes no more work or timers; the work already posted still runs, the timers not due yet do not. */
    @Override
    public synchronized void shutdown() {
        if (!shutdown) {
            shutdown = true;
            timers.shutdownNow();
            queue.add(STOP);
        }
    }

    /** As {@link #shutdown}, and the work not started yet is dropped (and returned). */
    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown();
        List<Runnable> left = new ArrayList<>();
        queue.drainTo(left);
        left.remove(STOP);
        waiting.set(0);
        queue.add(STOP);
        if (!inLoop()) {
            thread.interrupt();
        }
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown && !thread.isAlive() && timers.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!inLoop()) {
            thread.join(Math.max(1, unit.toMillis(timeout)));
        }
        return timers.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                && !thread.isAlive();
    }
}
