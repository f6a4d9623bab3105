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
import io.pangaea.model.ExecutorId;
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
            "slave/executors_terminated", 0L, "slave/container_launch_errors", 0L, "slave/valid_status_updates", 0L));

    private void count(String name) {
        counters.merge("slave/" + name, 1L, Long::sum);
    }

    Map<String, Long> counters() {
        return counters;
    }

    /** The Mesos version whose agent APIs this agent speaks. */
    public static final String MESOS_VERSION = "1.11.0";

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

        TaskRun(FrameworkId frameworkId, TaskInfo info, Path sandbox, ContainerId containerId) {
            this.frameworkId = frameworkId;
            this.info = info;
            this.sandbox = sandbox;
            this.containerId = containerId;
        }
    }

    public Agent(AgentConfig config, Function<String, Containerizer> containerizers) {
        this.config = config;
        this.containerizers = containerizers;
        this.state = new ScheduledThreadPoolExecutor(1, r -> thread(r, "pangaea-agent-state"));
        this.state.setRemoveOnCancelPolicy(true);
        this.workers = Executors.newCachedThreadPool(r -> thread(r, "pangaea-agent-worker"));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(workers).build();
        this.updates = new StatusUpdateManager(state, this::post);
        this.agentId = readAgentId();
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

    public boolean registered() {
        return registered;
    }

    public double startTime() {
        return startTime;
    }

    /** Runs {@code f} on the state thread; for the HTTP read endpoints. */
    public <T> CompletableFuture<T> read(Function<AgentView, T> f) {
        return CompletableFuture.supplyAsync(() -> f.apply(new AgentView(this, List.copyOf(tasks.values()),
                Map.copyOf(frameworks))), state);
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
        CompletableFuture<List<Container>> running = CompletableFuture.supplyAsync(() -> tasks.values().stream()
                .map(t -> t.container).filter(c -> c != null).toList(), state);
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
    }

    // ---- link to the master ------------------------------------------------------------------------------------

    private URI masterUri() {
        String m = config.master().trim();
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
        HttpRequest req = HttpRequest.newBuilder(masterUri()).header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(MesosJson.write(AgentCall.subscribe(sub)))).build();
        HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) {
                throw new IOException("master answered " + resp.statusCode() + ": "
                        + new String(in.readNBytes(1000), StandardCharsets.UTF_8));
            }
            currentStream = in;
            byte[] record;
            while ((record = RecordIo.read(in)) != null) {
                AgentEvent event = MesosJson.read(record, AgentEvent.class);
                state.execute(() -> handle(event));
            }
            throw new IOException("master closed the stream");
        } finally {
            currentStream = null;
        }
    }

    private AgentCall.Subscribe subscription() {
        List<Task> running = new ArrayList<>();
        for (TaskRun t : tasks.values()) {
            TaskStatus last = t.statuses.isEmpty() ? null : t.statuses.get(t.statuses.size() - 1);
            running.add(new Task(t.info.name(), t.info.taskId(), t.frameworkId, ExecutorId.of(t.info.taskId().value()),
                    agentId, t.state, t.info.resources(), List.copyOf(t.statuses),
                    last == null ? null : last.state(), last == null ? null : last.uuid(), t.info.labels(),
                    t.info.container(), null));
        }
        sentAttributes = attributes();
        AgentInfo info = new AgentInfo(config.hostname(), config.port(), config.resources().toList(),
                sentAttributes, agentId);
        return new AgentCall.Subscribe(info, running, List.copyOf(frameworks.values()),
                List.of("MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"), "pangaea-0.1.0");
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
            case LAUNCH -> launch(event.launch().frameworkInfo(), event.launch().task());
            case KILL -> kill(event.kill().taskId(), event.kill().killPolicy());
            case SHUTDOWN_FRAMEWORK -> shutdownFramework(event.shutdownFramework().frameworkId());
            case ACKNOWLEDGE -> {
                updates.acknowledge(event.acknowledge().taskId(), event.acknowledge().uuid());
                TaskRun t = tasks.get(event.acknowledge().taskId());
                if (t != null && t.state.isTerminal() && !updates.hasPending(t.info.taskId())) {
                    tasks.remove(t.info.taskId());
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
        String kind = containerizerFor(task);
        Containerizer containerizer = config.containerizers().contains(kind) ? containerizers.apply(kind) : null;
        if (containerizer == null) {
            terminal(t, TaskState.TASK_FAILED, "Containerizer '" + kind + "' is not "
                    + (config.containerizers().contains(kind) ? "installed" : "enabled (containerizers="
                    + String.join(",", config.containerizers()) + ")") + " on this agent",
                    TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED);
            return;
        }
        ContainerSpec spec = new ContainerSpec(t.containerId, task.command(), task.container(), dir,
                environment(t, dir), Resources.of(task.resources()), config.isolation(),
                Map.of("io.pangaea.agent", String.valueOf(agentId), "io.pangaea.framework", framework.id().value(),
                        "io.pangaea.task", task.taskId().value()));
        send(t, TaskState.TASK_STARTING, null, null);
        workers.execute(() -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                state.execute(() -> terminal(t, TaskState.TASK_FAILED, "Cannot create the sandbox: "
                        + e.getMessage(), TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED));
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

    /** Label naming the containerizer for a task that is not a Docker one (for example {@code lxc}). */
    public static final String CONTAINERIZER_LABEL = "pangaea.containerizer";

    /**
     * DOCKER tasks go to {@code docker}; others to the containerizer their label {@value #CONTAINERIZER_LABEL}
     * names, else to the first of the agent's {@code containerizers} that is not {@code docker}.
     */
    private String containerizerFor(TaskInfo task) {
        if (task.container() != null && task.container().type() == ContainerInfo.Type.DOCKER) {
            return "docker";
        }
        if (task.labels() != null && task.labels().labels() != null) {
            for (var l : task.labels().labels()) {
                if (CONTAINERIZER_LABEL.equals(l.key()) && l.value() != null && !l.value().isBlank()) {
                    return l.value().trim();
                }
            }
        }
        return config.containerizers().stream().filter(c -> !c.equals("docker")).findFirst().orElse("native");
    }

    private Map<String, String> environment(TaskRun t, Path sandbox) {
        Map<String, String> env = new LinkedHashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path == null ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" : path);
        env.put("HOME", sandbox.toString());
        env.put("MESOS_SANDBOX", sandbox.toString());
        env.put("MESOS_DIRECTORY", sandbox.toString());
        env.put("MESOS_TASK_ID", t.info.taskId().value());
        env.put("MESOS_FRAMEWORK_ID", t.frameworkId.value());
        env.put("MESOS_EXECUTOR_ID", t.info.taskId().value());
        env.put("MESOS_AGENT_ID", agentId.value());
        env.put("MESOS_SLAVE_ID", agentId.value());
        env.put("MESOS_CONTAINER_ID", t.containerId.value());
        env.put("MESOS_AGENT_ENDPOINT", config.ip() + ":" + config.port());
        Environment custom = t.info.command() == null ? null : t.info.command().environment();
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
        if (t.container != null) {
            t.container.kill(t.killGrace);
        } else if (t.state == TaskState.TASK_STAGING) {
            terminal(t, TaskState.TASK_KILLED, "Task killed before it was launched", null);
        }
        // else: launching; killed as soon as the container exists
    }

    private void shutdownFramework(FrameworkId framework) {
        updates.forget(framework);
        for (TaskRun t : List.copyOf(tasks.values())) {
            if (t.frameworkId.equals(framework)) {
                t.killRequested = true;
                if (t.container != null && !t.state.isTerminal()) {
                    t.container.kill(Duration.ZERO);
                }
                tasks.remove(t.info.taskId());
                if (t.container != null) {
                    // keep the container reachable until it is gone, so nothing is left behind
                    t.container.termination().whenComplete((x, e) -> LOG.debug("Task {} of removed framework {}"
                            + " ended", t.info.taskId(), framework));
                }
            }
        }
        frameworks.remove(framework);
    }

    private void terminal(TaskRun t, TaskState s, String message, TaskStatus.Reason reason) {
        send(t, s, message, reason);
    }

    private void send(TaskRun t, TaskState s, String message, TaskStatus.Reason reason) {
        if (s.isTerminal() && !t.state.isTerminal()) {
            count("tasks_" + s.name().substring("TASK_".length()).toLowerCase(java.util.Locale.ROOT));
            count("executors_terminated");
            if (reason == TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED) {
                count("container_launch_errors");
            }
        }
        count("valid_status_updates");
        t.state = s;
        byte[] uuid = new byte[16];
        RANDOM.nextBytes(uuid);
        long pid = t.container == null ? -1 : t.container.pid();
        TaskStatus status = new TaskStatus(t.info.taskId(), s, message, TaskStatus.Source.SOURCE_EXECUTOR, reason,
                null, agentId, ExecutorId.of(t.info.taskId().value()), System.currentTimeMillis() / 1000.0,
                Base64.getEncoder().encodeToString(uuid), null, null,
                new TaskStatus.ContainerStatus(t.containerId, List.of(new TaskStatus.NetworkInfo(
                        List.of(new TaskStatus.IpAddress("IPv4", config.ip())))),
                        pid > 0 ? (int) pid : null));
        t.statuses.add(status);
        updates.update(t.frameworkId, status);
    }

    /** A running container with its usage, for {@code /monitor/statistics} and GET_CONTAINERS. */
    public record ContainerUsage(FrameworkId frameworkId, TaskId taskId, ContainerId containerId,
                                 ResourceStatistics statistics) {
        public String executorName() {
            return "Command Executor (Task: " + taskId.value() + ")";
        }
    }

    /**
     * The usage of every running container. The list is taken on the state thread; the containers are measured on
     * worker threads, in parallel, since some containerizers ask an engine (Docker's stats take a round trip).
     */
    public CompletableFuture<List<ContainerUsage>> containers() {
        return CompletableFuture.supplyAsync(() -> tasks.values().stream()
                .filter(t -> t.container != null && !t.state.isTerminal()).toList(), state)
                .thenCompose(running -> {
                    List<CompletableFuture<ContainerUsage>> each = running.stream().map(t -> {
                        Container c = t.container;
                        return CompletableFuture.supplyAsync(() -> new ContainerUsage(t.frameworkId,
                                t.info.taskId(), t.containerId, c.usage()), workers);
                    }).toList();
                    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                            .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
                });
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
