package io.pangaea.master.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where the results of reads are handed on once the master's loop has computed them ({@code Master.query}): encoding
 * and writing out a large state happens here, never on the loop. Four daemon threads, gone when idle.
 */
final class ReaderThreads {

    private static final ExecutorService POOL = pool();

    private ReaderThreads() {}

    /** {@code onLoop}'s result, completed on a reader thread: what the caller chains next runs there. */
    static <T> java.util.concurrent.CompletableFuture<T> handOff(java.util.concurrent.CompletableFuture<T> onLoop) {
        return onLoop.thenApplyAsync(r -> r, POOL);
    }

    /** Runs {@code work} on a reader thread. */
    static void execute(Runnable work) {
        POOL.execute(work);
    }

    private static ExecutorService pool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "pangaea-master-reader");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
