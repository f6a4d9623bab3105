package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Attribute;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.Environment;
import io.pangaea.http.EventSink;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.Labels;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.Durations;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.RecordIo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent core. It dials the master and keeps a subscription open (reconnecting with back-off), runs the tasks
 * the master sends through the containerizer their {@code ContainerInfo} asks for, and reports their status
 * through the {@link StatusUpdateManager}. One state thread owns the task table; launches and waits run on a
 * worker pool.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AgentConfig config;
    private final Function<String, Containerizer> containerizers;
    private final ScheduledThreadPoolExecutor state;
    private final ExecutorService workers;
    private final HttpClient http;
    private final StatusUpdateManager updates;
    private final Map<TaskId, TaskRun> tasks = new LinkedHashMap<>();
    private final Map<FrameworkId, FrameworkInfo> frameworks = new LinkedHashMap<>();
    private final Map<ExecutorKey, ExecutorRun> executors = new LinkedHashMap<>();
    /**
     * Frameworks that have nothing left here (their last executor ended and its updates were acknowledged) or that
     * the master shut down, newest last, at most {@value #MAX_COMPLETED_FRAMEWORKS}; as Mesos's agent keeps them.
     */
    private final ArrayDeque<CompletedFramework> completedFrameworks = new ArrayDeque<>();
    /** The executors that ended here, per live framework, newest last. */
    private final Map<FrameworkId, ArrayDeque<CompletedExecutor>> completedExecutors = new java.util.HashMap<>();
    private static final int MAX_COMPLETED_FRAMEWORKS = 50;
    /** Mesos's defaults of {@code max_completed_executors_per_framework} and {@code ..._tasks_per_executor}. */
    static final int MAX_COMPLETED_EXECUTORS = 150;
    static final int MAX_COMPLETED_TASKS = 200;

    /**
     * An executor that ended, kept for the read endpoints: a custom or default one ({@code executor}), or the
     * command executor of one task ({@code command}). {@code tasks} are its completed tasks.
     */
    record CompletedExecutor(ExecutorRun executor, TaskRun command, java.util.Collection<TaskRun> tasks) {}

    /** A framework with nothing left on this agent, and the executors it had here. */
    record CompletedFramework(FrameworkInfo info, ArrayDeque<CompletedExecutor> executors) {}
    private final double startTime = System.currentTimeMillis() / 1000.0;
    private final Thread connector;
    private volatile AgentId agentId;
    private volatile boolean registered;
    /** What this agent advertises: its configured attributes plus the containerizers and isolators installed. */
    private volatile List<Attribute> attributes;
    /** The attributes the master was last given (state thread). */
    private List<Attribute> sentAttributes;
    private boolean attributesInFlight;
    private volatile boolean closed;
    private final java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
    private volatile InputStream currentStream;
    private static final int MAX_BATCH = 1000;
    private final java.util.concurrent.ConcurrentLinkedQueue<AgentCall.Update> outbox =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean posting = new java.util.concurrent.atomic.AtomicBoolean();

    /** A task on this agent; touched only on the state thread. */
    /** Counters for {@code /metrics/snapshot}, under Mesos's {@code slave/} names (state thread). */
    private final Map<String, Long> counters = new java.util.TreeMap<>(Map.of("slave/tasks_finished", 0L,
            "slave/tasks_failed", 0L, "slave/tasks_killed", 0L, "slave/tasks_lost", 0L, "slave/tasks_gone", 0L,
            "slave/executors_terminated", 0L, "slave/container_launch_errors", 0L, "slave/valid_status_updates", 0L,
            "containerizer/fetcher/task_fetches_succeeded", 0L, "containerizer/fetcher/task_fetches_failed", 0L));
    private final Fetcher fetcher;

    private void count(String name) {
        counters.merge("slave/" + name, 1L, Long::sum);
    }

    Map<String, Long> counters() {
        return counters;
    }

    /** The Mesos version whose agent APIs this agent speaks. */
    public static final String MESOS_VERSION = io.pangaea.http.MesosVersion.VERSION;

    static final class TaskRun {
        final FrameworkId frameworkId;
        final TaskInfo info;
        final ContainerId containerId;
        final Path sandbox;
        TaskState state = TaskState.TASK_STAGING;
        Container container;
        boolean killRequested;
        Duration killGrace;
        final List<TaskStatus> statuses = new ArrayList<>();
        /** The custom or default executor the task runs under; null for a command task. */
        final ExecutorRun executor;
        /** The task group it came in, for tasks launched with LAUNCH_GROUP. */
        final TaskGroupInfo group;
        /** Sent to its (custom) executor. */
        boolean delivered;

        TaskRun(FrameworkId frameworkId, TaskInfo info, Path sandbox, ContainerId containerId) {
            this(frameworkId, info, sandbox, containerId, null, null);
        }

        TaskRun(FrameworkId frameworkId, TaskInfo info, Path sandbox, ContainerId containerId, ExecutorRun executor,
                TaskGroupInfo group) {
            this.frameworkId = frameworkId;
            this.info = info;
            this.sandbox = sandbox;
            this.containerId = containerId;
            this.executor = executor;
            this.group = group;
        }

        /** The task's executor: its own (the agent's command executor, named after it) or the framework's. */
        ExecutorId executorId() {
            return executor != null ? executor.info.executorId() : ExecutorId.of(info.taskId().value());
        }
    }

    record ExecutorKey(FrameworkId frameworkId, ExecutorId executorId) {}

    /**
     * An executor of a framework: a CUSTOM one is a process in its own container that subscribes to
     * {@code /api/v1/executor} and runs the tasks sent to it; the DEFAULT one is built into the agent and runs each
     * task of its groups in a container of its own. Touched only on the state thread.
     */
    static final class ExecutorRun {
        final FrameworkInfo framework;
        final ExecutorInfo info;
        final ContainerId containerId;
        final Path sandbox;
        final boolean builtin;
        final Map<TaskId, TaskRun> tasks = new LinkedHashMap<>();
        /** Tasks and groups not yet sent to a custom executor, in launch order (TaskRun or TaskGroupInfo). */
        final List<Object> pending = new ArrayList<>();
        /** Its tasks whose last update was acknowledged, newest last, at most {@value #MAX_COMPLETED_TASKS}. */
        final ArrayDeque<TaskRun> completedTasks = new ArrayDeque<>();
        Container container;
        EventSink stream;
        boolean subscribed;
        boolean terminating;
        boolean ended;
        /** Why the agent is ending it (registration timeout, shutdown), for its tasks' last updates. */
        TaskStatus.Reason reason;
        String reasonMessage;
        TaskState reasonState;
        java.util.concurrent.ScheduledFuture<?> registrationTimer;
        java.util.concurrent.ScheduledFuture<?> shutdownTimer;
        java.util.concurrent.ScheduledFuture<?> heartbeat;
        /** What the executor's container was last given (its own resources plus its live tasks'). */
        Resources size = Resources.EMPTY;
        /** Resizes run one after another, in the order they were asked for. */
        CompletableFuture<Void> resizing = CompletableFuture.completedFuture(null);

        ExecutorRun(FrameworkInfo framework, ExecutorInfo info, ContainerId containerId, Path sandbox) {
            this.framework = framework;
            this.info = info;
            this.containerId = containerId;
            this.sandbox = sandbox;
            this.builtin = info.isDefault();
        }

        ExecutorKey key() {
            return new ExecutorKey(framework.id(), info.executorId());
        }
    }

    public Agent(AgentConfig config, Function<String, Containerizer> containerizers) {
        this.config = config;
        this.containerizers = containerizers;
        this.state = new ScheduledThreadPoolExecutor(1, r -> thread(r, "pangaea-agent-state"));
        this.state.setRemoveOnCancelPolicy(true);
        this.workers = Executors.newCachedThreadPool(r -> thread(r, "pangaea-agent-worker"));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(5)).executor(workers).build();
        this.updates = new StatusUpdateManager(state, this::post);
        this.fetcher = new Fetcher(Duration.ofMinutes(5), new FetcherCache(config.fetcherCacheDir(),
                config.fetcherCacheSize()));
        this.agentId = readAgentId();
        this.detector = config.master().trim().startsWith("zk://") ? new ZooKeeperDetector(config.master().trim())
                : null;
        this.connector = thread(this::connectLoop, "pangaea-agent-master-link");
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The attributes the agent registers with: the configured ones plus what {@link #advertise} last set. */
    public List<Attribute> attributes() {
        List<Attribute> a = attributes;
        return a != null ? a : config.attributes();
    }

    /**
     * Sets the containerizers and isolators this agent can use now, advertised as the TEXT attributes
     * {@code containerizers} and {@code isolators} (comma-separated) unless the configuration names those
     * attributes itself. When they change while registered, the master is told at once, so new offers carry them.
     */
    public void advertise(List<String> containerizers, List<String> isolators) {
        state.execute(() -> {
            List<Attribute> next = new ArrayList<>(config.attributes());
            Set<String> configured = new HashSet<>();
            config.attributes().forEach(a -> configured.add(a.name()));
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
        });
    }

    /**
     * Tells the master of the current attributes if it has others (state thread). One call is out at a time, so
     * that the master sees changes in their order; a change made meanwhile is sent when it returns.
     */
    private void sendAttributes() {
        AgentId id = agentId;
        List<Attribute> now = attributes();
        if (!registered || id == null || closed || attributesInFlight || now.equals(sentAttributes)) {
            return; // the next (re-)registration or the call out carries them
        }
        attributesInFlight = true;
        HttpRequest req = HttpRequest.newBuilder(masterUri()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(AgentCall.updateAgent(id, now))))
                .build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
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

    public void start() {
        connector.start();
    }

    public AgentConfig config() {
        return config;
    }

    public AgentId agentId() {
        return agentId;
    }

    /** The fetcher's cache, for its size metrics. */
    FetcherCache fetcherCache() {
        return fetcher.cache();
    }

    public boolean registered() {
        return registered;
    }

    private volatile io.pangaea.http.LoggingLevel loggingLevel;

    /** GET/SET_LOGGING_LEVEL's backend; set in Karaf (null outside it: the calls answer 501). */
    public void setLoggingLevel(io.pangaea.http.LoggingLevel l) {
        this.loggingLevel = l;
    }

    public io.pangaea.http.LoggingLevel loggingLevel() {
        return loggingLevel;
    }

    /** The host of the master this agent is subscribed with, or "" while it is not. */
    public String masterHost() {
        URI leader = leaderUri;
        return leader == null ? "" : leader.getHost();
    }

    public double startTime() {
        return startTime;
    }

    /** Runs {@code f} on the state thread; for the HTTP read endpoints. */
    public <T> CompletableFuture<T> read(Function<AgentView, T> f) {
        return CompletableFuture.supplyAsync(() -> f.apply(new AgentView(this, List.copyOf(tasks.values()),
                Map.copyOf(frameworks), Map.copyOf(completedExecutors), List.copyOf(completedFrameworks))), state);
    }

    /** Kills every container (the agent does not yet reattach to containers after a restart). */
    @Override
    public void close() {
        closed = true;
        closing.countDown();
        InputStream s = currentStream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        CompletableFuture<List<Container>> running = CompletableFuture.supplyAsync(() -> {
            List<Container> all = new ArrayList<>();
            tasks.values().stream().map(t -> t.container).filter(c -> c != null).forEach(all::add);
            executors.values().stream().map(e -> e.container).filter(c -> c != null).forEach(all::add);
            executors.values().forEach(e -> {
                if (e.stream != null) {
                    e.stream.close();
                }
            });
            return all;
        }, state);
        try {
            List<Container> containers = running.get(5, TimeUnit.SECONDS);
            List<CompletableFuture<Termination>> ends = new ArrayList<>();
            for (Container c : containers) {
                c.kill(Duration.ZERO);
                ends.add(c.termination().toCompletableFuture());
            }
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Not every container ended cleanly on shutdown", e);
        }
        state.shutdownNow();
        workers.shutdownNow();
        if (detector != null) {
            detector.close();
        }
    }

    // ---- link to the master ------------------------------------------------------------------------------------

    /** The leading master's agent endpoint once a subscription reached it (after redirects), else null. */
    private volatile URI leaderUri;
    /** Which of the configured masters to try next. */
    private int candidate;
    /** Reads the leader from ZooKeeper when {@code master} is a {@code zk://} URL. */
    private final ZooKeeperDetector detector;

    /**
     * Where to send calls: the leader found by the last subscription, else one of the configured masters
     * ({@code master} is {@code host:port} or a comma-separated list of them; a master that does not lead
     * redirects to the one that does).
     */
    private URI masterUri() {
        URI leader = leaderUri;
        if (leader != null) {
            return leader;
        }
        String[] all = config.master().split(",");
        String m = all[Math.floorMod(candidate, all.length)].trim();
        if (!m.startsWith("http://") && !m.startsWith("https://")) {
            m = "http://" + m;
        }
        return URI.create(m.replaceAll("/+$", "") + "/internal/v1/agent");
    }

    private void connectLoop() {
        long backoffMs = 250;
        while (!closed) {
            try {
                subscribeOnce();
                backoffMs = 250;
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                LOG.info("Master link to {} down: {}; retrying in {} ms", config.master(), e.toString(), backoffMs);
            }
            registered = false;
            try {
                if (closing.await(backoffMs, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(10_000, backoffMs * 2);
        }
    }

    private void subscribeOnce() throws Exception {
        AgentCall.Subscribe sub = CompletableFuture.supplyAsync(this::subscription, state).get();
        // with master = zk://..., the leader is read from ZooKeeper before each subscription
        URI target = detector != null ? detector.leader().resolve("/internal/v1/agent") : masterUri();
        HttpRequest req = HttpRequest.newBuilder(target).header("Content-Type", "application/json")
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
            currentStream = in;
            byte[] record;
            while ((record = RecordIo.read(in)) != null) {
                AgentEvent event = MesosJson.read(record, AgentEvent.class);
                state.execute(() -> handle(event));
            }
            throw new IOException("master closed the stream");
        } finally {
            currentStream = null;
            leaderUri = null; // the next subscription finds the leader again
        }
    }

    private AgentCall.Subscribe subscription() {
        List<Task> running = new ArrayList<>();
        for (TaskRun t : tasks.values()) {
            TaskStatus last = t.statuses.isEmpty() ? null : t.statuses.get(t.statuses.size() - 1);
            running.add(new Task(t.info.name(), t.info.taskId(), t.frameworkId, t.executorId(),
                    agentId, t.state, t.info.resources(), List.copyOf(t.statuses),
                    last == null ? null : last.state(), last == null ? null : last.uuid(), t.info.labels(),
                    t.info.container(), null));
        }
        sentAttributes = attributes();
        AgentInfo info = new AgentInfo(config.hostname(), config.port(), config.resources().toList(),
                sentAttributes, agentId);
        return new AgentCall.Subscribe(info, running, List.copyOf(frameworks.values()),
                List.of("MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"), "pangaea-0.1.0",
                executors.values().stream().filter(e -> !e.ended).map(e -> e.info).toList());
    }

    /**
     * Queues an update for the master. One call is out at a time, on a worker thread; what piles up meanwhile goes in
     * the next call, so a burst of updates costs a few requests rather than one each. A lost call is made good by
     * the status update manager's resend.
     */
    private void post(AgentCall.Update update) {
        if (!registered || agentId == null) {
            return; // flushed again once registered
        }
        outbox.add(update);
        schedulePost();
    }

    /** Starts a call for what is queued unless one is already out. */
    private void schedulePost() {
        if (!outbox.isEmpty() && !closed && posting.compareAndSet(false, true)) {
            workers.execute(this::postBatch);
        }
    }

    private void postBatch() {
        List<AgentCall.Update> batch = new ArrayList<>();
        AgentCall.Update u;
        while (batch.size() < MAX_BATCH && (u = outbox.poll()) != null) {
            batch.add(u);
        }
        AgentId id = agentId;
        if (batch.isEmpty() || id == null || closed) {
            posting.set(false);
            schedulePost();
            return;
        }
        HttpRequest req = HttpRequest.newBuilder(masterUri()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(batch.size() == 1
                        ? AgentCall.update(id, batch.get(0)) : AgentCall.updates(id, batch))))
                .build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 202) {
                LOG.debug("{} status update(s) not delivered ({}); they will be retried", batch.size(),
                        e != null ? e.toString() : r.statusCode());
            }
            posting.set(false);
            schedulePost();
        });
    }

    // ---- events (state thread) --------------------------------------------------------------------------------

    private void handle(AgentEvent event) {
        switch (event.type()) {
            case REGISTERED -> {
                AgentId id = event.registered().agentId();
                if (!id.equals(agentId)) {
                    agentId = id;
                    writeAgentId(id);
                }
                registered = true;
                LOG.info("Registered with master {} as {}", event.registered().masterInfo().pid(), id);
                updates.flush();
                sendAttributes(); // if they changed since the subscription was made
            }
            case LAUNCH -> {
                if (event.launch().task().executor() != null) {
                    launchOnExecutor(event.launch().frameworkInfo(), event.launch().task());
                } else {
                    launch(event.launch().frameworkInfo(), event.launch().task());
                }
            }
            case LAUNCH_GROUP -> launchGroup(event.launchGroup());
            case MESSAGE -> frameworkMessage(event.message());
            case DESTROY_VOLUME -> {
                Path volume = volumePath(event.destroyVolume().role(), event.destroyVolume().persistenceId());
                workers.execute(() -> deleteTree(volume));
            }
            case SHUTDOWN_EXECUTOR -> {
                ExecutorRun e = executors.get(new ExecutorKey(event.shutdownExecutor().frameworkId(),
                        event.shutdownExecutor().executorId()));
                if (e != null) {
                    shutdownExecutor(e, TaskState.TASK_KILLED, "Executor shut down by its framework",
                            TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
                }
            }
            case KILL -> kill(event.kill().taskId(), event.kill().killPolicy());
            case SHUTDOWN_FRAMEWORK -> shutdownFramework(event.shutdownFramework().frameworkId());
            case ACKNOWLEDGE -> {
                updates.acknowledge(event.acknowledge().taskId(), event.acknowledge().uuid());
                TaskRun t = tasks.get(event.acknowledge().taskId());
                if (t != null && t.executor != null && !t.executor.builtin && t.executor.stream != null
                        && t.statuses.stream().anyMatch(x -> event.acknowledge().uuid().equals(x.uuid())
                        && x.source() == TaskStatus.Source.SOURCE_EXECUTOR)) {
                    ObjectNode ack = executorEvent("ACKNOWLEDGED");
                    ObjectNode body = ack.putObject("acknowledged");
                    body.set("task_id", MesosJson.tree(t.info.taskId()));
                    body.put("uuid", event.acknowledge().uuid());
                    t.executor.stream.send(MesosJson.write(ack));
                }
                if (t != null && t.state.isTerminal() && !updates.hasPending(t.info.taskId())) {
                    retire(t);
                }
            }
            case ERROR -> LOG.warn("Master says: {}", event.error().message());
            case HEARTBEAT -> { }
            default -> LOG.debug("Ignoring {}", event.type());
        }
    }

    private void launch(FrameworkInfo framework, TaskInfo task) {
        if (tasks.containsKey(task.taskId())) {
            LOG.warn("Task {} is already on this agent; ignoring a second launch", task.taskId());
            return;
        }
        frameworks.put(framework.id(), framework);
        Path sandbox = config.workDir().resolve("slaves").resolve(agentId.value()).resolve("frameworks")
                .resolve(framework.id().value()).resolve("executors").resolve(task.taskId().value())
                .resolve("runs");
        ContainerId containerId = ContainerId.of(UUID.randomUUID().toString());
        Path dir = sandbox.resolve(containerId.value());
        TaskRun t = new TaskRun(framework.id(), task, dir, containerId);
        tasks.put(task.taskId(), t);
        startContainer(t, framework);
    }

    /** Runs a command task, or a task of the default executor, in a container of its own. */
    private void startContainer(TaskRun t, FrameworkInfo framework) {
        TaskInfo task = t.info;
        Path dir = t.sandbox;
        String kind = containerizerFor(task);
        Containerizer containerizer = config.containerizers().contains(kind) ? containerizers.apply(kind) : null;
        if (containerizer == null) {
            terminal(t, TaskState.TASK_FAILED, "Containerizer '" + kind + "' is not "
                    + (config.containerizers().contains(kind) ? "installed" : "enabled (containerizers="
                    + String.join(",", config.containerizers()) + ")") + " on this agent",
                    TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED);
            return;
        }
        // Docker and LXC containers have a root file system of their own: volumes are bind-mounted into them, at
        // their path under the container's sandbox; with filesystem/linux, native containers get bind mounts too
        boolean own = kind.equals("docker") || kind.equals("lxc");
        boolean mounts = own || config.isolation().contains("filesystem/linux");
        ContainerSpec spec = new ContainerSpec(t.containerId, task.command(),
                mounts ? withVolumeMounts(task, own ? CONTAINER_SANDBOX + "/" : "") : task.container(), dir,
                environment(t, dir), Resources.of(task.resources() == null ? List.of() : task.resources()),
                config.isolation(),
                Map.of("io.pangaea.agent", String.valueOf(agentId), "io.pangaea.framework", framework.id().value(),
                        "io.pangaea.task", task.taskId().value()));
        send(t, TaskState.TASK_STARTING, null, null);
        workers.execute(() -> {
            try {
                Files.createDirectories(dir);
                if (mounts) {
                    createVolumes(task); // bind-mounted by the containerizer (withVolumeMounts)
                } else {
                    linkVolumes(task, dir);
                }
            } catch (IOException e) {
                state.execute(() -> terminal(t, TaskState.TASK_FAILED, "Cannot create the sandbox: "
                        + e.getMessage(), TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
                return;
            }
            if (!fetched(task.command(), dir, why -> state.execute(() -> terminal(t, TaskState.TASK_FAILED, why,
                    TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED)))) {
                return;
            }
            try {
                Container c = containerizer.launch(spec);
                state.execute(() -> launched(t, c));
            } catch (ContainerException | RuntimeException | LinkageError e) {
                // a broken plugin (a class missing from its bundle) fails the task, never leaves it STARTING
                if (!(e instanceof ContainerException)) {
                    LOG.warn("Containerizer '{}' failed launching task {}", kind, task.taskId(), e);
                }
                String why = e instanceof ContainerException ? e.getMessage() : e.toString();
                state.execute(() -> terminal(t, TaskState.TASK_FAILED, "Failed to launch container: " + why,
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
            }
        });
    }

    /**
     * Where a persistent volume's data lives: {@code <work_dir>/volumes/roles/<role>/<persistence id>}, outside
     * every sandbox, so it outlives the tasks that use it (the role is URL-encoded: hierarchical roles have '/').
     */
    Path volumePath(String role, String persistenceId) {
        return config.workDir().resolve("volumes").resolve("roles")
                .resolve(java.net.URLEncoder.encode(role, StandardCharsets.UTF_8)).resolve(persistenceId);
    }

    /**
     * Makes the persistent volumes a task uses appear in its sandbox at their {@code container_path}: a symbolic
     * link to the volume's directory (created on first use), as Mesos's filesystem/posix isolator does.
     */
    private void linkVolumes(TaskInfo task, Path sandbox) throws IOException {
        createVolumes(task);
        for (io.pangaea.model.Resource r : volumes(task)) {
            Path volume = volumeDir(r);
            Path link = sandbox.resolve(r.disk().volume().containerPath()).normalize();
            if (!link.startsWith(sandbox)) {
                throw new IOException("volume path " + r.disk().volume().containerPath() + " leaves the sandbox");
            }
            Files.createDirectories(link.getParent());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, volume);
            }
        }
    }

    /** Where Docker and LXC containers see their sandbox, as in Mesos. */
    private static final String CONTAINER_SANDBOX = "/mnt/mesos/sandbox";

    /**
     * A task's ContainerInfo with its persistent volumes added as bind mounts at {@code <sandbox><container_path>}
     * (read-only when the volume's mode is RO). Docker and LXC tasks get them under {@code /mnt/mesos/sandbox/}: a
     * link in the sandbox would point at a host path the container cannot see. Native tasks under filesystem/linux
     * get them at their path relative to the sandbox, which that isolator mounts in the task's mount namespace.
     */
    private ContainerInfo withVolumeMounts(TaskInfo task, String sandbox) {
        ContainerInfo c = task.container() != null ? task.container()
                : new ContainerInfo(ContainerInfo.Type.MESOS, null, null, null);
        List<ContainerInfo.Volume> volumes = new ArrayList<>(c.volumes() == null ? List.of() : c.volumes());
        for (io.pangaea.model.Resource r : volumes(task)) {
            volumes.add(new ContainerInfo.Volume(sandbox + r.disk().volume().containerPath(),
                    volumeDir(r).toString(),
                    r.disk().volume().mode() == null ? ContainerInfo.Volume.Mode.RW : r.disk().volume().mode()));
        }
        return new ContainerInfo(c.type(), volumes, c.hostname(), c.docker());
    }

    /** Creates the directories of the task's persistent volumes (on first use). */
    private void createVolumes(TaskInfo task) throws IOException {
        for (io.pangaea.model.Resource r : volumes(task)) {
            Files.createDirectories(volumeDir(r));
        }
    }

    /** The persistent volumes a task uses, each with its place in the sandbox. */
    private static List<io.pangaea.model.Resource> volumes(TaskInfo task) {
        return task.resources() == null ? List.of() : task.resources().stream()
                .filter(r -> r.isPersistentVolume() && r.disk().volume() != null).toList();
    }

    private Path volumeDir(io.pangaea.model.Resource volume) {
        return volumePath(volume.reservationRole(), volume.disk().persistence().id());
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            LOG.info("Deleted persistent volume {}", root);
        } catch (IOException e) {
            LOG.warn("Could not delete persistent volume {}", root, e);
        }
    }

    /**
     * Fetches the command's URIs into the sandbox (worker thread). False when that failed: {@code failed} has
     * been given the reason.
     */
    private boolean fetched(CommandInfo command, Path sandbox, java.util.function.Consumer<String> failed) {
        if (command == null || command.uris() == null || command.uris().isEmpty()) {
            return true;
        }
        try {
            fetcher.fetch(command.uris(), sandbox);
            state.execute(() -> counters.merge("containerizer/fetcher/task_fetches_succeeded", 1L, Long::sum));
            return true;
        } catch (Fetcher.FetchException x) {
            state.execute(() -> counters.merge("containerizer/fetcher/task_fetches_failed", 1L, Long::sum));
            failed.accept("Failed to fetch all URIs: " + x.getMessage());
            return false;
        }
    }

    /** The custom and default executors that have not ended (state thread). */
    List<ExecutorRun> liveExecutors() {
        return executors.values().stream().filter(e -> !e.ended).toList();
    }

    /** Label naming the containerizer for a task that is not a Docker one (for example {@code lxc}). */
    public static final String CONTAINERIZER_LABEL = "pangaea.containerizer";

    /**
     * DOCKER tasks go to {@code docker}; others to the containerizer their label {@value #CONTAINERIZER_LABEL}
     * names, else to the first of the agent's {@code containerizers} that is not {@code docker}.
     */
    private String containerizerFor(TaskInfo task) {
        return containerizerFor(task.container(), task.labels());
    }

    private String containerizerFor(ContainerInfo container, Labels labels) {
        if (container != null && container.type() == ContainerInfo.Type.DOCKER) {
            return "docker";
        }
        if (labels != null && labels.labels() != null) {
            for (var l : labels.labels()) {
                if (CONTAINERIZER_LABEL.equals(l.key()) && l.value() != null && !l.value().isBlank()) {
                    return l.value().trim();
                }
            }
        }
        return config.containerizers().stream().filter(c -> !c.equals("docker")).findFirst().orElse("native");
    }

    private Map<String, String> environment(TaskRun t, Path sandbox) {
        Map<String, String> env = baseEnvironment(t.frameworkId, t.executorId(), t.containerId, sandbox);
        env.put("MESOS_TASK_ID", t.info.taskId().value());
        return withCommandEnvironment(env, t.info.command());
    }

    /** What every container is given: PATH, HOME and the sandbox, the ids, and where the agent listens. */
    private Map<String, String> baseEnvironment(FrameworkId framework, ExecutorId executor, ContainerId container,
                                                Path sandbox) {
        Map<String, String> env = new LinkedHashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path == null ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path);
        env.put("HOME", sandbox.toString());
        env.put("MESOS_SANDBOX", sandbox.toString());
        env.put("MESOS_DIRECTORY", sandbox.toString());
        env.put("MESOS_FRAMEWORK_ID", framework.value());
        env.put("MESOS_EXECUTOR_ID", executor.value());
        env.put("MESOS_AGENT_ID", agentId.value());
        env.put("MESOS_SLAVE_ID", agentId.value());
        env.put("MESOS_CONTAINER_ID", container.value());
        env.put("MESOS_AGENT_ENDPOINT", config.ip() + ":" + config.port());
        return env;
    }

    /** {@code env} with the command's own variables on top. */
    private static Map<String, String> withCommandEnvironment(Map<String, String> env, CommandInfo command) {
        Environment custom = command == null ? null : command.environment();
        if (custom != null && custom.variables() != null) {
            for (Environment.Variable v : custom.variables()) {
                if (v.name() != null && v.value() != null) {
                    env.put(v.name(), v.value());
                }
            }
        }
        return env;
    }

    private void launched(TaskRun t, Container c) {
        t.container = c;
        send(t, TaskState.TASK_RUNNING, null, null);
        c.termination().whenComplete((term, err) -> state.execute(() -> ended(t, term, err)));
        if (t.killRequested) {
            c.kill(t.killGrace);
        }
    }

    private void ended(TaskRun t, Termination term, Throwable err) {
        if (t.state.isTerminal()) {
            return;
        }
        if (err != null || term == null) {
            terminal(t, TaskState.TASK_FAILED, "Container ended abnormally: " + err,
                    TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
        } else if (term.limitation() != null) {
            terminal(t, TaskState.TASK_FAILED, term.message(), term.limitation());
        } else if (t.killRequested) {
            terminal(t, TaskState.TASK_KILLED, term.signal() != null
                    ? "Command terminated with signal " + signalName(term.signal())
                    : "Command exited with status " + term.exitCode(), null);
        } else if (term.exitCode() != null && term.exitCode() == 0) {
            terminal(t, TaskState.TASK_FINISHED, "Command exited with status 0", null);
        } else if (term.exitCode() != null) {
            terminal(t, TaskState.TASK_FAILED, "Command exited with status " + term.exitCode(),
                    TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED);
        } else {
            terminal(t, TaskState.TASK_FAILED, "Command terminated with signal " + signalName(term.signal()),
                    TaskStatus.Reason.REASON_COMMAND_EXECUTOR_FAILED);
        }
    }

    static String signalName(int signal) {
        return switch (signal) {
            case 1 -> "Hangup";
            case 2 -> "Interrupt";
            case 6 -> "Aborted";
            case 9 -> "Killed";
            case 11 -> "Segmentation fault";
            case 15 -> "Terminated";
            default -> "signal " + signal;
        };
    }

    private void kill(TaskId id, KillPolicy policy) {
        TaskRun t = tasks.get(id);
        if (t == null) {
            LOG.info("Kill of unknown task {}", id);
            return;
        }
        if (t.state.isTerminal()) {
            return;
        }
        t.killRequested = true;
        KillPolicy p = policy != null ? policy : t.info.killPolicy();
        t.killGrace = p != null && p.gracePeriod() != null ? p.gracePeriod().toDuration() : config.killGracePeriod();
        if (t.executor != null && !t.executor.builtin) {
            killOnExecutor(t, p);
            return;
        }
        if (t.executor != null && t.group != null) {
            killRestOfGroup(t, t.killGrace);
        }
        if (t.container != null) {
            t.container.kill(t.killGrace);
        } else if (t.state == TaskState.TASK_STAGING) {
            terminal(t, TaskState.TASK_KILLED, "Task killed before it was launched", null);
        }
        // else: launching; killed as soon as the container exists
    }

    private void shutdownFramework(FrameworkId framework) {
        updates.forget(framework);
        for (ExecutorRun e : List.copyOf(executors.values())) {
            if (e.framework.id().equals(framework)) {
                e.tasks.values().forEach(t -> t.killRequested = true);
                // what had ended stays on record even though its last updates will never be acknowledged
                e.tasks.values().stream().filter(t -> t.state.isTerminal()).forEach(t -> keepCompleted(e, t));
                e.tasks.clear();
                e.pending.clear();
                shutdownExecutor(e, TaskState.TASK_KILLED, "Framework shut down",
                        TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
            }
        }
        for (TaskRun t : List.copyOf(tasks.values())) {
            if (t.frameworkId.equals(framework)) {
                t.killRequested = true;
                if (t.container != null && !t.state.isTerminal()) {
                    t.container.kill(Duration.ZERO);
                }
                tasks.remove(t.info.taskId());
                if (t.executor == null) {
                    completed(framework, new CompletedExecutor(null, t, List.of(t)));
                }
                if (t.container != null) {
                    // keep the container reachable until it is gone, so nothing is left behind
                    t.container.termination().whenComplete((x, e) -> LOG.debug("Task {} of removed framework {}"
                            + " ended", t.info.taskId(), framework));
                }
            }
        }
        complete(framework);
    }

    /** A terminal task whose updates were all acknowledged leaves the live state for its executor's record. */
    private void retire(TaskRun t) {
        tasks.remove(t.info.taskId());
        if (t.executor != null) {
            t.executor.tasks.remove(t.info.taskId());
            keepCompleted(t.executor, t);
        } else {
            // a command task's executor ends with it; the record keeps no ended container alive
            if (t.container != null && t.container.termination().toCompletableFuture().isDone()) {
                t.container = null;
            }
            completed(t.frameworkId, new CompletedExecutor(null, t, List.of(t)));
        }
        completeIfIdle(t.frameworkId);
    }

    private static void keepCompleted(ExecutorRun e, TaskRun t) {
        e.completedTasks.addLast(t);
        if (e.completedTasks.size() > MAX_COMPLETED_TASKS) {
            e.completedTasks.removeFirst();
        }
    }

    /** Keeps an ended executor with its framework (a live one, or one completed already). */
    private void completed(FrameworkId framework, CompletedExecutor e) {
        ArrayDeque<CompletedExecutor> list = completedExecutors.get(framework);
        if (list == null && !frameworks.containsKey(framework)) {
            list = completedFrameworks.stream().filter(f -> f.info().id().equals(framework)).reduce((a, b) -> b)
                    .map(CompletedFramework::executors).orElse(null);
        }
        if (list == null) {
            list = completedExecutors.computeIfAbsent(framework, f -> new ArrayDeque<>());
        }
        list.addLast(e);
        if (list.size() > MAX_COMPLETED_EXECUTORS) {
            list.removeFirst();
        }
    }

    /** A framework with no task and no executor left here is completed, as Mesos's agent removes idle ones. */
    private void completeIfIdle(FrameworkId framework) {
        if (!frameworks.containsKey(framework)) {
            return;
        }
        for (TaskRun t : tasks.values()) {
            if (t.frameworkId.equals(framework)) {
                return;
            }
        }
        for (ExecutorKey k : executors.keySet()) {
            if (k.frameworkId().equals(framework)) {
                return;
            }
        }
        complete(framework);
    }

    private void complete(FrameworkId framework) {
        FrameworkInfo gone = frameworks.remove(framework);
        ArrayDeque<CompletedExecutor> ended = completedExecutors.remove(framework);
        if (gone != null) {
            // one entry per framework, as Mesos keys them: a framework that completes again takes its earlier
            // executors along
            ArrayDeque<CompletedExecutor> all = new ArrayDeque<>();
            for (var it = completedFrameworks.iterator(); it.hasNext(); ) {
                CompletedFramework earlier = it.next();
                if (earlier.info().id().equals(framework)) {
                    all.addAll(earlier.executors());
                    it.remove();
                }
            }
            if (ended != null) {
                all.addAll(ended);
            }
            while (all.size() > MAX_COMPLETED_EXECUTORS) {
                all.removeFirst();
            }
            completedFrameworks.addLast(new CompletedFramework(gone, all));
            while (completedFrameworks.size() > MAX_COMPLETED_FRAMEWORKS) {
                completedFrameworks.removeFirst();
            }
        }
    }

    private void terminal(TaskRun t, TaskState s, String message, TaskStatus.Reason reason) {
        send(t, s, message, reason);
    }

    private void send(TaskRun t, TaskState s, String message, TaskStatus.Reason reason) {
        if (s.isTerminal() && !t.state.isTerminal()) {
            count("tasks_" + s.name().substring("TASK_".length()).toLowerCase(java.util.Locale.ROOT));
            if (t.executor == null) {
                count("executors_terminated");
            }
            if (reason == TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED) {
                count("container_launch_errors");
            }
        }
        count("valid_status_updates");
        t.state = s;
        byte[] uuid = new byte[16];
        RANDOM.nextBytes(uuid);
        long pid = t.container == null ? -1 : t.container.pid();
        // what the agent says itself of a custom executor's task comes from the agent, as in Mesos
        TaskStatus.Source source = t.executor != null && !t.executor.builtin ? TaskStatus.Source.SOURCE_AGENT
                : TaskStatus.Source.SOURCE_EXECUTOR;
        TaskStatus status = new TaskStatus(t.info.taskId(), s, message, source, reason,
                null, agentId, t.executorId(), System.currentTimeMillis() / 1000.0,
                Base64.getEncoder().encodeToString(uuid), null, null,
                new TaskStatus.ContainerStatus(t.containerId, List.of(new TaskStatus.NetworkInfo(
                        List.of(new TaskStatus.IpAddress("IPv4", config.ip())))),
                        pid > 0 ? (int) pid : null));
        record(t, status);
    }

    /** Keeps a task's new status and hands it to the status update manager (state thread). */
    private void record(TaskRun t, TaskStatus status) {
        t.statuses.add(status);
        updates.update(t.frameworkId, status);
        if (t.executor != null && t.executor.builtin && status.state().isTerminal()) {
            defaultExecutorTaskEnded(t);
        } else if (t.executor != null && status.state().isTerminal()) {
            resize(t.executor);
        }
    }

    /** A running container with its usage, for {@code /monitor/statistics} and GET_CONTAINERS. */
    public record ContainerUsage(FrameworkId frameworkId, ExecutorId executorId, String executorName,
                                 ContainerId containerId, ResourceStatistics statistics) {}

    /** The name Mesos gives an executor: its own, or the command executor's named after its task. */
    static String executorName(TaskRun t) {
        if (t.executor != null) {
            return t.executor.info.name() != null ? t.executor.info.name() : "";
        }
        CommandInfo c = t.info.command();
        String name = "Command Executor (Task: " + t.info.taskId().value() + ")";
        if (c == null) {
            return name;
        }
        // as Mesos names its command executors: the command as the shell runs it, or the argument vector
        return name + " (Command: " + (!Boolean.FALSE.equals(c.shell()) ? "sh -c '" + c.value() + "'"
                : "[" + String.join(", ", c.arguments() == null ? List.of() : c.arguments()) + "]") + ")";
    }

    /**
     * The usage of every running container. The list is taken on the state thread; the containers are measured on
     * worker threads, in parallel, since some containerizers ask an engine (Docker's stats take a round trip).
     */
    public CompletableFuture<List<ContainerUsage>> containers() {
        record Running(FrameworkId framework, ExecutorId executor, String name, ContainerId id, Container c) {}
        return CompletableFuture.supplyAsync(() -> {
            List<Running> all = new ArrayList<>();
            tasks.values().stream().filter(t -> t.container != null && !t.state.isTerminal()).forEach(t -> all.add(
                    new Running(t.frameworkId, t.executorId(), executorName(t), t.containerId, t.container)));
            executors.values().stream().filter(e -> e.container != null && !e.ended).forEach(e -> all.add(
                    new Running(e.framework.id(), e.info.executorId(), e.info.name() == null ? "" : e.info.name(),
                            e.containerId, e.container)));
            return all;
        }, state)
                .thenCompose(running -> {
                    List<CompletableFuture<ContainerUsage>> each = running.stream().map(r ->
                            CompletableFuture.supplyAsync(() -> new ContainerUsage(r.framework(), r.executor(),
                                    r.name(), r.id(), r.c().usage()), workers)).toList();
                    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                            .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
                });
    }

    // ---- executors (state thread) ------------------------------------------------------------------------------

    /** An executor event in Mesos JSON, {@code {"type": type}}, for the caller to fill in. */
    private static ObjectNode executorEvent(String type) {
        ObjectNode n = MesosJson.mapper().createObjectNode();
        n.put("type", type);
        return n;
    }

    private Path executorSandbox(FrameworkId framework, ExecutorId executor, ContainerId container) {
        return config.workDir().resolve("slaves").resolve(agentId.value()).resolve("frameworks")
                .resolve(framework.value()).resolve("executors").resolve(executor.value()).resolve("runs")
                .resolve(container.value());
    }

    /**
     * The running executor of that id, or a new one (a custom one is started). Null when one of that id is
     * shutting down: tasks for it fail.
     */
    private ExecutorRun executorFor(FrameworkInfo framework, ExecutorInfo info, Resources firstTasks) {
        ExecutorKey key = new ExecutorKey(framework.id(), info.executorId());
        ExecutorRun e = executors.get(key);
        if (e != null) {
            return e.terminating ? null : e;
        }
        ContainerId containerId = ContainerId.of(UUID.randomUUID().toString());
        e = new ExecutorRun(framework, info.withFrameworkId(framework.id()), containerId,
                executorSandbox(framework.id(), info.executorId(), containerId));
        executors.put(key, e);
        if (e.builtin) {
            try {
                Files.createDirectories(e.sandbox);
            } catch (IOException x) {
                LOG.warn("Cannot create the sandbox of executor {}", info.executorId(), x);
            }
        } else {
            startExecutor(e, firstTasks);
        }
        return e;
    }

    /** LAUNCH of a task with a custom executor: queued until the executor subscribes, then sent to it. */
    private void launchOnExecutor(FrameworkInfo framework, TaskInfo task) {
        if (tasks.containsKey(task.taskId())) {
            LOG.warn("Task {} is already on this agent; ignoring a second launch", task.taskId());
            return;
        }
        frameworks.put(framework.id(), framework);
        ExecutorRun e = executorFor(framework, task.executor(), Resources.of(task.resources()));
        if (e == null) {
            failForStoppingExecutor(framework, task, task.executor().executorId());
            return;
        }
        TaskRun t = new TaskRun(framework.id(), task, e.sandbox, e.containerId, e, null);
        tasks.put(task.taskId(), t);
        e.tasks.put(task.taskId(), t);
        e.pending.add(t);
        resize(e);
        deliver(e);
    }

    /** A task for an executor that is shutting down fails at once. */
    private void failForStoppingExecutor(FrameworkInfo framework, TaskInfo task, ExecutorId executor) {
        TaskRun t = new TaskRun(framework.id(), task, config.workDir(), ContainerId.of("none"));
        tasks.put(task.taskId(), t);
        terminal(t, TaskState.TASK_FAILED, "Executor " + executor.value() + " is shutting down",
                TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
    }

    /** LAUNCH_GROUP: the default executor runs each task in its own container; a custom one gets the group. */
    private void launchGroup(AgentEvent.LaunchGroup launch) {
        FrameworkInfo framework = launch.frameworkInfo();
        List<TaskInfo> group = launch.taskGroup().tasks();
        if (group.stream().anyMatch(t -> tasks.containsKey(t.taskId()))) {
            LOG.warn("A task of group {} is already on this agent; ignoring the group", group.stream()
                    .map(t -> t.taskId().value()).toList());
            return;
        }
        frameworks.put(framework.id(), framework);
        Resources all = Resources.EMPTY;
        for (TaskInfo t : group) {
            all = all.plus(Resources.of(t.resources()));
        }
        ExecutorRun e = executorFor(framework, launch.executor(), all);
        for (TaskInfo task : group) {
            TaskRun t;
            if (e == null) {
                failForStoppingExecutor(framework, task, launch.executor().executorId());
                continue;
            }
            if (e.builtin) {
                // each task has its own container and sandbox under the executor's: tasks/<task id>
                t = new TaskRun(framework.id(), task, e.sandbox.resolve("tasks").resolve(task.taskId().value()),
                        ContainerId.of(UUID.randomUUID().toString()), e, launch.taskGroup());
            } else {
                t = new TaskRun(framework.id(), task, e.sandbox, e.containerId, e, launch.taskGroup());
            }
            tasks.put(task.taskId(), t);
            e.tasks.put(task.taskId(), t);
        }
        if (e == null) {
            return;
        }
        if (e.builtin) {
            for (TaskInfo task : group) {
                startContainer(tasks.get(task.taskId()), framework);
            }
        } else {
            e.pending.add(launch.taskGroup());
            resize(e);
            deliver(e);
        }
    }

    /** Sends a subscribed custom executor what waits for it. */
    private void deliver(ExecutorRun e) {
        if (!e.subscribed || e.stream == null) {
            return;
        }
        for (Object p : List.copyOf(e.pending)) {
            if (p instanceof TaskRun t) {
                if (!t.state.isTerminal()) {
                    ObjectNode ev = executorEvent("LAUNCH");
                    ev.putObject("launch").set("task", MesosJson.tree(t.info));
                    e.stream.send(MesosJson.write(ev));
                    t.delivered = true;
                }
            } else if (p instanceof TaskGroupInfo g) {
                List<TaskInfo> live = g.tasks().stream().filter(x -> {
                    TaskRun t = tasks.get(x.taskId());
                    return t != null && !t.state.isTerminal();
                }).toList();
                if (!live.isEmpty()) {
                    ObjectNode ev = executorEvent("LAUNCH_GROUP");
                    ev.putObject("launch_group").set("task_group", MesosJson.tree(new TaskGroupInfo(live)));
                    e.stream.send(MesosJson.write(ev));
                    live.forEach(x -> tasks.get(x.taskId()).delivered = true);
                }
            }
        }
        e.pending.clear();
    }

    /**
     * Gives a custom executor's container its own resources plus those of its live tasks, when that changed: it
     * grows as tasks are given to it and shrinks as they end, as Mesos's containerizer update does.
     */
    private void resize(ExecutorRun e) {
        if (e.builtin || e.container == null || e.ended) {
            return;
        }
        Resources wanted = e.info.resources() == null ? Resources.EMPTY : Resources.of(e.info.resources());
        for (TaskRun t : e.tasks.values()) {
            if (!t.state.isTerminal() && t.info.resources() != null) {
                wanted = wanted.plus(Resources.of(t.info.resources()));
            }
        }
        if (wanted.equals(e.size)) {
            return;
        }
        e.size = wanted;
        Container c = e.container;
        Resources size = wanted;
        e.resizing = e.resizing.thenRunAsync(() -> {
            try {
                c.update(size);
                LOG.debug("Executor {} now has {}", e.info.executorId(), size);
            } catch (ContainerException | RuntimeException x) {
                LOG.warn("Could not resize executor {} to {}: {}", e.info.executorId(), size, x.getMessage());
            }
        }, workers);
    }

    /** The Mesos environment of a custom executor. */
    private Map<String, String> executorEnvironment(ExecutorRun e) {
        Map<String, String> env = baseEnvironment(e.framework.id(), e.info.executorId(), e.containerId, e.sandbox);
        env.put("MESOS_SLAVE_PID", "slave(1)@" + config.ip() + ":" + config.port());
        env.put("MESOS_CHECKPOINT", Boolean.TRUE.equals(e.framework.checkpoint()) ? "1" : "0");
        env.put("MESOS_HTTP_COMMAND_EXECUTOR", "0");
        env.put("MESOS_RECOVERY_TIMEOUT", "15mins");
        env.put("MESOS_SUBSCRIPTION_BACKOFF_MAX", "2secs");
        env.put("MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", Durations.format(shutdownGrace(e)));
        return withCommandEnvironment(env, e.info.command());
    }

    private Duration shutdownGrace(ExecutorRun e) {
        return e.info.shutdownGracePeriod() != null ? e.info.shutdownGracePeriod().toDuration()
                : config.killGracePeriod();
    }

    /** Starts a custom executor's process; it has {@code executor_registration_timeout} to subscribe. */
    private void startExecutor(ExecutorRun e, Resources firstTasks) {
        String kind = containerizerFor(e.info.container(), e.info.labels());
        Containerizer containerizer = config.containerizers().contains(kind) ? containerizers.apply(kind) : null;
        if (containerizer == null) {
            state.execute(() -> executorEnded(e, null, "Containerizer '" + kind + "' is not available on this agent",
                    TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
            return;
        }
        Resources resources = (e.info.resources() == null ? Resources.EMPTY : Resources.of(e.info.resources()))
                .plus(firstTasks);
        e.size = resources;
        ContainerSpec spec = new ContainerSpec(e.containerId, e.info.command(), e.info.container(), e.sandbox,
                executorEnvironment(e), resources, config.isolation(),
                Map.of("io.pangaea.agent", String.valueOf(agentId), "io.pangaea.framework", e.framework.id().value(),
                        "io.pangaea.executor", e.info.executorId().value()));
        Duration timeout = config.executorRegistrationTimeout();
        e.registrationTimer = state.schedule(() -> registrationTimedOut(e, timeout), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        workers.execute(() -> {
            try {
                Files.createDirectories(e.sandbox);
                if (!fetched(e.info.command(), e.sandbox, why -> state.execute(() -> executorEnded(e, null, why,
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED)))) {
                    return;
                }
                Container c = containerizer.launch(spec);
                state.execute(() -> executorLaunched(e, c));
            } catch (IOException | ContainerException | RuntimeException | LinkageError x) {
                String why = x instanceof ContainerException ? x.getMessage() : x.toString();
                state.execute(() -> executorEnded(e, null, "Failed to launch the executor: " + why,
                        TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
            }
        });
    }

    private void executorLaunched(ExecutorRun e, Container c) {
        e.container = c;
        resize(e); // tasks may have come while it started
        c.termination().whenComplete((term, err) -> state.execute(() -> executorEnded(e, term,
                err != null ? "Executor container ended abnormally: " + err : null, null)));
        if (e.ended || (e.terminating && e.stream == null)) {
            c.kill(Duration.ZERO);
        }
    }

    private void registrationTimedOut(ExecutorRun e, Duration timeout) {
        if (e.subscribed || e.terminating || e.ended) {
            return;
        }
        LOG.info("Executor {} of framework {} did not subscribe within {}; destroying it", e.info.executorId(),
                e.framework.id(), timeout);
        e.terminating = true;
        e.reason = TaskStatus.Reason.REASON_EXECUTOR_REGISTRATION_TIMEOUT;
        e.reasonState = TaskState.TASK_FAILED;
        e.reasonMessage = "Executor did not register within " + Durations.format(timeout);
        if (e.container != null) {
            e.container.kill(Duration.ZERO);
        }
    }

    /**
     * Asks an executor to end: a custom one gets SHUTDOWN and its shutdown grace period before its container is
     * killed; the default one kills its tasks. Tasks it leaves unfinished end in {@code state}.
     */
    private void shutdownExecutor(ExecutorRun e, TaskState state, String message, TaskStatus.Reason reason) {
        if (e.ended || e.terminating) {
            return;
        }
        e.terminating = true;
        e.reason = reason;
        e.reasonState = state;
        e.reasonMessage = message;
        if (e.builtin) {
            List<TaskRun> live = e.tasks.values().stream().filter(t -> !t.state.isTerminal()).toList();
            if (live.isEmpty()) {
                executorEnded(e, Termination.exited(0), null, null);
            }
            for (TaskRun t : live) {
                t.killRequested = true;
                t.killGrace = shutdownGrace(e);
                if (t.container != null) {
                    t.container.kill(t.killGrace);
                } else if (t.state == TaskState.TASK_STAGING) {
                    terminal(t, state, message, reason);
                }
            }
            return;
        }
        if (e.stream != null) {
            e.stream.send(MesosJson.write(executorEvent("SHUTDOWN")));
            e.shutdownTimer = this.state.schedule(() -> {
                if (!e.ended && e.container != null) {
                    LOG.info("Executor {} did not end within its grace period; killing it", e.info.executorId());
                    e.container.kill(Duration.ZERO);
                }
            }, shutdownGrace(e).toMillis(), TimeUnit.MILLISECONDS);
        } else if (e.container != null) {
            e.container.kill(Duration.ZERO);
        }
    }

    /**
     * The default executor ends a task group as a whole: the group's other live tasks are killed (one still
     * launching is killed as soon as its container exists).
     */
    private void killRestOfGroup(TaskRun t, Duration grace) {
        for (TaskInfo other : t.group.tasks()) {
            TaskRun o = tasks.get(other.taskId());
            if (o != null && o != t && !o.state.isTerminal() && !o.killRequested) {
                o.killRequested = true;
                o.killGrace = grace;
                if (o.container != null) {
                    o.container.kill(grace);
                }
            }
        }
    }

    /** A task of the default executor ended: a failed or killed one takes its group down; the last one, the executor. */
    private void defaultExecutorTaskEnded(TaskRun t) {
        ExecutorRun e = t.executor;
        if (t.state != TaskState.TASK_FINISHED && t.group != null) {
            killRestOfGroup(t, config.killGracePeriod());
        }
        if (e.tasks.values().stream().allMatch(x -> x.state.isTerminal())) {
            executorEnded(e, Termination.exited(0), null, null);
        }
    }

    /**
     * An executor is gone (its process ended, failed to start, or the default executor ran out of tasks). Its
     * unfinished tasks fail, the master is told, and it is forgotten.
     */
    private void executorEnded(ExecutorRun e, Termination term, String failure, TaskStatus.Reason failureReason) {
        if (e.ended) {
            return;
        }
        e.ended = true;
        for (var f : new java.util.concurrent.ScheduledFuture<?>[] {e.registrationTimer, e.shutdownTimer,
                e.heartbeat}) {
            if (f != null) {
                f.cancel(false);
            }
        }
        if (e.stream != null) {
            e.stream.close();
            e.stream = null;
        }
        count("executors_terminated");
        TaskState taskState = TaskState.TASK_FAILED;
        TaskStatus.Reason reason = TaskStatus.Reason.REASON_EXECUTOR_TERMINATED;
        String message;
        if (failure != null) {
            message = failure;
            reason = failureReason != null ? failureReason : reason;
        } else if (e.reason != null) {
            message = e.reasonMessage;
            reason = e.reason;
            taskState = e.reasonState != null ? e.reasonState : taskState;
        } else if (term != null && term.limitation() != null) {
            message = term.message();
            reason = term.limitation();
        } else {
            message = "Executor terminated" + (term == null ? "" : term.signal() != null
                    ? " by signal " + signalName(term.signal()) : " with status " + term.exitCode());
        }
        for (TaskRun t : List.copyOf(e.tasks.values())) {
            if (!t.state.isTerminal() && tasks.get(t.info.taskId()) == t) {
                terminal(t, taskState, message, reason);
            }
        }
        executors.remove(e.key());
        completed(e.framework.id(), new CompletedExecutor(e, null, e.completedTasks));
        completeIfIdle(e.framework.id());
        LOG.info("Executor {} of framework {} ended: {}", e.info.executorId(), e.framework.id(), message);
        Integer status = term == null ? null : term.signal() != null ? term.signal()
                : term.exitCode() == null ? null : term.exitCode() << 8;
        tellMaster(AgentCall.executorExited(agentId, new AgentCall.ExecutorExited(e.framework.id(),
                e.info.executorId(), status)));
    }

    /** A framework's message, delivered to its executor if it is subscribed (messages are not retried). */
    private void frameworkMessage(AgentEvent.Message m) {
        ExecutorRun e = executors.get(new ExecutorKey(m.frameworkId(), m.executorId()));
        if (e == null || e.builtin || e.stream == null) {
            LOG.info("Dropping a message for executor {} of framework {}: it is not subscribed here",
                    m.executorId(), m.frameworkId());
            return;
        }
        ObjectNode ev = executorEvent("MESSAGE");
        ev.putObject("message").put("data", m.data());
        e.stream.send(MesosJson.write(ev));
    }

    /** KILL of a custom executor's task: the executor is asked, unless it never got the task. */
    private void killOnExecutor(TaskRun t, KillPolicy policy) {
        ExecutorRun e = t.executor;
        if (!t.delivered) {
            e.pending.remove(t);
            terminal(t, TaskState.TASK_KILLED, "Task killed before it was delivered to its executor", null);
            return;
        }
        if (e.stream == null) {
            LOG.info("Kill of task {} waits for executor {} to subscribe again", t.info.taskId(), e.info.executorId());
            return;
        }
        ObjectNode ev = executorEvent("KILL");
        ObjectNode k = ev.putObject("kill");
        k.set("task_id", MesosJson.tree(t.info.taskId()));
        if (policy != null) {
            k.set("kill_policy", MesosJson.tree(policy));
        }
        e.stream.send(MesosJson.write(ev));
    }

    /** Fire and forget: a call to the master that is not retried (a lost one is made good on re-registration). */
    private void tellMaster(AgentCall call) {
        if (!registered || closed) {
            return;
        }
        HttpRequest req = HttpRequest.newBuilder(masterUri()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(call))).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((r, x) -> {
            if (x != null || r.statusCode() != 202) {
                LOG.info("The master did not take {} ({})", call.type(), x != null ? x : r.statusCode());
            }
        });
    }

    // ---- the executor API (called by the HTTP layer) -------------------------------------------------------------

    /** What the agent answers an executor's call: a status and a message (202 and "" when accepted). */
    public record ExecutorReply(int status, String message) {
        static final ExecutorReply ACCEPTED = new ExecutorReply(202, "");
    }

    /** The executor a call names, or the 400 saying what is unknown. */
    private Object lookup(FrameworkId f, ExecutorId id) {
        if (!frameworks.containsKey(f)) {
            return new ExecutorReply(400, "Framework '" + f.value() + "' is not known to this agent");
        }
        ExecutorRun e = executors.get(new ExecutorKey(f, id));
        if (e == null || e.builtin || e.ended) {
            return new ExecutorReply(400, "Executor '" + id.value() + "' of framework '" + f.value()
                    + "' is not known to this agent");
        }
        return e;
    }

    /**
     * SUBSCRIBE: the executor's event stream. {@code open} gives the stream once the call is accepted; it gets
     * SUBSCRIBED, then the tasks waiting for the executor. {@code unacknowledgedUpdates} (the executor's own
     * updates that were never acknowledged, after a reconnection) are taken as if sent again.
     */
    public CompletableFuture<ExecutorReply> subscribeExecutor(FrameworkId f, ExecutorId id,
                                                              List<TaskId> unacknowledgedTasks,
                                                              List<TaskStatus> unacknowledgedUpdates,
                                                              java.util.function.Supplier<EventSink> open) {
        return CompletableFuture.supplyAsync(() -> {
            Object found = lookup(f, id);
            if (found instanceof ExecutorReply r) {
                return r;
            }
            ExecutorRun e = (ExecutorRun) found;
            if (e.terminating) {
                return new ExecutorReply(403, "Executor '" + id.value() + "' is shutting down");
            }
            if (e.stream != null) {
                e.stream.close(); // a new connection replaces the old one
            }
            EventSink stream = open.get();
            e.stream = stream;
            e.subscribed = true;
            if (e.registrationTimer != null) {
                e.registrationTimer.cancel(false);
            }
            stream.onClose(() -> state.execute(() -> {
                if (e.stream == stream) {
                    e.stream = null;
                }
            }));
            ObjectNode ev = executorEvent("SUBSCRIBED");
            ObjectNode sub = ev.putObject("subscribed");
            sub.set("executor_info", MesosJson.tree(e.info));
            sub.set("framework_info", MesosJson.tree(e.framework));
            sub.set("agent_info", MesosJson.tree(new AgentInfo(config.hostname(), config.port(),
                    config.resources().toList(), attributes(), agentId)));
            sub.set("container_id", MesosJson.tree(e.containerId));
            stream.send(MesosJson.write(ev));
            for (TaskStatus u : unacknowledgedUpdates) {
                TaskRun t = tasks.get(u.taskId());
                if (t != null && t.executor == e) {
                    t.delivered = true;
                    acceptUpdate(e, t, u);
                }
            }
            for (TaskId tid : unacknowledgedTasks) {
                TaskRun t = tasks.get(tid);
                if (t != null && t.executor == e) {
                    t.delivered = true;
                    e.pending.remove(t);
                }
            }
            // tasks it was sent but does not know of any more (e.g. it restarted) are sent again
            for (TaskRun t : e.tasks.values()) {
                if (t.delivered && !t.state.isTerminal() && !unacknowledgedTasks.contains(t.info.taskId())
                        && t.state == TaskState.TASK_STAGING && !e.pending.contains(t)) {
                    e.pending.add(t);
                }
            }
            deliver(e);
            for (TaskRun t : e.tasks.values()) {
                if (t.killRequested && t.delivered && !t.state.isTerminal()) {
                    killOnExecutor(t, t.info.killPolicy());
                }
            }
            if (e.heartbeat != null) {
                e.heartbeat.cancel(false); // one heartbeat per executor, whichever connection it is on
            }
            e.heartbeat = state.scheduleAtFixedRate(() -> {
                if (e.stream != null) {
                    e.stream.send(MesosJson.write(executorEvent("HEARTBEAT")));
                }
            }, 30, 30, TimeUnit.SECONDS);
            LOG.info("Executor {} of framework {} subscribed", id, f);
            return new ExecutorReply(200, "");
        }, state);
    }

    /** UPDATE: a status update of one of the executor's tasks, forwarded reliably to its framework. */
    public CompletableFuture<ExecutorReply> executorUpdate(FrameworkId f, ExecutorId id, TaskStatus status) {
        return CompletableFuture.supplyAsync(() -> {
            Object found = lookup(f, id);
            if (found instanceof ExecutorReply r) {
                return r;
            }
            ExecutorRun e = (ExecutorRun) found;
            TaskRun t = tasks.get(status.taskId());
            if (t == null || t.executor != e) {
                count("invalid_status_updates");
                return new ExecutorReply(400, "Task '" + status.taskId().value() + "' is not a task of executor '"
                        + id.value() + "'");
            }
            return acceptUpdate(e, t, status);
        }, state);
    }

    private ExecutorReply acceptUpdate(ExecutorRun e, TaskRun t, TaskStatus status) {
        if (t.statuses.stream().anyMatch(x -> status.uuid().equals(x.uuid()))) {
            return ExecutorReply.ACCEPTED; // sent again: the first one is on its way
        }
        if (t.state.isTerminal()) {
            count("invalid_status_updates");
            return new ExecutorReply(400, "Task '" + t.info.taskId().value() + "' is already " + t.state);
        }
        if (status.state().isTerminal()) {
            count("tasks_" + status.state().name().substring("TASK_".length()).toLowerCase(java.util.Locale.ROOT));
        }
        count("valid_status_updates");
        t.state = status.state();
        t.delivered = true;
        record(t, new TaskStatus(status.taskId(), status.state(), status.message(), TaskStatus.Source.SOURCE_EXECUTOR,
                status.reason(), status.data(), agentId, e.info.executorId(),
                status.timestamp() != null ? status.timestamp() : System.currentTimeMillis() / 1000.0,
                status.uuid(), status.healthy(), status.labels(), status.containerStatus() != null
                ? status.containerStatus() : new TaskStatus.ContainerStatus(e.containerId, List.of(
                        new TaskStatus.NetworkInfo(List.of(new TaskStatus.IpAddress("IPv4", config.ip())))),
                        e.container == null || e.container.pid() <= 0 ? null : (int) e.container.pid())));
        return ExecutorReply.ACCEPTED;
    }

    /** MESSAGE: the executor's message for its framework, through the master (not retried). */
    public CompletableFuture<ExecutorReply> executorMessage(FrameworkId f, ExecutorId id, String data) {
        return CompletableFuture.supplyAsync(() -> {
            Object found = lookup(f, id);
            if (found instanceof ExecutorReply r) {
                return r;
            }
            tellMaster(AgentCall.message(agentId, new AgentCall.Message(f, id, data)));
            return ExecutorReply.ACCEPTED;
        }, state);
    }

    /** HEARTBEAT: only checks that the executor is known. */
    public CompletableFuture<ExecutorReply> executorHeartbeat(FrameworkId f, ExecutorId id) {
        return CompletableFuture.supplyAsync(() -> lookup(f, id) instanceof ExecutorReply r ? r
                : ExecutorReply.ACCEPTED, state);
    }

    // ---- agent id checkpoint ----------------------------------------------------------------------------------

    private Path agentIdFile() {
        return config.workDir().resolve("meta").resolve("agent_id");
    }

    private AgentId readAgentId() {
        try {
            Path f = agentIdFile();
            if (Files.exists(f)) {
                String v = Files.readString(f).trim();
                return v.isEmpty() ? null : AgentId.of(v);
            }
        } catch (IOException e) {
            LOG.warn("Cannot read the agent id checkpoint; registering as a new agent", e);
        }
        return null;
    }

    private void writeAgentId(AgentId id) {
        try {
            Path f = agentIdFile();
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling("agent_id.tmp");
            Files.writeString(tmp, id.value());
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("Cannot checkpoint the agent id", e);
        }
    }
}
