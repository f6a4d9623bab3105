package io.pangaea.agent.internal;

import io.pangaea.agent.spi.Containerizer;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.TaskId;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The wiring of the agent's parts: what they share (the configuration, the state thread and the worker pool, the
 * live tables of tasks, frameworks and executors, the status update manager, the counters) and a reference to each
 * part. Built once by {@link Agent}. The tables and counters are touched on the state thread only.
 */
final class AgentContext {

    private volatile AgentConfig config;
    final Function<String, Containerizer> containerizers;
    /** The state thread: the only one that touches the tables below. */
    final ScheduledExecutorService state;
    /** Launches, waits, fetches and calls out run here. */
    final ExecutorService workers;
    final HttpClient http;
    final StatusUpdateManager updates;
    final Fetcher fetcher;
    final Map<TaskId, TaskRun> tasks = new LinkedHashMap<>();
    final Map<FrameworkId, FrameworkInfo> frameworks = new LinkedHashMap<>();
    final Map<ExecutorKey, ExecutorRun> executors = new LinkedHashMap<>();
    /** Counters for {@code /metrics/snapshot}, under Mesos's {@code slave/} names. */
    final Map<String, Long> counters = new java.util.TreeMap<>(Map.of("slave/tasks_finished", 0L,
            "slave/tasks_failed", 0L, "slave/tasks_killed", 0L, "slave/tasks_lost", 0L, "slave/tasks_gone", 0L,
            "slave/executors_terminated", 0L, "slave/container_launch_errors", 0L, "slave/valid_status_updates", 0L,
            "containerizer/fetcher/task_fetches_succeeded", 0L, "containerizer/fetcher/task_fetches_failed", 0L));
    /** The {@code Authorization} header of the agent's calls to the master, from its {@code credential}; or null. */
    volatile String authorization;
    /**
     * Signs and checks executor tokens ({@code authenticate_http_executors}); null when executors need none. Set
     * before the agent starts.
     */
    volatile io.pangaea.http.ExecutorTokens executorTokens;
    /**
     * The agent's TLS settings: its port serves HTTPS, it calls the master over HTTPS, and its executors are told
     * to call it over HTTPS. Set at construction.
     */
    volatile io.pangaea.http.Tls tls = io.pangaea.http.Tls.off();
    /** What the agent's own endpoints let each principal do ({@code acls}); set before the agent starts. */
    volatile io.pangaea.http.Acls acls = io.pangaea.http.Acls.permissive();
    /** The id the master gave this agent (checkpointed), null before the first registration. */
    volatile AgentId agentId;

    final AgentCheckpoints checkpoints;
    final MasterLink link;
    final TaskLauncher launcher;
    final Volumes volumes;
    final TaskStatuses statuses;
    final CompletedHistory history;
    final ExecutorManager executorManager;
    final DefaultExecutor defaultExecutor;
    final ExecutorApiBackend executorApi;
    final AgentRecovery recovery;
    final GarbageCollector gc;
    final HealthChecker health;

    AgentContext(AgentConfig config, Function<String, Containerizer> containerizers, ScheduledExecutorService state,
                 ExecutorService workers, HttpClient http) {
        this.config = config;
        this.containerizers = containerizers;
        this.state = state;
        this.workers = workers;
        this.http = http;
        this.fetcher = new Fetcher(java.time.Duration.ofMinutes(5), new FetcherCache(config.fetcherCacheDir(),
                config.fetcherCacheSize()));
        this.checkpoints = new AgentCheckpoints(this);
        this.agentId = checkpoints.readAgentId();
        this.link = new MasterLink(this);
        this.updates = new StatusUpdateManager(state, link::post);
        this.launcher = new TaskLauncher(this);
        this.volumes = new Volumes(this);
        this.statuses = new TaskStatuses(this);
        this.history = new CompletedHistory(this);
        this.executorManager = new ExecutorManager(this);
        this.defaultExecutor = new DefaultExecutor(this);
        this.executorApi = new ExecutorApiBackend(this);
        this.recovery = new AgentRecovery(this);
        this.gc = new GarbageCollector(this);
        this.health = new HealthChecker(this);
        counters.put("gc/path_removals_succeeded", 0L);
        counters.put("gc/path_removals_failed", 0L);
    }

    AgentConfig config() {
        return config;
    }

    void setConfig(AgentConfig next) {
        this.config = next;
    }
}
