package io.pangaea.agent.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.http.EventSink;
import io.pangaea.http.LoggingLevel;
import io.pangaea.model.AgentId;
import io.pangaea.model.Attribute;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent core's coordinator. It owns the state thread (the only one that touches the tables of tasks,
 * frameworks and executors) and the worker pool, dispatches the master's events to the part that owns each, and is
 * the agent's public face for the HTTP layer and the Karaf component. The work is done by the parts wired in
 * {@link AgentContext}: {@link MasterLink} (the link to the master), {@link TaskLauncher} (command tasks, with
 * {@link Volumes}), {@link TaskStatuses} (status updates, through the {@link StatusUpdateManager}),
 * {@link ExecutorManager} (custom executors), {@link DefaultExecutor} (task groups), {@link ExecutorApiBackend}
 * (the v1 executor API), {@link CompletedHistory} and {@link AgentCheckpoints}. See {@code docs/architecture.md}.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    /** The Mesos version whose agent APIs this agent speaks. */
    public static final String MESOS_VERSION = io.pangaea.http.MesosVersion.VERSION;

    /** Label naming the containerizer for a task that is not a Docker one (for example {@code lxc}). */
    public static final String CONTAINERIZER_LABEL = TaskLauncher.CONTAINERIZER_LABEL;

    private final AgentContext ctx;
    private final ScheduledThreadPoolExecutor state;
    private final ExecutorService workers;
    private final double startTime = System.currentTimeMillis() / 1000.0;
    private volatile LoggingLevel loggingLevel;

    public Agent(AgentConfig config, Function<String, Containerizer> containerizers) {
        this(config, containerizers, io.pangaea.http.Tls.off());
    }

    /** An agent that uses TLS as {@code tls} says (see {@link io.pangaea.http.Tls}). */
    public Agent(AgentConfig config, Function<String, Containerizer> containerizers, io.pangaea.http.Tls tls) {
        this.state = new ScheduledThreadPoolExecutor(1, r -> thread(r, "pangaea-agent-state"));
        this.state.setRemoveOnCancelPolicy(true);
        // a stop lets what is queued finish, but no timer that is still waiting
        this.state.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.workers = Executors.newCachedThreadPool(r -> thread(r, "pangaea-agent-worker"));
        HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(5)).executor(workers);
        if (tls.enabled()) {
            client.sslContext(tls.clientContext());
        }
        this.ctx = new AgentContext(config, containerizers, state, workers, client.build());
        this.ctx.tls = tls;
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Recovers what an earlier run checkpointed (see {@link AgentRecovery}), then subscribes to the master with the
     * tasks it found. Returns at once; the work is on a worker thread.
     */
    public void start() {
        workers.execute(() -> {
            AgentRecovery.Outcome outcome;
            try {
                outcome = ctx.recovery.recover();
            } catch (AgentRecovery.RecoveryFailed e) {
                LOG.error(e.getMessage());
                recoveryFailure = e.getMessage();
                return;
            } catch (RuntimeException e) {
                LOG.error("Recovery failed; the agent does not start", e);
                recoveryFailure = "Recovery failed: " + e;
                return;
            }
            if (outcome == AgentRecovery.Outcome.STOP) {
                LOG.info("Cleanup done; the agent stops");
                onStop.run();
                return;
            }
            state.execute(() -> {
                ctx.gc.scheduleLeftovers();
                ctx.gc.start();
            });
            ctx.link.start(this::handle);
        });
    }

    /** Why the agent did not start (a failed recovery), or null. */
    public String recoveryFailure() {
        return recoveryFailure;
    }

    private volatile String recoveryFailure;
    private volatile Runnable onStop = () -> { };

    /** What ends the agent's process when it must stop by itself (after {@code recover=cleanup}). */
    public void onStop(Runnable stop) {
        this.onStop = stop;
    }

    public AgentConfig config() {
        return ctx.config();
    }

    /**
     * Takes new settings that apply to what starts from now on: attributes (see {@link #advertise}), isolation,
     * containerizers and the executor timeouts. Running tasks and executors keep what they were started with. The
     * agent's address, master, work_dir, resources and fetcher cache are refused: they need a restart.
     */
    public CompletableFuture<Void> reconfigure(AgentConfig next) {
        AgentConfig now = ctx.config();
        if (!next.master().equals(now.master()) || !next.ip().equals(now.ip()) || next.port() != now.port()
                || !next.hostname().equals(now.hostname()) || !next.workDir().equals(now.workDir())
                || !next.resources().equals(now.resources()) || !next.fetcherCacheDir().equals(now.fetcherCacheDir())
                || next.fetcherCacheSize() != now.fetcherCacheSize()) {
            throw new IllegalArgumentException("master, ip, port, hostname, work_dir, resources and the fetcher"
                    + " cache need a restart of the agent");
        }
        return CompletableFuture.runAsync(() -> {
            boolean gcChanged = !next.gc().equals(ctx.config().gc());
            ctx.setConfig(next);
            if (gcChanged) {
                ctx.gc.reconfigured();
            }
            if (ctx.agentId != null && ctx.link.registered()) {
                // attributes changed live are what the agent runs with from now on
                ctx.checkpoints.writeAgentInfo(ctx.agentId);
            }
        }, state);
    }

    public AgentId agentId() {
        return ctx.agentId;
    }

    public boolean registered() {
        return ctx.link.registered();
    }

    public double startTime() {
        return startTime;
    }

    /** The fetcher's cache, for its size metrics. */
    FetcherCache fetcherCache() {
        return ctx.fetcher.cache();
    }

    /** Containers the enabled containerizers could not clean up completely, summed. Any thread. */
    long containerDestroyErrors() {
        long sum = 0;
        for (String name : ctx.config().containerizers()) {
            Containerizer c = ctx.containerizers.apply(name);
            sum += c == null ? 0 : c.destroyErrors();
        }
        return sum;
    }

    /** Counters for {@code /metrics/snapshot} (state thread). */
    Map<String, Long> counters() {
        return ctx.counters;
    }

    /** Sandboxes waiting for the garbage collector (state thread). */
    int gcPending() {
        return ctx.gc.pending();
    }

    /** GET/SET_LOGGING_LEVEL's backend; set in Karaf (null outside it: the calls answer 501). */
    public void setLoggingLevel(LoggingLevel l) {
        this.loggingLevel = l;
    }

    public LoggingLevel loggingLevel() {
        return loggingLevel;
    }

    /** The host of the master this agent is subscribed with, or "" while it is not. */
    public String masterHost() {
        return ctx.link.masterHost();
    }

    /** The attributes the agent registers with: the configured ones plus what {@link #advertise} last set. */
    public List<Attribute> attributes() {
        return ctx.link.attributes();
    }

    /**
     * Sets the containerizers and isolators this agent can use now, advertised as the TEXT attributes
     * {@code containerizers} and {@code isolators} (comma-separated) unless the configuration names those
     * attributes itself. When they change while registered, the master is told at once, so new offers carry them.
     */
    public void advertise(List<String> containerizers, List<String> isolators) {
        ctx.link.advertise(containerizers, isolators);
    }

    /**
     * The operating system user a sandbox belongs to, for {@code access_sandboxes}: its custom executor's user, else
     * its task's, else its framework's (running or completed); "" when none is known.
     */
    public CompletableFuture<String> sandboxUser(FrameworkId framework, ExecutorId executor) {
        return CompletableFuture.supplyAsync(() -> {
            ExecutorRun e = ctx.executors.get(new ExecutorKey(framework, executor));
            if (e != null && e.info.command() != null && e.info.command().user() != null) {
                return e.info.command().user();
            }
            TaskRun t = ctx.tasks.get(io.pangaea.model.TaskId.of(executor.value()));
            if (t != null && t.info.command() != null && t.info.command().user() != null) {
                return t.info.command().user();
            }
            io.pangaea.model.FrameworkInfo f = ctx.frameworks.get(framework);
            if (f == null) {
                f = ctx.history.completedFrameworks().stream().map(CompletedHistory.CompletedFramework::info)
                        .filter(c -> framework.equals(c.id())).findFirst().orElse(null);
            }
            return f == null || f.user() == null ? "" : f.user();
        }, state);
    }

    /** The ACLs the agent's own endpoints check ({@code acls}); permissive unless set. */
    public void acls(io.pangaea.http.Acls acls) {
        ctx.acls = acls;
    }

    public io.pangaea.http.Acls acls() {
        return ctx.acls;
    }

    /** Runs {@code f} on the state thread; for the HTTP read endpoints. */
    public <T> CompletableFuture<T> read(Function<AgentView, T> f) {
        return CompletableFuture.supplyAsync(() -> f.apply(new AgentView(this, List.copyOf(ctx.tasks.values()),
                Map.copyOf(ctx.frameworks), ctx.history.completedExecutors(), ctx.history.completedFrameworks())),
                state);
    }

    /** The custom and default executors that have not ended (state thread). */
    List<ExecutorRun> liveExecutors() {
        return ctx.executors.values().stream().filter(e -> !e.ended).toList();
    }

    /**
     * The agent's process or bundle stops: the containers of checkpointed tasks are left running for the next start
     * to recover; every other container is killed (their frameworks do not checkpoint, or they cannot be recovered).
     */
    @Override
    public void close() {
        stop(false);
    }

    /**
     * The explicit shutdown (the {@code agent:shutdown} command, SIGUSR1): every container is killed, checkpointed
     * or not, as Mesos's agent does on SIGUSR1. Their last updates are journalled, so a later start still reports
     * them.
     */
    public void shutdown() {
        LOG.info("Shutting down: killing every container on this agent");
        stop(true);
    }

    private void stop(boolean everything) {
        ctx.link.close();
        CompletableFuture<List<Container>> running = CompletableFuture.supplyAsync(() -> {
            List<Container> all = new ArrayList<>();
            int kept = 0;
            for (TaskRun t : ctx.tasks.values()) {
                if (t.container == null) {
                    continue;
                }
                if (!everything && t.checkpointed) {
                    kept++;
                } else {
                    all.add(t.container);
                }
            }
            for (ExecutorRun e : ctx.executors.values()) {
                if (e.container == null) {
                    continue;
                }
                if (!everything && e.checkpointed) {
                    kept++;
                } else {
                    all.add(e.container);
                }
            }
            ctx.executors.values().forEach(e -> {
                if (e.stream != null) {
                    e.stream.close();
                }
            });
            if (kept > 0) {
                LOG.info("Leaving {} checkpointed container(s) running for the agent's next start to recover", kept);
            }
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
            if (everything) {
                // the terminal updates of what was just killed are journalled before the agent goes
                CompletableFuture.runAsync(() -> { }, state).get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("Not every container ended cleanly on shutdown", e);
        }
        // what is queued on the state thread (journalling an update) finishes; an interrupt would cut it short
        state.shutdown();
        try {
            if (!state.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.info("The agent's state thread did not finish its work within 2 s of the stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state.shutdownNow();
        workers.shutdownNow();
    }

    /**
     * The principal and secret the agent gives the master (Mesos's {@code credential}), for a master with
     * {@code authenticate_agents}. Null clears it.
     */
    /**
     * Executors authenticate to the executor API with a token signed by {@code tokens} (Mesos's
     * {@code authenticate_http_executors}); null: they need none. Call before {@link #start}.
     */
    public void executorTokens(io.pangaea.http.ExecutorTokens tokens) {
        ctx.executorTokens = tokens;
    }

    public io.pangaea.http.Tls tls() {
        return ctx.tls;
    }

    public io.pangaea.http.ExecutorTokens executorTokens() {
        return ctx.executorTokens;
    }

    public void credential(String principal, String secret) {
        ctx.authorization = principal == null ? null : io.pangaea.http.HttpAuthentication.basic(principal, secret);
    }

    /** Answers the master's FILES events (the agent's HTTP server installs it: it owns the file endpoints). */
    private volatile java.util.function.Function<AgentEvent.Files, io.pangaea.model.agentproto.AgentCall.FilesReply>
            filesHandler;

    public void serveFiles(java.util.function.Function<AgentEvent.Files,
            io.pangaea.model.agentproto.AgentCall.FilesReply> handler) {
        this.filesHandler = handler;
    }

    // ---- the master's events (state thread) -------------------------------------------------------------------

    private void handle(AgentEvent event) {
        switch (event.type()) {
            case REGISTERED -> {
                AgentId id = event.registered().agentId();
                if (!id.equals(ctx.agentId)) {
                    ctx.agentId = id;
                    ctx.checkpoints.writeAgentId(id);
                }
                ctx.checkpoints.writeAgentInfo(id);
                LOG.info("Registered with master {} as {}", event.registered().masterInfo().pid(), id);
                ctx.link.registeredNow(event.registered().totalPingTimeoutSeconds());
                ctx.updates.flush();
            }
            case LAUNCH -> {
                if (event.launch().task().executor() != null) {
                    ctx.executorManager.launchOnExecutor(event.launch().frameworkInfo(), event.launch().task());
                } else {
                    ctx.launcher.launch(event.launch().frameworkInfo(), event.launch().task());
                }
            }
            case LAUNCH_GROUP -> ctx.defaultExecutor.launchGroup(event.launchGroup());
            case MESSAGE -> ctx.executorManager.frameworkMessage(event.message());
            case DESTROY_VOLUME -> {
                Path volume = ctx.volumes.volumePath(event.destroyVolume().role(), event.destroyVolume().persistenceId());
                ctx.workers.execute(() -> Volumes.deleteTree(volume));
            }
            case SHUTDOWN_EXECUTOR -> {
                ExecutorRun e = ctx.executors.get(new ExecutorKey(event.shutdownExecutor().frameworkId(),
                        event.shutdownExecutor().executorId()));
                if (e != null) {
                    ctx.executorManager.shutdownExecutor(e, TaskState.TASK_KILLED, "Executor shut down by its framework",
                            TaskStatus.Reason.REASON_EXECUTOR_TERMINATED);
                }
            }
            case KILL -> ctx.launcher.kill(event.kill().taskId(), event.kill().killPolicy());
            case SHUTDOWN_FRAMEWORK -> ctx.executorManager.shutdownFramework(event.shutdownFramework().frameworkId());
            case ACKNOWLEDGE -> {
                boolean acked = ctx.updates.acknowledge(event.acknowledge().taskId(), event.acknowledge().uuid());
                TaskRun t = ctx.tasks.get(event.acknowledge().taskId());
                if (acked && t != null && t.checkpointed) {
                    ctx.checkpoints.appendAck(t, event.acknowledge().uuid());
                }
                if (t != null && t.executor != null && !t.executor.builtin && t.executor.stream != null
                        && t.statuses.stream().anyMatch(x -> event.acknowledge().uuid().equals(x.uuid())
                        && x.source() == TaskStatus.Source.SOURCE_EXECUTOR)) {
                    ObjectNode ack = ExecutorManager.executorEvent("ACKNOWLEDGED");
                    ObjectNode body = ack.putObject("acknowledged");
                    body.set("task_id", MesosJson.tree(t.info.taskId()));
                    body.put("uuid", event.acknowledge().uuid());
                    t.executor.stream.send(MesosJson.write(ack));
                }
                if (t != null && t.state.isTerminal() && !ctx.updates.hasPending(t.info.taskId())) {
                    ctx.history.retire(t);
                }
            }
            case ERROR -> LOG.warn("Master says: {}", event.error().message());
            case PING -> ctx.link.pong();
            case FILES -> {
                AgentEvent.Files request = event.files();
                java.util.function.Function<AgentEvent.Files, io.pangaea.model.agentproto.AgentCall.FilesReply> h =
                        filesHandler;
                if (request != null && h != null) {
                    ctx.workers.execute(() -> ctx.link.tellMaster(io.pangaea.model.agentproto.AgentCall.files(
                            ctx.agentId, h.apply(request))));
                }
            }
            case HEARTBEAT -> { }
            default -> LOG.debug("Ignoring {}", event.type());
        }
    }

    // ---- containers -------------------------------------------------------------------------------------------

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
            ctx.tasks.values().stream().filter(t -> t.container != null && !t.state.isTerminal()).forEach(t -> all.add(
                    new Running(t.frameworkId, t.executorId(), executorName(t), t.containerId, t.container)));
            ctx.executors.values().stream().filter(e -> e.container != null && !e.ended).forEach(e -> all.add(
                    new Running(e.framework.id(), e.info.executorId(), e.info.name() == null ? "" : e.info.name(),
                            e.containerId, e.container)));
            return all;
        }, ctx.state)
                .thenCompose(running -> {
                    List<CompletableFuture<ContainerUsage>> each = running.stream().map(r ->
                            CompletableFuture.supplyAsync(() -> new ContainerUsage(r.framework(), r.executor(),
                                    r.name(), r.id(), r.c().usage()), ctx.workers)).toList();
                    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                            .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
                });
    }

    // ---- the executor API (called by the HTTP layer) ----------------------------------------------------------

    /** What the agent answers an executor's call: a status and a message (202 and "" when accepted). */
    public record ExecutorReply(int status, String message) {
        static final ExecutorReply ACCEPTED = new ExecutorReply(202, "");
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
        return CompletableFuture.supplyAsync(() -> ctx.executorApi.subscribe(f, id, unacknowledgedTasks,
                unacknowledgedUpdates, open), state);
    }

    /** UPDATE: a status update of one of the executor's tasks, forwarded reliably to its framework. */
    public CompletableFuture<ExecutorReply> executorUpdate(FrameworkId f, ExecutorId id, TaskStatus status) {
        return CompletableFuture.supplyAsync(() -> ctx.executorApi.update(f, id, status), state);
    }

    /** MESSAGE: the executor's message for its framework, through the master (not retried). */
    public CompletableFuture<ExecutorReply> executorMessage(FrameworkId f, ExecutorId id, String data) {
        return CompletableFuture.supplyAsync(() -> ctx.executorApi.message(f, id, data), state);
    }

    /** HEARTBEAT: only checks that the executor is known. */
    public CompletableFuture<ExecutorReply> executorHeartbeat(FrameworkId f, ExecutorId id) {
        return CompletableFuture.supplyAsync(() -> ctx.executorApi.heartbeat(f, id), state);
    }
}
