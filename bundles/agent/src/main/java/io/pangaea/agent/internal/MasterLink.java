package io.pangaea.agent.internal;

import io.pangaea.model.Address;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Attribute;
import io.pangaea.model.Task;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.RecordIo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's link to the master: finding the leader (a {@code zk://} URL, a list of masters, redirects), keeping
 * a subscription open with back-off, reading the master's events (handed to the state thread), and the calls out:
 * status updates batched one request at a time, attribute changes, and fire-and-forget notices. Owns the
 * connection state and the outbox; it never touches tasks or executors.
 * Must not touch: the task, framework and executor tables (it only reads them for a subscription).
 */
final class MasterLink extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(MasterLink.class);
    private static final int MAX_BATCH = 1000;

    private final Thread connector;
    /**
     * Makes the calls out (updates, attributes, notices) without a thread started for each answer, as the JDK's
     * {@code sendAsync} does on a machine of two cores or fewer. Updates and attributes go one call at a time each.
     */
    private final io.pangaea.model.http.HttpSender calls;
    /** Reads the leader from ZooKeeper when {@code master} is a {@code zk://} URL. */
    private final io.pangaea.scheduler.zk.ZooKeeperMasters detector;
    /** The leading master's agent endpoint once a subscription reached it (after redirects), else null. */
    private volatile URI leaderUri;
    /** Which of the configured masters to try next. */
    private int candidate;
    private volatile boolean registered;
    private volatile boolean closed;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private volatile InputStream currentStream;
    /** What this agent advertises: its configured attributes plus the containerizers and isolators installed. */
    private volatile List<Attribute> attributes;
    /** The attributes the master was last given (state thread). */
    private List<Attribute> sentAttributes;
    private boolean attributesInFlight;
    private final java.util.concurrent.ConcurrentLinkedQueue<AgentCall.Update> outbox =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean posting = new java.util.concurrent.atomic.AtomicBoolean();
    /** When the last event came from the master (System.nanoTime), on the current subscription. */
    private volatile long lastHeard = System.nanoTime();
    /**
     * How long the master may stay silent before this agent takes the connection for dead (the master's
     * {@code total_ping_timeout_seconds}, in nanoseconds); 0 until the master said it.
     */
    private volatile long silenceLimit;
    private volatile java.util.concurrent.ScheduledFuture<?> silenceWatch;
    /** Released when ZooKeeper says the masters changed: a subscription waiting out its backoff goes at once. */
    private final java.util.concurrent.Semaphore leaderChanged = new java.util.concurrent.Semaphore(0);
    /** Who handles the master's events, on the state thread. */
    private volatile Consumer<AgentEvent> handler = e -> { };

    MasterLink(AgentContext ctx) {
        super(ctx);
        String master = ctx.config().master().trim();
        this.detector = master.startsWith("zk://") ? new io.pangaea.scheduler.zk.ZooKeeperMasters(URI.create(master),
                "http", leaderChanged::release) : null;
        this.connector = new Thread(this::connectLoop, "pangaea-agent-master-link");
        this.connector.setDaemon(true);
        this.calls = new io.pangaea.model.http.HttpSender(http, 4, "pangaea-agent-calls");
    }

    /** Starts subscribing; {@code handler} gets the master's events on the state thread. */
    void start(Consumer<AgentEvent> handler) {
        this.handler = handler;
        connector.start();
    }

    /** Whether the master has accepted the current subscription. */
    boolean registered() {
        return registered;
    }

    /**
     * The master said REGISTERED on the current subscription (state thread). From now on, a master that stays
     * silent (no PING, no other event) for {@code totalPingTimeoutSeconds} is taken for gone: the connection is
     * dropped and the leader found again, as a Mesos agent does when its master's pings stop.
     */
    void registeredNow(Double totalPingTimeoutSeconds) {
        registered = true;
        lastHeard = System.nanoTime();
        silenceLimit = totalPingTimeoutSeconds == null || totalPingTimeoutSeconds <= 0 ? 0
                : (long) (totalPingTimeoutSeconds * 1e9);
        if (silenceWatch == null && silenceLimit > 0) {
            long every = Math.max(100, Math.min(1000, silenceLimit / 1_000_000 / 5));
            silenceWatch = state.scheduleWithFixedDelay(this::checkSilence, every, every, TimeUnit.MILLISECONDS);
        }
        sendAttributes(); // if they changed since the subscription was made
    }

    /** Drops a subscription on which the master has said nothing for longer than it allows (state thread). */
    private void checkSilence() {
        long limit = silenceLimit;
        InputStream s = currentStream;
        if (!registered || limit <= 0 || s == null || System.nanoTime() - lastHeard <= limit) {
            return;
        }
        LOG.warn("No word from the master for {} ms (it allows {} ms); dropping the connection and finding the"
                + " leader again", (System.nanoTime() - lastHeard) / 1_000_000, limit / 1_000_000);
        registered = false;
        try {
            s.close();
        } catch (IOException ignored) {
            // the reader sees the stream end either way
        }
    }

    /** Answers the master's PING (state thread): the agent is alive and reads its stream. */
    void pong() {
        AgentId id = ctx.agentId;
        if (id != null) {
            tellMaster(AgentCall.pong(id));
        }
    }

    /** Ends the link: the subscription stream is closed and nothing more is sent. */
    void close() {
        closed = true;
        closing.countDown();
        leaderChanged.release(); // ends a backoff at once
        java.util.concurrent.ScheduledFuture<?> watch = silenceWatch;
        if (watch != null) {
            watch.cancel(false);
        }
        InputStream s = currentStream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (detector != null) {
            detector.close();
        }
        calls.close();
    }

    /** The attributes the agent registers with: the configured ones plus what {@link #advertise} last set. */
    List<Attribute> attributes() {
        List<Attribute> a = attributes;
        return a != null ? a : config().attributes();
    }

    /**
     * Sets the containerizers and isolators this agent can use now, advertised as the TEXT attributes
     * {@code containerizers} and {@code isolators} (comma-separated) unless the configuration names those
     * attributes itself. When they change while registered, the master is told at once, so new offers carry them.
     */
    void advertise(List<String> containerizers, List<String> isolators) {
        try {
            state.execute(() -> advertiseNow(containerizers, isolators));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the agent has stopped: plugins going away with it change nothing
        }
    }

    private void advertiseNow(List<String> containerizers, List<String> isolators) {
        List<Attribute> next = new ArrayList<>(config().attributes());
        Set<String> configured = new HashSet<>();
        config().attributes().forEach(a -> configured.add(a.name()));
        if (!configured.contains("containerizers") && !containerizers.isEmpty()) {
            next.add(Attribute.text("containerizers", String.join(",", containerizers)));
        }
        if (!configured.contains("isolators") && !isolators.isEmpty()) {
            next.add(Attribute.text("isolators", String.join(",", isolators)));
        }
        if (next.equals(attributes())) {
            return;
        }
        attributes = List.copyOf(next);
        sendAttributes();
    }

    /**
     * Tells the master of the current attributes if it has others (state thread). One call is out at a time, so
     * that the master sees changes in their order; a change made meanwhile is sent when it returns.
     */
    void sendAttributes() {
        AgentId id = ctx.agentId;
        List<Attribute> now = attributes();
        if (!registered || id == null || closed || attributesInFlight || now.equals(sentAttributes)) {
            return; // the next (re-)registration or the call out carries them
        }
        attributesInFlight = true;
        HttpRequest req = authorized(HttpRequest.newBuilder(masterUri())).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(AgentCall.updateAgent(id, now))))
                .build();
        calls.send(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            boolean ok = e == null && r.statusCode() == 202;
            if (!ok) {
                LOG.info("Could not tell the master of new attributes ({}); trying again",
                        e != null ? e : r.statusCode());
            }
            state.schedule(() -> {
                attributesInFlight = false;
                if (ok) {
                    sentAttributes = now;
                }
                sendAttributes();
            }, ok ? 0 : 1000, TimeUnit.MILLISECONDS);
        });
    }

    /** The host of the master this agent is subscribed with, or "" while it is not. */
    String masterHost() {
        URI leader = leaderUri;
        return leader == null ? "" : leader.getHost();
    }

    /**
     * Where to send calls: the leader found by the last subscription, else one of the configured masters
     * ({@code master} is {@code host:port} or a comma-separated list of them; a master that does not lead
     * redirects to the one that does).
     */
    URI masterUri() {
        URI leader = leaderUri;
        if (leader != null) {
            return leader;
        }
        String[] all = config().master().split(",");
        String m = all[Math.floorMod(candidate, all.length)].trim();
        if (!m.startsWith("http://") && !m.startsWith("https://")) {
            m = ctx.tls.scheme() + "://" + m;
        }
        return URI.create(m.replaceAll("/+$", "") + "/internal/v1/agent");
    }

    /** A master found in ZooKeeper (whose MasterInfo has no scheme) is called over TLS when this agent uses TLS. */
    private URI withScheme(URI leader) {
        return ctx.tls.enabled() && "http".equals(leader.getScheme()) ? URI.create("https"
                + leader.toString().substring("http".length())) : leader;
    }

    /** Adds the agent's credential (its {@code credential} setting), when it has one. */
    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        String a = ctx.authorization;
        return a == null ? b : b.header("Authorization", a);
    }

    void connectLoop() {
        long backoffMs = 250;
        while (!closed) {
            try {
                subscribeOnce();
                backoffMs = 250;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                LOG.info("Master link to {} down: {}; retrying in {} ms", config().master(), e.toString(), backoffMs);
            }
            registered = false;
            try {
                if (closing.await(0, TimeUnit.MILLISECONDS)) {
                    return;
                }
                // the backoff, cut short when the masters in ZooKeeper change (a new leader is elected)
                if (leaderChanged.tryAcquire(backoffMs, TimeUnit.MILLISECONDS)) {
                    leaderChanged.drainPermits();
                    backoffMs = 125; // doubled below: the next failure waits 250 ms again
                }
                if (closing.await(0, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(10_000, backoffMs * 2);
        }
    }

    void subscribeOnce() throws Exception {
        AgentCall.Subscribe sub = CompletableFuture.supplyAsync(this::subscription, state).get();
        // with master = zk://..., the leader is read from ZooKeeper before each subscription
        URI target = detector != null ? withScheme(detector.leader()).resolve("/internal/v1/agent") : masterUri();
        HttpRequest req = authorized(HttpRequest.newBuilder(target)).header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(AgentCall.subscribe(sub)))).build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            candidate++;
            throw e;
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) {
                candidate++;
                throw new IOException("master answered " + resp.statusCode() + ": "
                        + new String(in.readNBytes(1000), StandardCharsets.UTF_8));
            }
            leaderUri = resp.uri();
            lastHeard = System.nanoTime();
            currentStream = in;
            byte[] record;
            while ((record = RecordIo.read(in)) != null) {
                lastHeard = System.nanoTime();
                AgentEvent event = MesosJson.read(record, AgentEvent.class);
                state.execute(() -> handler.accept(event));
            }
            throw new IOException("master closed the stream");
        } finally {
            currentStream = null;
            leaderUri = null; // the next subscription finds the leader again
        }
    }

    AgentCall.Subscribe subscription() {
        List<Task> running = new ArrayList<>();
        for (TaskRun t : tasks.values()) {
            running.add(task(t));
        }
        // the tasks of live frameworks that ended here, for a new leader's completed tasks
        List<Task> completed = new ArrayList<>();
        ctx.history.completedExecutors().values().forEach(executors -> executors.forEach(e -> e.tasks()
                .forEach(t -> completed.add(task(t)))));
        sentAttributes = attributes();
        AgentInfo info = new AgentInfo(config().hostname(), config().port(), config().resources().toList(),
                sentAttributes, ctx.agentId);
        return new AgentCall.Subscribe(info, running, List.copyOf(frameworks.values()),
                List.of("MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"), "pangaea-0.1.0",
                executors.values().stream().filter(e -> !e.ended).map(e -> e.info).toList(), address(),
                completed);
    }

    /** A task as the master's registry keeps it: its info, its state and the statuses it went through. */
    private Task task(TaskRun t) {
        TaskStatus last = t.statuses.isEmpty() ? null : t.statuses.get(t.statuses.size() - 1);
        return new Task(t.info.name(), t.info.taskId(), t.frameworkId, t.executorId(), ctx.agentId, t.state,
                t.info.resources(), List.copyOf(t.statuses), last == null ? null : last.state(),
                last == null ? null : last.uuid(), t.info.labels(), t.info.container(), null);
    }

    /**
     * Where this agent listens, for the master's offers and pids. An agent bound to every interface leaves the ip
     * out: the master then takes the address it connects from.
     */
    private Address address() {
        String ip = config().ip();
        boolean wildcard = ip == null || ip.isBlank() || ip.equals("0.0.0.0") || ip.equals("::");
        return new Address(config().hostname(), wildcard ? null : ip, config().port());
    }

    /**
     * Queues an update for the master. One call is out at a time, on a worker thread; what piles up meanwhile goes in
     * the next call, so a burst of updates costs a few requests rather than one each. A lost call is made good by
     * the status update manager's resend.
     */
    void post(AgentCall.Update update) {
        if (!registered || ctx.agentId == null) {
            return; // flushed again once registered
        }
        outbox.add(update);
        schedulePost();
    }

    /** Starts a call for what is queued unless one is already out. */
    void schedulePost() {
        if (!outbox.isEmpty() && !closed && posting.compareAndSet(false, true)) {
            workers.execute(this::postBatch);
        }
    }

    void postBatch() {
        List<AgentCall.Update> batch = new ArrayList<>();
        AgentCall.Update u;
        while (batch.size() < MAX_BATCH && (u = outbox.poll()) != null) {
            batch.add(u);
        }
        AgentId id = ctx.agentId;
        if (batch.isEmpty() || id == null || closed) {
            posting.set(false);
            schedulePost();
            return;
        }
        HttpRequest req = authorized(HttpRequest.newBuilder(masterUri())).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(batch.size() == 1
                        ? AgentCall.update(id, batch.get(0)) : AgentCall.updates(id, batch))))
                .build();
        calls.send(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 202) {
                LOG.debug("{} status update(s) not delivered ({}); they will be retried", batch.size(),
                        e != null ? e.toString() : r.statusCode());
            }
            posting.set(false);
            schedulePost();
        });
    }

    /** Fire and forget: a call to the master that is not retried (a lost one is made good on re-registration). */
    void tellMaster(AgentCall call) {
        if (!registered || closed) {
            return;
        }
        HttpRequest req = authorized(HttpRequest.newBuilder(masterUri())).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(call))).build();
        calls.send(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, x) -> {
            if (x != null || r.statusCode() != 202) {
                LOG.info("The master did not take {} ({})", call.type(), x != null ? x : r.statusCode());
            }
        });
    }
}
