package io.pangaea.model.http;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class HttpSenderTest {

    private HttpServer server;
    private final AtomicInteger inHandler = new AtomicInteger();
    private final AtomicInteger mostInHandler = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private HttpClient client;

    @Before
    public void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/echo", x -> {
            int now = inHandler.incrementAndGet();
            mostInHandler.accumulateAndGet(now, Math::max);
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = x.getRequestBody().readAllBytes();
            inHandler.decrementAndGet();
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @After
    public void stop() {
        hold.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private HttpRequest echo(String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/echo"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    public void answersComeBackWithoutAThreadPerCall() {
        try (HttpSender sender = new HttpSender(client, 4, "test-sender")) {
            sender.send(echo("warm-up"), HttpResponse.BodyHandlers.ofString()).join();
            long startedBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                calls.add(sender.send(echo("call " + i), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < 300; i++) {
                HttpResponse<String> r = calls.get(i).join();
                assertEquals(200, r.statusCode());
                assertEquals("call " + i, r.body());
            }
            long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - startedBefore;
            // the sender's own (at most 4), and a few the server or the client may start; not one per answer
            assertTrue("threads started for 300 calls: " + started, started < 30);
            assertTrue(sender.threads() <= 4);
        }
    }

    /** Calls made one after another take one thread, however many the sender may hold. */
    @Test
    public void aThreadIsStartedOnlyWhenNoneIsFree() {
        try (HttpSender sender = new HttpSender(client, 32, "test-sender")) {
            for (int i = 0; i < 50; i++) {
                assertEquals("call " + i, sender.send(echo("call " + i), HttpResponse.BodyHandlers.ofString())
                        .join().body());
            }
            assertEquals(1, sender.threads());
            // and a call sent from an answer's dependent action takes the thread that answered
            CompletableFuture<String> chained = sender.send(echo("first"), HttpResponse.BodyHandlers.ofString())
                    .thenCompose(r -> sender.send(echo(r.body() + " then second"),
                            HttpResponse.BodyHandlers.ofString()))
                    .thenApply(HttpResponse::body);
            assertEquals("first then second", chained.join());
            assertEquals(1, sender.threads());
            // four at once held by the server: four threads, no more
            hold = new CountDownLatch(1);
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(sender.send(echo("held " + i), HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> inHandler.get() == 4);
            hold.countDown();
            calls.forEach(CompletableFuture::join);
            assertEquals(4, sender.threads());
        }
    }

    @Test
    public void atMostThatManyCallsAreMadeAtOnceAndTheRestWaitInOrder() {
        hold = new CountDownLatch(1);
        try (HttpSender sender = new HttpSender(client, 2, "test-sender")) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                calls.add(sender.send(echo("call " + i), HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> inHandler.get() == 2);
            assertEquals(5, sender.pending());
            assertTrue(calls.stream().noneMatch(CompletableFuture::isDone));
            hold.countDown();
            for (int i = 0; i < 5; i++) {
                assertEquals("call " + i, calls.get(i).join().body());
            }
            assertEquals(2, mostInHandler.get());
            await().atMost(Duration.ofSeconds(10)).until(() -> sender.pending() == 0);
        }
    }

    @Test
    public void closingFailsTheCallsWaitingAndRefusesNewOnes() throws Exception {
        hold = new CountDownLatch(1);
        HttpSender sender = new HttpSender(client, 1, "test-sender");
        CompletableFuture<HttpResponse<String>> first = sender.send(echo("first"),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second = sender.send(echo("second"),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> inHandler.get() == 1);
        sender.close();
        assertTrue(causeOf(second) instanceof RejectedExecutionException);
        await().atMost(Duration.ofSeconds(10)).until(first::isDone);
        assertTrue(first.isCompletedExceptionally());
        assertTrue(causeOf(sender.send(echo("late"), HttpResponse.BodyHandlers.ofString()))
                instanceof RejectedExecutionException);
    }

    @Test
    public void aMasterThatIsNotThereFailsTheFuture() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (HttpSender sender = new HttpSender(client, 1, "test-sender")) {
            Throwable e = causeOf(sender.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString("x", StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertTrue(String.valueOf(e), e instanceof ConnectException);
        }
    }

    @Test(expected = IllegalArgumentException.class)
    public void aSenderNeedsAThread() {
        new HttpSender(client, 0, "test-sender");
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.join();
            throw new AssertionError("completed normally");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
