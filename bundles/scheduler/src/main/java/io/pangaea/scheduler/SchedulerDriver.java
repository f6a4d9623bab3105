package io.pangaea.scheduler;

import io.pangaea.model.AgentId;
import io.pangaea.model.Filters;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.http.HttpSender;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.RecordIo;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import io.pangaea.scheduler.zk.ZooKeeperMasters;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a {@link Scheduler} to a master through the v1 scheduler API. It subscribes (following a redirect to
 * the leading master), reads the event stream, answers HEARTBEATs' absence by reconnecting, subscribes again with
 * its framework id after any disconnection (a failover, as Mesos defines it), and acknowledges status updates. Calls
 * go to the master that accepted the subscription, with its stream id; each returns a future that fails with a
 * {@link CallException} on a 4xx or 5xx.
 *
 * <pre>{@code
 * SchedulerDriver driver = SchedulerDriver.builder(URI.create("http://127.0.0.1:5050"), frameworkInfo)
 *         .scheduler(new MyScheduler()).build();
 * driver.start();
 * ...
 * driver.close();
 * }</pre>
 */
public final class SchedulerDriver implements AutoCloseable {

    /** A call the master refused. */
    public static final class CallException extends RuntimeException {
        private final int status;

        public CallException(int status, String message) {
            super(status + " " + message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Settings of a driver. */
    public static final class Builder {
        private final URI master;
        /** The masters to try, in turn, when the one subscribed to goes away (the first is {@code master}). */
        private final java.util.List<URI> masters;
        private final FrameworkInfo info;
        private Scheduler scheduler = new Scheduler() { };
        private boolean autoAcknowledge = true;
        private Duration maxBackoff = Duration.ofSeconds(10);

        private Builder(java.util.List<URI> masters, FrameworkInfo info) {
            if (masters.isEmpty()) {
                throw new IllegalArgumentException("at least one master is needed");
            }
            this.master = masters.get(0);
            this.masters = java.util.List.copyOf(masters);
            this.info = info;
        }

        public Builder scheduler(Scheduler s) {
            this.scheduler = s;
            return this;
        }

        /** Whether updates are acknowledged after {@link Scheduler#update} returns (default true). */
        public Builder autoAcknowledge(boolean on) {
            this.autoAcknowledge = on;
            return this;
        }

        /** HTTP Basic credentials, for a master with {@code authenticate_http_frameworks}. */
        public Builder credential(String principal, String secret) {
            this.authorization = "Basic " + java.util.Base64.getEncoder().encodeToString((principal + ":" + secret)
                    .getBytes(StandardCharsets.UTF_8));
            return this;
        }

        private String authorization;
        private javax.net.ssl.SSLContext sslContext;

        /** The TLS context for {@code https://} masters (default: the JVM's, which trusts its own CAs). */
        public Builder sslContext(javax.net.ssl.SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /** For {@code https://} masters whose certificates this CA (a PEM file, as ssl_ca_file) signed. */
        public Builder trust(java.nio.file.Path caFile) {
            return sslContext(io.pangaea.model.tls.TlsFiles.trusting(caFile));
        }

        /** The longest wait between two subscription attempts (default 10 s). */
        public Builder maxBackoff(Duration d) {
            this.maxBackoff = d;
            return this;
        }

        public SchedulerDriver build() {
            return new SchedulerDriver(this);
        }
    }

    /**
     * A driver for the master at {@code master}: {@code http://host:5050} (any path is ignored), or
     * {@code zk://host:2181/path}, the masters that elect their leader there (the leader is read before each
     * subscription; https when an {@link Builder#sslContext} is given).
     */
    public static Builder builder(URI master, FrameworkInfo info) {
        return new Builder(java.util.List.of(master), info);
    }

    /**
     * A driver for a cluster of several masters: it subscribes to any of them (a follower redirects to the leader)
     * and, when its stream breaks and the master it used does not answer, tries the next one in turn, as the Mesos
     * libraries given {@code --master=host1:5050,host2:5050} do.
     */
    public static Builder builder(java.util.List<URI> masters, FrameworkInfo info) {
        return new Builder(masters, info);
    }

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerDriver.class);

    private final Builder settings;
    private final HttpClient http;
    /** Makes the calls, at most {@link #MAX_CALLS_OUT} at once, without a thread started for each answer. */
    private final HttpSender calls;
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> thread(r, "scheduler-callbacks"));

    /** Hands an event to the scheduler, in order; one that comes while the driver closes is dropped. */
    private void deliver(Runnable callback) {
        try {
            callbacks.execute(callback);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (!closing) {
                throw e;
            }
        }
    }
    /** The client's own threads, when this driver has a client of its own (one with its own TLS); else null. */
    private final ExecutorService httpThreads;

    /**
     * The client the drivers of a process share, those given no TLS context of their own. A JDK client has a
     * selector thread of its own and pools its connections per destination; one per driver cost 200 frameworks in
     * one process 200 selector threads and 400 executor threads, which took a third of that process's CPU in
     * waking one another. Its executor's threads end after a minute without work, and its selector's thread ends
     * once the client is unreachable, so a bundle of this library that is uninstalled leaves no thread behind.
     */
    private static final class SharedClient {
        static final HttpClient CLIENT = build(null, executor());

        private static ExecutorService executor() {
            int n = Math.max(2, Runtime.getRuntime().availableProcessors());
            java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(n, n, 60,
                    TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                    r -> thread(r, "scheduler-http"));
            pool.allowCoreThreadTimeOut(true);
            return pool;
        }
    }

    /**
     * HTTP/1.1, said outright: the JDK client's default (HTTP/2) asks every new plain connection for an h2c upgrade,
     * which a Mesos master and ours refuse, and such connections were never reused: a busy framework left thousands
     * of idle ones open (kept 20 minutes), until the process ran out of file descriptors. Threads of its own: the
     * JDK client's default executor starts a thread whenever none is free, and 200 busy frameworks in one process
     * spent more time starting threads than doing their calls.
     */
    private static HttpClient build(javax.net.ssl.SSLContext ssl, ExecutorService executor) {
        HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(10))
                .executor(executor);
        if (ssl != null) {
            client.sslContext(ssl);
        }
        return client.build();
    }
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread reader;
    private volatile boolean closing;
    private volatile URI endpoint;
    /** Which of the masters the next SUBSCRIBE goes to. */
    private volatile int next;
    private volatile String streamId;
    private volatile FrameworkId frameworkId;
    private volatile InputStream stream;
    private volatile String failure;

    private SchedulerDriver(Builder b) {
        if (b.sslContext != null) {
            this.httpThreads = Executors.newFixedThreadPool(2, r -> thread(r, "scheduler-http"));
            this.http = build(b.sslContext, httpThreads);
        } else {
            this.httpThreads = null;
            this.http = SharedClient.CLIENT;
        }
        this.calls = new HttpSender(http, MAX_CALLS_OUT, "scheduler-calls");
        this.settings = b;
        this.frameworkId = b.info.id();
        this.endpoint = b.master.resolve("/api/v1/scheduler");
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return settings.authorization == null ? b : b.header("Authorization", settings.authorization);
    }

    /** Starts subscribing; returns at once. */
    public synchronized void start() {
        if (reader == null) {
            reader = thread(this::run, "scheduler-stream");
            reader.start();
        }
    }

    /** Waits until the driver stops (closed, or the master refused the framework); the refusal, or null. */
    public String awaitStop(Duration timeout) throws InterruptedException {
        stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return failure;
    }

    public FrameworkId frameworkId() {
        return frameworkId;
    }

    private void run() {
        long backoff = 250;
        boolean reconnected = false;
        while (!closing) {
            try {
                if (subscribeOnce(reconnected)) {
                    return; // refused: stopped
                }
                backoff = 250;
            } catch (IOException e) {
                if (closing) {
                    break;
                }
                LOG.info("Scheduler stream to {} down: {}", endpoint, e.toString());
                if (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException
                        || e.getCause() instanceof java.net.ConnectException) {
                    next = (next + 1) % settings.masters.size(); // that master is gone: the next one is asked
                }
            } catch (InterruptedException e) {
                break;
            }
            streamId = null;
            if (closing) {
                break;
            }
            reconnected = frameworkId != null;
            deliver(() -> settings.scheduler.disconnected(this));
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            backoff = Math.min(settings.maxBackoff.toMillis(), backoff * 2);
        }
        finish(null);
    }

    /** ZooKeeper readers of the {@code zk://} masters, by URL; opened on first use. */
    private final java.util.Map<URI, ZooKeeperMasters> zookeepers = new java.util.concurrent.ConcurrentHashMap<>();

    /** The master to subscribe to now: the one in turn, or, for a {@code zk://} URL, the leader ZooKeeper names. */
    private URI master() throws IOException {
        URI m = settings.masters.get(next);
        if (!ZooKeeperMasters.isZooKeeper(m)) {
            return m;
        }
        return zookeepers.computeIfAbsent(m, u -> new ZooKeeperMasters(u, settings.sslContext != null ? "https"
                : "http")).leader();
    }

    /** One subscription, until its stream ends; true when the master refused the framework for good. */
    private boolean subscribeOnce(boolean reconnected) throws IOException, InterruptedException {
        FrameworkInfo info = settings.info;
        if (frameworkId != null) {
            info = info.withId(frameworkId);
        }
        Call call = new Call(frameworkId, Call.Type.SUBSCRIBE, new Call.Subscribe(info, null), null, null, null, null,
                null, null, null, null, null, null);
        HttpResponse<InputStream> r = http.send(authorized(HttpRequest.newBuilder(master()
                        .resolve("/api/v1/scheduler")))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(call))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body = new String(r.body().readNBytes(4096), StandardCharsets.UTF_8);
            r.body().close();
            if (r.statusCode() >= 400 && r.statusCode() < 500) {
                refused("SUBSCRIBE answered " + r.statusCode() + ": " + body);
                return true;
            }
            throw new IOException("SUBSCRIBE answered " + r.statusCode() + ": " + body);
        }
        endpoint = r.uri(); // the leader, after any redirect
        streamId = r.headers().firstValue("Mesos-Stream-Id").orElse(null);
        stream = r.body();
        double heartbeat = 15;
        try (InputStream in = r.body()) {
            byte[] record;
            while ((record = RecordIo.read(in)) != null) {
                Event e = MesosJson.read(record, Event.class);
                switch (e.type()) {
                    case SUBSCRIBED -> {
                        frameworkId = e.subscribed().frameworkId();
                        if (e.subscribed().heartbeatIntervalSeconds() != null) {
                            heartbeat = e.subscribed().heartbeatIntervalSeconds();
                        }
                        watchHeartbeats(in, heartbeat);
                        FrameworkId id = frameworkId;
                        deliver(() -> settings.scheduler.subscribed(this, id,
                                e.subscribed().masterInfo(), reconnected));
                    }
                    case OFFERS -> deliver(() -> settings.scheduler.offers(this, e.offers().offers()));
                    case RESCIND -> deliver(() -> settings.scheduler.rescind(this, e.rescind().offerId()));
                    case UPDATE -> deliver(() -> {
                        TaskStatus s = e.update().status();
                        settings.scheduler.update(this, s);
                        if (settings.autoAcknowledge && s.uuid() != null && acksOut.add(s.uuid())) {
                            // an update the agent sent again (its acknowledgement is late) is not acknowledged
                            // twice: when the master is slow, duplicates would double the calls that made it slow
                            acknowledge(s).whenComplete((v, err) -> acksOut.remove(s.uuid()));
                        }
                    });
                    case MESSAGE -> deliver(() -> settings.scheduler.message(this, e.message().agentId(),
                            e.message().executorId(), e.message().data() == null ? new byte[0]
                                    : Base64.getDecoder().decode(e.message().data())));
                    case FAILURE -> deliver(() -> settings.scheduler.failure(this,
                            e.failure().agentId(), e.failure().executorId(), e.failure().status()));
                    case ERROR -> {
                        refused(e.error().message());
                        return true;
                    }
                    case HEARTBEAT -> watchHeartbeats(in, heartbeat);
                    default -> LOG.debug("Ignoring {}", e.type());
                }
            }
        } catch (io.pangaea.model.json.MesosJsonException e) {
            throw new IOException("unreadable event: " + e.getMessage(), e);
        }
        throw new IOException("the master closed the stream");
    }

    private volatile java.util.concurrent.ScheduledFuture<?> watchdog;
    private final java.util.concurrent.ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> thread(r, "scheduler-heartbeat"));

    /** Closes the stream (and so reconnects) if no event comes within five heartbeat intervals. */
    private void watchHeartbeats(InputStream in, double intervalSeconds) {
        var w = watchdog;
        if (w != null) {
            w.cancel(false);
        }
        watchdog = timer.schedule(() -> {
            LOG.info("No heartbeat from {} in {} s; reconnecting", endpoint, 5 * intervalSeconds);
            try {
                in.close();
            } catch (IOException ignored) {
                // the reader sees the end
            }
        }, (long) (5 * intervalSeconds * 1000), TimeUnit.MILLISECONDS);
    }

    private void refused(String message) {
        LOG.warn("The master refused the framework: {}", message);
        failure = message;
        deliver(() -> settings.scheduler.error(this, message));
        finish(message);
    }

    private void finish(String why) {
        closing = true;
        var w = watchdog;
        if (w != null) {
            w.cancel(false);
        }
        stopped.countDown();
    }

    // ---- calls ----------------------------------------------------------------------------------------------

    private Call call(Call.Type type) {
        return Call.of(frameworkId, type);
    }

    /** Sends a call on the current subscription; fails with {@link CallException} on a 4xx or 5xx. */
    public CompletableFuture<Void> send(Call call) {
        String sid = streamId;
        if (sid == null || frameworkId == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("not subscribed"));
        }
        HttpRequest req = authorized(HttpRequest.newBuilder(endpoint)).header("Content-Type", "application/json")
                .header("Mesos-Stream-Id", sid).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(call))).build();
        CompletableFuture<Void> result = new CompletableFuture<>();
        waiting.incrementAndGet();
        queuedCalls.add(() -> calls.send(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            callsOut.decrementAndGet();
            sendQueued();
            if (e != null) {
                result.completeExceptionally(e instanceof java.util.concurrent.CompletionException ? e
                        : new java.util.concurrent.CompletionException(e));
            } else if (r.statusCode() >= 400) {
                result.completeExceptionally(new java.util.concurrent.CompletionException(
                        new CallException(r.statusCode(), r.body())));
            } else {
                result.complete(null);
            }
        }));
        sendQueued();
        return result;
    }

    /**
     * At most this many calls are out at once; the rest wait their turn, in order. Without a bound a busy framework
     * (an acknowledgement per update) opened a connection per call in flight, thousands of them.
     */
    private static final int MAX_CALLS_OUT = 32;
    /** The uuids of the updates whose automatic acknowledgement is queued or out. */
    private final java.util.Set<String> acksOut = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger callsOut = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> queuedCalls =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** How many calls are in {@link #queuedCalls} (the queue's own size() walks it). */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    /** Calls waiting for their turn (beyond the {@value #MAX_CALLS_OUT} out): how far behind the framework is. */
    public int callsWaiting() {
        return waiting.get();
    }

    private void sendQueued() {
        while (!queuedCalls.isEmpty()) {
            int out = callsOut.get();
            if (out >= MAX_CALLS_OUT) {
                return;
            }
            if (!callsOut.compareAndSet(out, out + 1)) {
                continue;
            }
            Runnable next = queuedCalls.poll();
            if (next == null) {
                callsOut.decrementAndGet();
                continue;
            }
            waiting.decrementAndGet();
            next.run();
        }
    }

    /** Launches {@code tasks} on the offers (one agent's), declining what is left for {@code refuseSeconds}. */
    public CompletableFuture<Void> launch(List<OfferId> offerIds, List<TaskInfo> tasks, double refuseSeconds) {
        Call.Operation launch = new Call.Operation(Call.Operation.Type.LAUNCH, null,
                new Call.Operation.Launch(List.copyOf(tasks)), null, null, null, null, null);
        return accept(offerIds, List.of(launch), refuseSeconds);
    }

    public CompletableFuture<Void> accept(List<OfferId> offerIds, List<Call.Operation> operations,
                                          double refuseSeconds) {
        Call c = call(Call.Type.ACCEPT);
        return send(new Call(c.frameworkId(), c.type(), null, new Call.Accept(offerIds, operations,
                new Filters(refuseSeconds)), null, null, null, null, null, null, null, null, null));
    }

    public CompletableFuture<Void> decline(List<OfferId> offerIds, double refuseSeconds) {
        Call c = call(Call.Type.DECLINE);
        return send(new Call(c.frameworkId(), c.type(), null, null, new Call.Decline(offerIds,
                new Filters(refuseSeconds)), null, null, null, null, null, null, null, null));
    }

    /** Removes filters and resumes offers, for {@code roles} or (none named) all roles. */
    public CompletableFuture<Void> revive(String... roles) {
        Call c = call(Call.Type.REVIVE);
        return send(new Call(c.frameworkId(), c.type(), null, null, null, new Call.Revive(List.of(roles)), null,
                null, null, null, null, null, null));
    }

    /** Stops offers for {@code roles} or (none named) all roles, until {@link #revive}. */
    public CompletableFuture<Void> suppress(String... roles) {
        Call c = call(Call.Type.SUPPRESS);
        return send(new Call(c.frameworkId(), c.type(), null, null, null, null, new Call.Suppress(List.of(roles)),
                null, null, null, null, null, null));
    }

    public CompletableFuture<Void> kill(TaskId taskId, AgentId agentId, KillPolicy policy) {
        Call c = call(Call.Type.KILL);
        return send(new Call(c.frameworkId(), c.type(), null, null, null, null, null,
                new Call.Kill(taskId, agentId, policy), null, null, null, null, null));
    }

    public CompletableFuture<Void> acknowledge(TaskStatus status) {
        Call c = call(Call.Type.ACKNOWLEDGE);
        return send(new Call(c.frameworkId(), c.type(), null, null, null, null, null, null, null,
                new Call.Acknowledge(status.agentId(), status.taskId(), status.uuid()), null, null, null));
    }

    /** Asks for the state of {@code tasks} (explicit), or of all the framework's tasks when empty (implicit). */
    public CompletableFuture<Void> reconcile(List<Call.Reconcile.ReconcileTask> tasks) {
        Call c = call(Call.Type.RECONCILE);
        return send(new Call(c.frameworkId(), c.type(), null, null, null, null, null, null, null, null,
                new Call.Reconcile(List.copyOf(tasks)), null, null));
    }

    /** Ends the framework: its tasks are killed and the driver stops. */
    public CompletableFuture<Void> teardown() {
        return send(call(Call.Type.TEARDOWN)).whenComplete((v, e) -> close());
    }

    /** Stops the driver without tearing the framework down (it may fail over to another scheduler). */
    @Override
    public void close() {
        closing = true;
        InputStream s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        finish(null);
        timer.shutdownNow();
        callbacks.shutdown();
        calls.close();
        if (httpThreads != null) {
            httpThreads.shutdown();
        }
        zookeepers.values().forEach(ZooKeeperMasters::close);
    }
}
