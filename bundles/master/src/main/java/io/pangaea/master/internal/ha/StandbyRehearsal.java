package io.pangaea.master.internal.ha;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.master.internal.Registry;
import io.pangaea.master.internal.http.MasterHttpServer;
import io.pangaea.model.AgentId;
import io.pangaea.model.Attribute;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Label;
import io.pangaea.model.Labels;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.json.MesosJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A standby master's rehearsal of a takeover. A master that has never led has not run the code a takeover runs:
 * when it is elected, thousands of agents re-register at once, and the JIT compiles that code while they wait (a
 * third of a new leader's CPU in a 10,000-agent failover). So a standby, once it knows the leader, starts a private
 * master of its own on a loopback port, with an in-memory registry and no election, and has made-up agents
 * re-register with it over HTTP, with their running tasks and frameworks, through the same server, parser and
 * re-registration as real ones. The private master logs no line per agent, is never advertised, and is closed
 * afterwards with its port; nothing of it reaches the real master's state or registry. Being elected stops it at
 * once.
 */
final class StandbyRehearsal {

    private static final Logger LOG = LoggerFactory.getLogger(StandbyRehearsal.class);
    /** Subscriptions in flight at once. */
    private static final int PARALLEL = 4;
    private static final int TASKS_PER_AGENT = 2;
    private static final int LABELS_PER_TASK = 3;
    private static final int FRAMEWORKS = 10;

    private final MasterConfig config;
    private final int agents;
    private volatile boolean stopped;
    private final AtomicInteger registered = new AtomicInteger();

    StandbyRehearsal(MasterConfig config, int agents) {
        this.config = config;
        this.agents = agents;
    }

    /** Stops the rehearsal (the process was elected): the subscriptions in flight end, and no new one starts. */
    void stop() {
        stopped = true;
    }

    /** The made-up agents the private master registered so far. */
    int registered() {
        return registered.get();
    }

    /** Runs it on a thread of its own; returns at once. */
    Thread start() {
        Thread t = new Thread(this::run, "pangaea-master-rehearsal");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    /** Runs it here: returns when every made-up agent registered, it was stopped, or it failed (logged). */
    void run() {
        long start = System.nanoTime();
        MasterHttpServer server = null;
        Master master = null;
        ExecutorService workers = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "pangaea-master-rehearsal-agent");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        // the client's own threads (its workers block in send: sharing them would leave none to read responses)
        ExecutorService clientThreads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "pangaea-master-rehearsal-client");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
        try {
            server = new MasterHttpServer("127.0.0.1", 0);
            master = new Master(config.withPort(server.port()), Registry.inMemory(),
                    "rehearsal-" + UUID.randomUUID());
            master.quiet();
            master.start();
            server.lead(master);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).executor(clientThreads).build();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/internal/v1/agent");
            String prefix = "rehearsal-" + UUID.randomUUID().toString().substring(0, 8);
            List<FrameworkInfo> frameworks = new ArrayList<>();
            for (int f = 0; f < FRAMEWORKS; f++) {
                frameworks.add(new FrameworkInfo("root", prefix + "-framework-" + f, FrameworkId.of(prefix
                        + "-framework-" + f), 7 * 86400.0, true, "*", null, null, null, null, List.of(), null));
            }
            AtomicInteger next = new AtomicInteger();
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (int w = 0; w < PARALLEL; w++) {
                running.add(workers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < agents && !stopped; i = next.getAndIncrement()) {
                        subscribe(client, uri, subscription(prefix, i, frameworks.get(i % FRAMEWORKS)));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : running) {
                f.get();
            }
            LOG.info("Standby rehearsal: {} made-up agents re-registered with a private master in {} ms{}",
                    registered.get(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                    stopped ? " (stopped: this master was elected)" : "");
        } catch (Exception e) {
            LOG.warn("Standby rehearsal ended after {} agents: {}", registered.get(), e.toString());
        } finally {
            workers.shutdownNow();
            clientThreads.shutdownNow();
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    LOG.debug("Rehearsal server close", e);
                }
            }
            if (master != null) {
                master.close();
            }
        }
    }

    /** One agent's re-registration: SUBSCRIBE, wait for REGISTERED on its stream, then hang up. */
    private void subscribe(HttpClient client, URI uri, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("the private master answered " + response.statusCode() + ": "
                        + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            String first = firstRecord(in);
            if (!first.contains("\"REGISTERED\"")) {
                throw new IOException("the private master's first event was not REGISTERED: " + first);
            }
            registered.incrementAndGet();
        }
    }

    /** The first record of a RecordIO stream ({@code <length>\n<bytes>}). */
    static String firstRecord(InputStream in) throws IOException {
        int length = 0;
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < '0' || c > '9' || length > 10_000_000) {
                throw new IOException("not a RecordIO stream");
            }
            length = length * 10 + (c - '0');
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** A made-up agent back from a restart: its previous id, and its running tasks with their labels. */
    static byte[] subscription(String prefix, int i, FrameworkInfo framework) {
        AgentId id = AgentId.of(prefix + "-S" + i);
        List<Resource> resources = Resources.parse("cpus:8;mem:16384;disk:100000;ports:[31000-32000]").toList();
        io.pangaea.model.AgentInfo info = new io.pangaea.model.AgentInfo(prefix + "-" + i, 5051, resources,
                List.of(Attribute.text("rack", "r" + (i % 40))), id);
        List<Label> labels = new ArrayList<>();
        for (int l = 0; l < LABELS_PER_TASK; l++) {
            labels.add(new Label("label-" + l, "value-" + l));
        }
        List<Resource> taskResources = Resources.parse("cpus:0.01;mem:16").toList();
        double now = System.currentTimeMillis() / 1000.0;
        List<Task> tasks = new ArrayList<>();
        for (int k = 0; k < TASKS_PER_AGENT; k++) {
            TaskId tid = TaskId.of(prefix + "-" + i + "-task-" + k);
            TaskStatus s = new TaskStatus(tid, TaskState.TASK_RUNNING, null, TaskStatus.Source.SOURCE_EXECUTOR,
                    null, null, id, null, now, null, null, null, null);
            tasks.add(new Task("task-" + k, tid, framework.id(), null, id, TaskState.TASK_RUNNING, taskResources,
                    List.of(s), TaskState.TASK_RUNNING, null, new Labels(labels), null, null));
        }
        return MesosJson.write(AgentCall.subscribe(new AgentCall.Subscribe(info, tasks, List.of(framework),
                List.of("MULTI_ROLE", "HIERARCHICAL_ROLE"), "rehearsal", List.of(), null, List.of())));
    }
}
