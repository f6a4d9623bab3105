package io.pangaea.benchmarks.emulator;

import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Attribute;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Label;
import io.pangaea.model.Labels;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Thousands of agents in one JVM, each speaking the agent protocol to the master over HTTP, as a real agent does
 * ({@code POST /internal/v1/agent}: SUBSCRIBE with its event stream, UPDATE, PONG), so that everything behind the
 * master's agent endpoint is what a benchmark measures. Tasks launch and end at once (no processes).
 *
 * <p>The agents' streams are multiplexed over HTTP/2 (clear text), a few connections per loopback address
 * (127.0.0.2, 127.0.0.3, ...): one socket per agent would stop at the file-descriptor limit of both processes
 * (20,000 here, soft and hard) and at the 28,232 ephemeral ports of one source address. Each agent's SUBSCRIBE
 * and PONG are encoded once and reused; new registrations are paced by a window of subscriptions awaiting their
 * REGISTERED (500 by default), so that the master sets the pace.
 *
 * <p>Run in a JVM of its own: {@code java -cp ... io.pangaea.benchmarks.emulator.AgentEmulator --agents 10000
 * --masters http://127.0.0.1:5050}; see {@link Options#parse}. It prints a status line every few seconds.
 */
public final class AgentEmulator implements AutoCloseable {

    /** What the fleet looks like and where it registers. */
    public record Options(int agents, List<URI> masters, String resources, long taskDurationMs,
                          int bindAddresses, int window, int preloadRunning, int preloadCompleted,
                          int preloadLabels, int preloadFrameworks, int maxCompleted, String namePrefix,
                          boolean trackLaunches, long taskDurationMaxMs) {

        /** Every task lasting {@code taskDurationMs}. */
        public Options(int agents, List<URI> masters, String resources, long taskDurationMs, int bindAddresses,
                       int window, int preloadRunning, int preloadCompleted, int preloadLabels,
                       int preloadFrameworks, int maxCompleted, String namePrefix, boolean trackLaunches) {
            this(agents, masters, resources, taskDurationMs, bindAddresses, window, preloadRunning, preloadCompleted,
                    preloadLabels, preloadFrameworks, maxCompleted, namePrefix, trackLaunches, taskDurationMs);
        }

        public static Options of(int agents, List<URI> masters) {
            return new Options(agents, masters, "cpus:16;mem:65536;disk:1048576;ports:[31000-32000]", 0, 4, 500,
                    0, 0, 0, 1, 1000, "emulated", false);
        }

        public Options withTaskDurationMs(long ms) {
            return new Options(agents, masters, resources, ms, bindAddresses, window, preloadRunning,
                    preloadCompleted, preloadLabels, preloadFrameworks, maxCompleted, namePrefix, trackLaunches, ms);
        }

        /** Every agent starts with {@code running} running and {@code completed} finished tasks, as after a restart. */
        public Options withPreload(int running, int completed, int labels, int frameworks) {
            return new Options(agents, masters, resources, taskDurationMs, bindAddresses, window, running, completed,
                    labels, frameworks, Math.max(maxCompleted, completed), namePrefix, trackLaunches,
                    taskDurationMaxMs);
        }

        public Options withLaunchTracking() {
            return new Options(agents, masters, resources, taskDurationMs, bindAddresses, window, preloadRunning,
                    preloadCompleted, preloadLabels, preloadFrameworks, maxCompleted, namePrefix, true,
                    taskDurationMaxMs);
        }

        /**
         * {@code --agents N --masters URL[,URL...] [--resources R] [--task-ms MS (-1: until killed; MIN-MAX: each
         * task's drawn evenly between the two)]
         * [--bind-addresses K] [--window W] [--preload RUNNING,COMPLETED,LABELS,FRAMEWORKS] [--name PREFIX]}.
         */
        public static Options parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("Expected an option at '" + args[i] + "'");
                }
                a.put(args[i].substring(2), args[i + 1]);
            }
            if (!a.containsKey("agents") || !a.containsKey("masters")) {
                throw new IllegalArgumentException("Usage: --agents N --masters http://host:port[,...] [--resources R]"
                        + " [--task-ms MS] [--bind-addresses K] [--window W] [--preload R,C,L,F] [--name PREFIX]");
            }
            Options o = of(Integer.parseInt(a.get("agents")), List.of(a.get("masters").split(",")).stream()
                    .map(URI::create).toList());
            String[] ms = a.getOrDefault("task-ms", "0").split("(?<=\\d)-", 2);
            long minMs = Long.parseLong(ms[0]);
            o = new Options(o.agents, o.masters, a.getOrDefault("resources", o.resources), minMs,
                    Integer.parseInt(a.getOrDefault("bind-addresses", "4")),
                    Integer.parseInt(a.getOrDefault("window", "500")), 0, 0, 0, 1, 1000,
                    a.getOrDefault("name", "emulated"), false, ms.length > 1 ? Long.parseLong(ms[1]) : minMs);
            if (a.containsKey("preload")) {
                String[] p = a.get("preload").split(",");
                o = o.withPreload(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                        Integer.parseInt(p[3]));
            }
            return o;
        }
    }

    /** A PING as the master encodes it. */
    private static final byte[] PING = MesosJson.write(AgentEvent.PING);

    private final Options options;
    final long taskDurationMs;
    final long taskDurationMaxMs;
    final int maxCompleted;
    private final List<EmulatedAgent> agents = new ArrayList<>();
    private final List<HttpClient> clients = new ArrayList<>();
    final ScheduledExecutorService timer;
    /** The leading master's agent endpoint as last found (a 307 names it); null to try the configured ones. */
    private volatile URI leader;
    private final AtomicInteger candidate = new AtomicInteger();
    private final AtomicLong streams = new AtomicLong();
    /** Subscriptions sent and not yet answered with REGISTERED (or ended). */
    private final Semaphore window;
    private volatile boolean closed;
    /** With {@code --masters zk://...}: the masters' election, read as a real agent reads it. */
    private final io.pangaea.scheduler.zk.ZooKeeperMasters detector;
    /** The leader ZooKeeper names, as last read. */
    private volatile URI zkLeader;
    /** Agents waiting out their backoff after a failed subscription, woken when ZooKeeper names a new leader. */
    private final java.util.Set<EmulatedAgent> waiting = ConcurrentHashMap.newKeySet();

    final LongAdder launched = new LongAdder();
    final LongAdder running = new LongAdder();
    final LongAdder ended = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder resent = new LongAdder();
    final LongAdder posts = new LongAdder();
    final LongAdder postFailures = new LongAdder();
    final LongAdder subscribeFailures = new LongAdder();
    /** How many times each task was launched here (when the options ask to track it). */
    private final Map<TaskId, AtomicInteger> launches = new ConcurrentHashMap<>();

    public AgentEmulator(Options options) throws Exception {
        this.options = options;
        this.taskDurationMs = options.taskDurationMs;
        this.taskDurationMaxMs = Math.max(options.taskDurationMs, options.taskDurationMaxMs);
        this.maxCompleted = options.maxCompleted;
        this.window = new Semaphore(options.window);
        URI first = options.masters.get(0);
        this.detector = io.pangaea.scheduler.zk.ZooKeeperMasters.isZooKeeper(first)
                ? new io.pangaea.scheduler.zk.ZooKeeperMasters(first, "http", this::leaderChanged) : null;
        this.timer = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "emulator-timer");
            t.setDaemon(true);
            return t;
        });
        QueuedThreadPool pool = new QueuedThreadPool(Math.max(8, Runtime.getRuntime().availableProcessors() * 4), 4);
        pool.setName("emulator-http");
        pool.setDaemon(true);
        pool.start();
        for (int k = 0; k < Math.max(1, options.bindAddresses); k++) {
            ClientConnector connector = new ClientConnector();
            connector.setExecutor(pool);
            connector.setSelectors(1);
            // 127.0.0.2, .3, ...: each source address has its own ephemeral ports
            connector.setBindAddress(new InetSocketAddress("127.0.0." + (2 + k), 0));
            HTTP2Client h2 = new HTTP2Client(connector);
            h2.setInitialSessionRecvWindow(64 * 1024 * 1024);
            h2.setInitialStreamRecvWindow(1024 * 1024);
            HttpClient client = new HttpClient(new HttpClientTransportOverHTTP2(h2));
            client.setExecutor(pool);
            client.setFollowRedirects(false);
            client.setMaxConnectionsPerDestination(64);
            client.setMaxRequestsQueuedPerDestination(Integer.MAX_VALUE);
            client.setIdleTimeout(0);
            client.setConnectTimeout(5_000);
            client.start();
            clients.add(client);
        }
        Resources res = Resources.parse(options.resources);
        for (int i = 0; i < options.agents; i++) {
            String host = options.namePrefix + "-" + i;
            AgentInfo info = new AgentInfo(host, 5051, res.toList(), List.of(Attribute.text("rack", "r" + (i % 40)),
                    Attribute.text("emulated", "true")), null);
            EmulatedAgent agent = new EmulatedAgent(this, i, info);
            if (options.preloadRunning > 0 || options.preloadCompleted > 0) {
                preload(agent, i);
            }
            agents.add(agent);
        }
    }

    /** The tasks an agent starts with, of framework {@code i % frameworks}: as if it came back from a restart. */
    private void preload(EmulatedAgent agent, int i) {
        int f = i % Math.max(1, options.preloadFrameworks);
        FrameworkInfo fw = new FrameworkInfo("root", options.namePrefix + "-framework-" + f,
                FrameworkId.of(options.namePrefix + "-framework-" + f), 7 * 86400.0, true, "*", null, null, null,
                null, List.of(), null);
        AgentId id = AgentId.of(options.namePrefix + "-agent-" + i);
        agent.recoverAs(id);
        List<Label> labels = new ArrayList<>();
        for (int l = 0; l < options.preloadLabels; l++) {
            labels.add(new Label("label-" + l, "value-" + l));
        }
        Labels ls = labels.isEmpty() ? null : new Labels(List.copyOf(labels));
        var taskRes = Resources.parse("cpus:0.01;mem:16").toList();
        List<Task> run = new ArrayList<>();
        double now = System.currentTimeMillis() / 1000.0;
        for (int k = 0; k < options.preloadRunning; k++) {
            run.add(preloaded(agent, id, fw.id(), "run-" + k, TaskState.TASK_RUNNING, taskRes, ls, now));
        }
        // ended at times spread over the past day, as on a real cluster (the same for the same agent on each run):
        // the order in which agents come back says nothing of when their tasks ended
        java.util.Random ended = new java.util.Random(i);
        List<Task> done = new ArrayList<>();
        for (int k = 0; k < options.preloadCompleted; k++) {
            done.add(preloaded(agent, id, fw.id(), "done-" + k, TaskState.TASK_FINISHED, taskRes, ls,
                    now - ended.nextDouble() * 86400));
        }
        agent.preload(fw, run, done);
    }

    private Task preloaded(EmulatedAgent agent, AgentId id, FrameworkId fw, String suffix, TaskState state,
                           List<io.pangaea.model.Resource> res, Labels labels, double timestamp) {
        TaskId tid = TaskId.of(agent.hostname + "-" + suffix);
        TaskStatus s = new TaskStatus(tid, state, null, TaskStatus.Source.SOURCE_EXECUTOR, null, null, id, null,
                timestamp, null, null, null, null);
        return new Task(suffix, tid, fw, null, id, state, res, List.of(s), state, null, labels, null, null);
    }

    /** Registers every agent (paced by the window) and starts resending unacknowledged updates. */
    public AgentEmulator start() {
        pending.addAll(agents);
        Thread starter = new Thread(() -> {
            while (!closed) {
                try {
                    EmulatedAgent a = pending.poll(1, TimeUnit.SECONDS);
                    if (a != null) {
                        window.acquire();
                        subscribe(a, true);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "emulator-subscriber");
        starter.setDaemon(true);
        starter.start();
        timer.scheduleWithFixedDelay(() -> agents.forEach(a -> a.resendOlderThan(TimeUnit.SECONDS.toNanos(10))),
                5, 5, TimeUnit.SECONDS);
        return this;
    }

    /** ZooKeeper's contenders changed: the leader is read again and every waiting agent tries at once. */
    private void leaderChanged() {
        timer.execute(() -> {
            try {
                zkLeader = detector.leader().resolve("/internal/v1/agent");
            } catch (IOException | RuntimeException e) {
                zkLeader = null;
            }
            for (EmulatedAgent a : List.copyOf(waiting)) {
                if (waiting.remove(a)) {
                    resubscribe(a);
                }
            }
        });
    }

    /** Queues the agent's next subscription (the subscriber thread waits for room in the window). */
    private void resubscribe(EmulatedAgent a) {
        pending.add(a);
    }

    private final java.util.concurrent.LinkedBlockingQueue<EmulatedAgent> pending =
            new java.util.concurrent.LinkedBlockingQueue<>();

    private URI target() {
        if (detector != null) {
            URI z = zkLeader;
            if (z == null) {
                try {
                    z = detector.leader().resolve("/internal/v1/agent");
                    zkLeader = z;
                } catch (IOException e) {
                    return URI.create("http://127.0.0.1:1/internal/v1/agent"); // none now: fails, and waits
                }
            }
            return z;
        }
        URI l = leader;
        if (l != null) {
            return l;
        }
        URI m = options.masters.get(Math.floorMod(candidate.get(), options.masters.size()));
        return m.resolve("/internal/v1/agent");
    }

    private HttpClient client(EmulatedAgent a) {
        return clients.get(a.index % clients.size());
    }

    /** Opens the agent's stream; {@code holdsWindow}: it took a place in the window, given back at REGISTERED. */
    private void subscribe(EmulatedAgent a, boolean holdsWindow) {
        if (closed) {
            if (holdsWindow) {
                window.release();
            }
            return;
        }
        long number = streams.incrementAndGet();
        byte[] body = a.subscription(number);
        URI to = target();
        boolean[] held = {holdsWindow};
        RecordIoDecoder decoder = new RecordIoDecoder(record -> {
            if (java.util.Arrays.equals(record, PING)) {
                // 3,333 a second at 50,000 agents, the same bytes each time: answered without decoding,
                // so that the emulator's own work does not crowd out the master's on a shared machine
                a.onEvent(number, AgentEvent.PING);
                return;
            }
            AgentEvent e;
            try {
                e = MesosJson.read(record, AgentEvent.class);
            } catch (RuntimeException | io.pangaea.model.json.MesosJsonException x) {
                return;
            }
            a.onEvent(number, e);
            if (held[0] && e.type() == AgentEvent.Type.REGISTERED) {
                held[0] = false;
                window.release();
            }
        });
        Request req = client(a).newRequest(to).method(HttpMethod.POST)
                .headers(h -> h.put(HttpHeader.ACCEPT, "application/json"))
                .body(new BytesRequestContent("application/json", body))
                .idleTimeout(10, TimeUnit.MINUTES);
        req.onResponseContent((response, content) -> {
            if (response.getStatus() == 200) {
                try {
                    decoder.feed(content);
                } catch (IOException x) {
                    response.abort(x);
                }
            }
        });
        req.send(result -> {
            a.disconnected(number);
            if (held[0]) {
                held[0] = false;
                window.release();
            }
            if (closed) {
                return;
            }
            var response = result.getResponse();
            int status = response == null ? 0 : response.getStatus();
            long delay;
            if (status == 307) {
                String location = response.getHeaders().get(HttpHeader.LOCATION);
                if (location != null) {
                    leader = to.resolve(location.startsWith("//") ? to.getScheme() + ":" + location : location);
                    if (detector != null) {
                        zkLeader = leader;
                    }
                }
                delay = 0;
            } else {
                if (subscribeFailures.sum() < 5) {
                    System.err.println("EMULATOR subscription of " + a.hostname + " ended: " + (status != 0
                            ? "HTTP " + status : String.valueOf(result.getFailure())));
                }
                subscribeFailures.increment();
                if (detector != null) {
                    // a real agent's backoff (up to 4 s, jittered), cut short when ZooKeeper names a leader
                    int n = Math.min(4, a.failures++);
                    delay = (long) ((250L << n) * (0.5 + ThreadLocalRandom.current().nextDouble() / 2));
                    if (zkLeader != null && zkLeader.equals(to)) {
                        zkLeader = null;
                    }
                } else {
                    if (leader != null && leader.equals(to)) {
                        leader = null;
                        candidate.incrementAndGet();
                    } else if (leader == null) {
                        candidate.incrementAndGet();
                    }
                    // a master that went away: come back within half a second, spread out
                    delay = 50 + ThreadLocalRandom.current().nextLong(450);
                }
            }
            waiting.add(a);
            timer.schedule(() -> {
                if (waiting.remove(a)) {
                    resubscribe(a);
                }
            }, delay, TimeUnit.MILLISECONDS);
        });
    }

    /**
     * A call to the master that needs no answer (an update, a PONG): a lost one is made good by a resend. At most
     * {@value #POSTS_OUT} are out at once and the rest wait their turn, as a real agent sends one batch at a time.
     */
    void post(byte[] body) {
        if (closed) {
            return;
        }
        queuedPosts.add(body);
        queued.incrementAndGet();
        drainPosts();
    }

    private static final int POSTS_OUT = 512;
    private final AtomicInteger postsOut = new AtomicInteger();
    /** Posts waiting for their turn (the queue's own size is counted by walking it). */
    private final AtomicInteger queued = new AtomicInteger();
    private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> queuedPosts =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private void drainPosts() {
        while (!queuedPosts.isEmpty() && !closed) {
            int out = postsOut.get();
            if (out >= POSTS_OUT) {
                return;
            }
            if (!postsOut.compareAndSet(out, out + 1)) {
                continue;
            }
            byte[] body = queuedPosts.poll();
            if (body == null) {
                postsOut.decrementAndGet();
                continue;
            }
            queued.decrementAndGet();
            posts.increment();
            clients.get(ThreadLocalRandom.current().nextInt(clients.size())).newRequest(target())
                    .method(HttpMethod.POST).body(new BytesRequestContent("application/json", body))
                    .idleTimeout(120, TimeUnit.SECONDS).send(result -> {
                        postsOut.decrementAndGet();
                        if (result.isFailed() || result.getResponse().getStatus() != 202) {
                            postFailures.increment();
                        }
                        drainPosts();
                    });
        }
    }

    /** How long a task launched now runs (ms; negative: until killed). */
    long taskDuration() {
        return taskDurationMaxMs > taskDurationMs
                ? ThreadLocalRandom.current().nextLong(taskDurationMs, taskDurationMaxMs + 1) : taskDurationMs;
    }

    void refused(EmulatedAgent a, String message) {
        System.err.println("EMULATOR agent " + a.hostname + " refused: " + message);
    }

    void onLaunch(TaskId id) {
        if (options.trackLaunches) {
            launches.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    // ---- what drivers read ----------------------------------------------------------------------------------

    /** Agents whose current stream the master has answered with REGISTERED. */
    public int registered() {
        int n = 0;
        for (EmulatedAgent a : agents) {
            if (a.registered) {
                n++;
            }
        }
        return n;
    }

    /** Agents registered now, whose last REGISTERED came after {@code nanoTime}. */
    public int registeredSince(long nanoTime) {
        int n = 0;
        for (EmulatedAgent a : agents) {
            if (a.registered && a.registeredAt - nanoTime > 0) {
                n++;
            }
        }
        return n;
    }

    public long launched() {
        return launched.sum();
    }

    /** Tasks launched here more than once (empty unless tracking was asked for). */
    public Map<TaskId, Integer> launchedTwice() {
        Map<TaskId, Integer> twice = new LinkedHashMap<>();
        launches.forEach((k, v) -> {
            if (v.get() > 1) {
                twice.put(k, v.get());
            }
        });
        return twice;
    }

    public String status() {
        return String.format("agents=%d registered=%d launched=%d running=%d ended=%d acknowledged=%d resent=%d"
                        + " posts=%d posts_queued=%d post_failures=%d subscribe_failures=%d", agents.size(),
                registered(), launched.sum(), running.sum(), ended.sum(), acknowledged.sum(), resent.sum(),
                posts.sum(), queued.get(), postFailures.sum(), subscribeFailures.sum());
    }

    @Override
    public void close() throws Exception {
        closed = true;
        timer.shutdownNow();
        if (detector != null) {
            detector.close();
        }
        for (HttpClient c : clients) {
            c.stop();
        }
    }

    /** Runs a fleet until this JVM is told to stop (SIGTERM) or its standard input ends. */
    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        AgentEmulator emulator = new AgentEmulator(o).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                emulator.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }));
        ScheduledExecutorService report = Executors.newSingleThreadScheduledExecutor();
        report.scheduleWithFixedDelay(() -> System.out.println("EMULATOR " + emulator.status()), 0, 2,
                TimeUnit.SECONDS);
        // a driver that ends closes our standard input
        while (System.in.read() >= 0) {
            // ignore what it says
        }
        report.shutdownNow();
        emulator.close();
        System.exit(0);
    }
}
