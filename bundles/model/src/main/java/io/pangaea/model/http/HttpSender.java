package io.pangaea.model.http;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes calls through a JDK {@link HttpClient} without starting a thread for each answer.
 *
 * <p>{@link HttpClient#sendAsync} completes the future it returns on {@code CompletableFuture}'s default executor.
 * Where the common fork-join pool has a single thread, which is the case on a machine of two cores or fewer, that
 * executor starts a new thread for every task: every call's answer then costs a thread's start and end. Twenty busy
 * frameworks in one process started some 900 threads a second that way. Here each call is made with the client's
 * blocking {@link HttpClient#send} on one of a few threads of the sender's own, which then completes the future.
 *
 * <p>At most {@code threads} calls are made at once; the others wait in order. Actions that depend on a returned
 * future run on the sender's thread that completed it, so they must not wait for another call of the same sender
 * (its thread would be taken from the calls). Thread-safe.
 */
public final class HttpSender implements AutoCloseable {

    private final HttpClient client;
    private final ThreadPoolExecutor threads;

    /** Calls through {@code client}, at most {@code threads} at once, on threads named {@code name}. */
    public HttpSender(HttpClient client, int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.client = client;
        AtomicInteger count = new AtomicInteger();
        WaitingCalls waiting = new WaitingCalls();
        this.threads = new ThreadPoolExecutor(0, threads, 30, TimeUnit.SECONDS, waiting, r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (call, pool) -> {
            if (pool.isShutdown()) {
                throw new RejectedExecutionException("the sender is closed");
            }
            waiting.enqueue(call); // all threads taken meanwhile: it waits its turn
        });
        waiting.pool = this.threads;
    }

    /** Calls sent and not yet answered (made or waiting). */
    private final AtomicInteger outstanding = new AtomicInteger();

    /**
     * The calls waiting for a thread. A thread pool whose core is its maximum starts a new thread for each call
     * until it holds them all, even while its threads sit idle, so every sender came to hold its maximum (200
     * frameworks' libraries in one process held 6,400 threads, most of them idle, for the collector to walk at each
     * pause). Here the pool has no core: a call is queued when a thread is free or none may be added, and refused
     * by the queue otherwise, which makes the pool start a thread for it. Idle threads end after 30 s.
     */
    private final class WaitingCalls extends LinkedBlockingQueue<Runnable> {
        ThreadPoolExecutor pool;

        @Override
        public boolean offer(Runnable call) {
            int size = pool.getPoolSize();
            if (size < pool.getMaximumPoolSize() && outstanding.get() > size) {
                return false; // every thread busy and room for one more: the pool starts it
            }
            return super.offer(call);
        }

        void enqueue(Runnable call) {
            super.offer(call);
        }
    }

    /**
     * Sends {@code request}; the future completes with the answer, or exceptionally with what the client threw
     * (as {@link HttpClient#sendAsync}'s does), or with a {@link RejectedExecutionException} once closed.
     */
    public <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        Call<T> call = new Call<>(request, handler);
        outstanding.incrementAndGet();
        try {
            threads.execute(call);
        } catch (RejectedExecutionException e) {
            outstanding.decrementAndGet();
            call.answer.completeExceptionally(e);
        }
        return call.answer;
    }

    /** One call, made on a sender's thread. */
    private final class Call<T> implements Runnable {
        final HttpRequest request;
        final HttpResponse.BodyHandler<T> handler;
        final CompletableFuture<HttpResponse<T>> answer = new CompletableFuture<>();

        Call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            this.request = request;
            this.handler = handler;
        }

        @Override
        public void run() {
            HttpResponse<T> r = null;
            Throwable failed = null;
            try {
                r = client.send(request, handler);
            } catch (InterruptedException e) {
                failed = e;
                Thread.currentThread().interrupt();
            } catch (Exception | Error e) {
                failed = e;
            }
            // counted out before the answer's dependent actions run here: a call they send takes this thread next
            outstanding.decrementAndGet();
            if (failed != null) {
                answer.completeExceptionally(failed);
            } else {
                answer.complete(r);
            }
        }
    }

    /** Calls being made or waiting for a thread. */
    public int pending() {
        return threads.getActiveCount() + threads.getQueue().size();
    }

    /** Threads the sender holds now (they end after 30 s without work). */
    public int threads() {
        return threads.getPoolSize();
    }

    /** Refuses new calls, fails those waiting and interrupts those being made (their futures fail too). */
    @Override
    public void close() {
        for (Runnable waiting : threads.shutdownNow()) {
            ((Call<?>) waiting).answer.completeExceptionally(new RejectedExecutionException("the sender is closed"));
        }
    }
}
