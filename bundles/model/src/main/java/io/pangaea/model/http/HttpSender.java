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
        this.threads = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, name + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.threads.allowCoreThreadTimeOut(true);
    }

    /**
     * Sends {@code request}; the future completes with the answer, or exceptionally with what the client threw
     * (as {@link HttpClient#sendAsync}'s does), or with a {@link RejectedExecutionException} once closed.
     */
    public <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        Call<T> call = new Call<>(request, handler);
        try {
            threads.execute(call);
        } catch (RejectedExecutionException e) {
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
            HttpResponse<T> r;
            try {
                r = client.send(request, handler);
            } catch (InterruptedException e) {
                answer.completeExceptionally(e);
                Thread.currentThread().interrupt();
                return;
            } catch (Exception | Error e) {
                answer.completeExceptionally(e);
                return;
            }
            answer.complete(r);
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
