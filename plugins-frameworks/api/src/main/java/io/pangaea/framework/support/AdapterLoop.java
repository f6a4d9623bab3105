package io.pangaea.framework.support;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns an adapter's state: the scheduler library's callbacks and the HTTP API post their work to
 * it ({@link #later}) or wait for an answer ({@link #call}), and it runs the adapter's periodic step. Work that fails
 * is logged, and the loop goes on.
 */
public final class AdapterLoop {

    private static final Logger LOG = LoggerFactory.getLogger(AdapterLoop.class);

    private final String name;
    private final ScheduledExecutorService thread;
    private ScheduledFuture<?> ticker;

    /** A loop on a thread named {@code name}. */
    public AdapterLoop(String name) {
        this.name = name;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code work} on the loop and waits for its answer (at most 30 s); its exception is thrown here. */
    public <T> T call(Callable<T> work) throws IOException {
        try {
            return thread.submit(work).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IOException("the " + name + " loop did not answer in 30 s", e);
        }
    }

    /** Runs {@code work} on the loop, later. */
    public void later(Runnable work) {
        if (!thread.isShutdown()) {
            thread.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.error("{} loop task failed", name, e);
                }
            });
        }
    }

    /** Runs {@code step} every {@code millis} from now on (once; later calls do nothing). */
    public synchronized void every(long millis, Runnable step) {
        if (ticker == null) {
            ticker = thread.scheduleWithFixedDelay(() -> {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    LOG.error("{} loop step failed", name, e);
                }
            }, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    public void close() {
        thread.shutdownNow();
    }
}
