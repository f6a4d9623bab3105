package io.pangaea.itests;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.model.AgentId;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.scheduler.Call;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults injected one after another into a whole cluster under load: three masters electing a leader through a
 * ZooKeeper server in its own process, two agents that follow the leader, and a checkpointing, partition-aware
 * framework that keeps launching short tasks (and one long task per agent). The faults: SIGKILL of the leading
 * master, SIGKILL of an agent then its restart, SIGSTOP of an agent past the ping budget then SIGCONT, and a restart
 * of ZooKeeper. Each phase's figures are printed ({@code FAULT ...}) and kept in {@link #figures}; at the end every
 * task is accounted for ({@link #report}). Used by {@link FaultInjectionIT} (small, in CI) and
 * {@link FaultInjectionBenchmark} (longer).
 */
final class FaultInjection implements AutoCloseable {

    static final Duration PING = Duration.ofSeconds(1);
    static final int MAX_PINGS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Set<TaskState> LOST = Set.of(TaskState.TASK_LOST, TaskState.TASK_GONE,
            TaskState.TASK_DROPPED, TaskState.TASK_UNKNOWN, TaskState.TASK_GONE_BY_OPERATOR);

    final ZooKeeperProcess zk;
    final LocalCluster cluster;
    final Workload workload;
    private final SchedulerDriver driver;
    /** Each figure measured, by name, in seconds: one value per time the fault was injected. */
    final Map<String, List<Double>> figures = new LinkedHashMap<>();

    /**
     * @param shortTaskSeconds how long each short task runs
     * @param perOffer         how many short tasks go on each offer while the workload runs
     */
    FaultInjection(double shortTaskSeconds, int perOffer) throws Exception {
        this(shortTaskSeconds, perOffer, "4secs");
    }

    /** @param zkSessionTimeout the masters' {@code zk_session_timeout}, which bounds how soon a new leader is elected */
    FaultInjection(double shortTaskSeconds, int perOffer, String zkSessionTimeout) throws Exception {
        zk = new ZooKeeperProcess();
        LocalCluster c = null;
        try {
            String url = zk.url("/pangaea");
            c = new LocalCluster("cpus:2;mem:1024", Map.of("master", url), Map.of("agent_ping_timeout",
                    PING.toSeconds() + "secs", "max_agent_ping_timeouts", Integer.toString(MAX_PINGS),
                    "zk_session_timeout", zkSessionTimeout), 3, url, 2);
        } catch (Exception | Error e) {
            zk.close();
            throw e;
        }
        cluster = c;
        workload = new Workload(shortTaskSeconds, perOffer);
        int leading = await("a leader").atMost(Duration.ofSeconds(60)).until(cluster::leader, i -> i >= 0);
        // the driver is given every master, the leader first: when it dies, the driver must move on by itself
        List<URI> masters = new ArrayList<>();
        masters.add(URI.create("http://127.0.0.1:" + cluster.masterPorts.get(leading)));
        for (int i = 0; i < cluster.masterPorts.size(); i++) {
            if (i != leading) {
                masters.add(URI.create("http://127.0.0.1:" + cluster.masterPorts.get(i)));
            }
        }
        FrameworkInfo info = new FrameworkInfo("root", "fault-injection", null, 3600.0, true, "*", null, null, null,
                null, List.of(new FrameworkInfo.Capability(FrameworkInfo.Capability.Type.PARTITION_AWARE)), null);
        driver = SchedulerDriver.builder(masters, info).maxBackoff(Duration.ofSeconds(1)).scheduler(workload).build();
        driver.start();
    }

    private static double since(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    private void figure(String name, double seconds) {
        figures.computeIfAbsent(name, k -> new ArrayList<>()).add(seconds);
    }

    /** The latest value of a figure. */
    double last(String name) {
        List<Double> v = figures.get(name);
        return v.get(v.size() - 1);
    }

    /** The leader's view, or null while none answers. */
    private JsonNode leaderGet(String path) {
        int l = cluster.leader();
        if (l < 0) {
            return null;
        }
        try {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + cluster.masterPorts.get(l) + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (Exception e) {
            return null;
        }
    }

    /** Whether the leader has both agents active and the framework connected. */
    private boolean allBack() {
        return back(true);
    }

    /** Whether the leader has both agents active, and the framework connected if {@code framework}. */
    private boolean back(boolean withFramework) {
        JsonNode state = leaderGet("/master/state");
        if (state == null) {
            return false;
        }
        int active = 0;
        for (JsonNode a : state.path("slaves")) {
            active += a.path("active").asBoolean() ? 1 : 0;
        }
        boolean framework = false;
        for (JsonNode f : state.path("frameworks")) {
            framework |= f.path("name").asText().equals("fault-injection") && f.path("connected").asBoolean()
                    && f.path("active").asBoolean();
        }
        return active == 2 && (framework || !withFramework);
    }

    /** The id of agent {@code n} as the leader knows it. */
    private AgentId agentId(int n) {
        int port = cluster.agentPorts.get(n);
        return await("agent " + n + " known").atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode slaves = leaderGet("/master/slaves");
            if (slaves == null) {
                return null;
            }
            for (JsonNode a : slaves.path("slaves")) {
                if (a.path("port").asInt() == port) {
                    return AgentId.of(a.path("id").asText());
                }
            }
            return null;
        }, x -> x != null);
    }

    /** Starts the workload and waits until both long tasks run and some short tasks have finished. */
    void warmUp() {
        workload.launching = true;
        await("both long tasks running").atMost(Duration.ofSeconds(120)).until(() ->
                workload.longTasks.size() == 2 && workload.longTasks.values().stream()
                        .allMatch(id -> workload.state(id) == TaskState.TASK_RUNNING));
        int finished = workload.count(TaskState.TASK_FINISHED);
        await("short tasks finishing").atMost(Duration.ofSeconds(120))
                .until(() -> workload.count(TaskState.TASK_FINISHED) >= finished + 4);
    }

    /** SIGKILL of the leading master: the time to a new leader, and until agents and framework are back with it. */
    void killLeadingMaster() throws Exception {
        int leading = cluster.leader();
        long t0 = System.nanoTime();
        cluster.killMaster(leading);
        await("a new leader").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.leader() >= 0 && cluster.leader() != leading);
        double elected = since(t0);
        await("agents back with the new leader").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50)).until(() -> back(false));
        double agents = since(t0);
        await("agents and framework back with the new leader").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50)).until(this::allBack);
        double back = since(t0);
        figure("leader_after_master_kill_s", elected);
        figure("agents_back_after_election_s", agents - elected);
        figure("all_back_after_master_kill_s", back);
        System.out.printf(Locale.ROOT, "FAULT master SIGKILL: new leader after %.1f s; both agents back with it %.1f s"
                + " after the election, the framework too %.1f s after it%n", elected, agents - elected,
                back - elected);
        workload.reconcile(driver);
        cluster.restartMaster(leading); // a follower again, for the faults to come
    }

    /** SIGKILL of agent {@code n}, then its restart: its checkpointed long task must run on. */
    void killAndRestartAgent(int n) throws Exception {
        String longTask = workload.longTasks.get(agentId(n));
        long t0 = System.nanoTime();
        cluster.killAgent(n);
        cluster.startAgent(n);
        await("agent " + n + " active again").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(this::allBack);
        double back = since(t0);
        figure("agent_back_after_agent_kill_s", back);
        System.out.printf(Locale.ROOT, "FAULT agent SIGKILL and restart: active again %.1f s after the kill; its long"
                + " task %s is %s%n", back, longTask, workload.state(longTask));
        if (workload.state(longTask) != TaskState.TASK_RUNNING) {
            throw new AssertionError("the long task of the restarted agent is " + workload.state(longTask));
        }
    }

    /**
     * SIGSTOP of agent {@code n} past the ping budget: its long task must become TASK_UNREACHABLE, then
     * TASK_RUNNING again after SIGCONT.
     */
    void stopAndContinueAgent(int n) throws Exception {
        String longTask = workload.longTasks.get(agentId(n));
        ProcessHandle jvm = cluster.agentJvm(n);
        long t0 = System.nanoTime();
        LocalCluster.signal(jvm, "STOP");
        double unreachable;
        try {
            await("TASK_UNREACHABLE for " + longTask).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50)).until(() -> workload.state(longTask)
                            == TaskState.TASK_UNREACHABLE);
            unreachable = since(t0);
        } finally {
            LocalCluster.signal(jvm, "CONT");
        }
        long t1 = System.nanoTime();
        await("TASK_RUNNING again for " + longTask).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50)).until(() -> workload.state(longTask) == TaskState.TASK_RUNNING);
        double running = since(t1);
        figure("unreachable_after_agent_stop_s", unreachable);
        figure("running_after_agent_cont_s", running);
        System.out.printf(Locale.ROOT, "FAULT agent SIGSTOP: TASK_UNREACHABLE %.1f s after the stop (ping budget"
                + " %d x %d s); TASK_RUNNING again %.1f s after SIGCONT%n", unreachable, MAX_PINGS, PING.toSeconds(),
                running);
        await("all back after the stop").atMost(Duration.ofSeconds(120)).until(this::allBack);
    }

    /** ZooKeeper killed and started again: a leader must answer again, with agents and framework. */
    void restartZooKeeper() throws Exception {
        long t0 = System.nanoTime();
        zk.kill();
        zk.start();
        double up = since(t0);
        await("a leader after the ZooKeeper restart").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).until(() -> cluster.leader() >= 0);
        double leader = since(t0);
        await("all back after the ZooKeeper restart").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(100)).until(this::allBack);
        double back = since(t0);
        figure("leader_after_zookeeper_restart_s", leader);
        figure("all_back_after_zookeeper_restart_s", back);
        System.out.printf(Locale.ROOT, "FAULT ZooKeeper SIGKILL and restart (up again after %.1f s): a leader"
                + " answers %.1f s after the kill, agents and framework back with it after %.1f s%n", up, leader, back);
        workload.reconcile(driver);
    }

    /**
     * Stops launching, kills the long tasks and waits until every task launched has ended; returns the accounting
     * (printed as {@code FAULT report}).
     */
    Report finish() throws Exception {
        workload.launching = false;
        for (String id : workload.longTasks.values()) {
            driver.kill(TaskId.of(id), null, null);
        }
        ScheduledExecutorService reconciler = Executors.newSingleThreadScheduledExecutor();
        reconciler.scheduleWithFixedDelay(() -> workload.reconcile(driver), 5, 5, TimeUnit.SECONDS);
        try {
            await("every task ended").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> workload.unfinished().isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("FAULT tasks that never ended: " + workload.unfinished());
        } finally {
            reconciler.shutdownNow();
        }
        Report r = workload.report();
        System.out.println("FAULT report: " + r);
        return r;
    }

    @Override
    public void close() throws Exception {
        try {
            driver.close();
        } finally {
            try {
                cluster.close();
            } finally {
                zk.close();
            }
        }
    }

    /** What happened to every task launched. */
    /**
     * What happened to every task launched. {@code lost}: tasks that had run (TASK_RUNNING) and ended lost or gone;
     * {@code droppedLaunches}: launches that never ran, lost with a master that died before they reached an agent
     * (reconciliation then says so) or with an agent killed before it started them, which a framework launches
     * again.
     */
    record Report(int launched, int finished, int killed, int failed, int lost, int droppedLaunches, int neverEnded,
                  int conflictingEnds, int duplicateLaunches, int redeliveredUpdates, int unreachableSeen,
                  List<String> problems) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d tasks launched: %d finished, %d killed, %d failed; lost %d, launches"
                            + " dropped %d, never ended %d, with two different ends %d, duplicate launches %d; updates"
                            + " delivered again %d; TASK_UNREACHABLE seen %d%s", launched, finished, killed, failed,
                    lost, droppedLaunches, neverEnded, conflictingEnds, duplicateLaunches, redeliveredUpdates,
                    unreachableSeen, problems.isEmpty() ? "" : "; problems (" + problems.size() + "): "
                            + problems.subList(0, Math.min(10, problems.size())));
        }
    }

    /** The framework: launches what each offer holds while {@link #launching}, and records every update. */
    static final class Workload implements Scheduler {
        private final double shortTaskSeconds;
        private final int perOffer;
        volatile boolean launching;
        private final AtomicInteger next = new AtomicInteger();
        /** The long task of each agent, by agent id. */
        final Map<AgentId, String> longTasks = new ConcurrentHashMap<>();
        /** Each task's agent, in launch order. */
        private final Map<String, AgentId> launched = new ConcurrentHashMap<>();
        /** Each task's updates, in the order they came. */
        private final Map<String, List<TaskStatus>> updates = new ConcurrentHashMap<>();

        Workload(double shortTaskSeconds, int perOffer) {
            this.shortTaskSeconds = shortTaskSeconds;
            this.perOffer = perOffer;
        }

        TaskState state(String taskId) {
            List<TaskStatus> u = updates.get(taskId);
            return u == null || u.isEmpty() ? null : u.get(u.size() - 1).state();
        }

        int count(TaskState s) {
            int n = 0;
            for (String id : launched.keySet()) {
                n += state(id) == s ? 1 : 0;
            }
            return n;
        }

        List<String> unfinished() {
            return launched.keySet().stream().filter(id -> state(id) == null || !state(id).isTerminal()
                    || state(id) == TaskState.TASK_UNREACHABLE).sorted().toList();
        }

        @Override
        public void subscribed(SchedulerDriver driver, FrameworkId id, MasterInfo master, boolean reconnected) {
            if (reconnected) {
                reconcile(driver);
            }
        }

        /** Explicit reconciliation of every task not known to have ended. */
        void reconcile(SchedulerDriver driver) {
            List<Call.Reconcile.ReconcileTask> tasks = new ArrayList<>();
            for (String id : unfinished()) {
                tasks.add(new Call.Reconcile.ReconcileTask(TaskId.of(id), launched.get(id)));
            }
            if (!tasks.isEmpty()) {
                driver.reconcile(tasks).exceptionally(e -> null);
            }
        }

        @Override
        public void offers(SchedulerDriver driver, List<Offer> offers) {
            for (Offer o : offers) {
                Resources left = Resources.of(o.resources()).unallocated();
                List<TaskInfo> tasks = new ArrayList<>();
                if (launching && !longTasks.containsKey(o.agentId())) {
                    String id = "long-" + next.incrementAndGet();
                    longTasks.put(o.agentId(), id);
                    tasks.add(task(id, o.agentId(), "sleep 3600"));
                    left = left.minus(Resources.of(tasks.get(0).resources()));
                }
                for (int i = 0; launching && i < perOffer && left.scalar("cpus") >= 0.1 - 1e-9
                        && left.scalar("mem") >= 16; i++) {
                    TaskInfo t = task("short-" + next.incrementAndGet(), o.agentId(),
                            String.format(Locale.ROOT, "sleep %.2f", shortTaskSeconds));
                    tasks.add(t);
                    left = left.minus(Resources.of(t.resources()));
                }
                if (tasks.isEmpty()) {
                    driver.decline(List.of(o.id()), 1).exceptionally(e -> null);
                    continue;
                }
                for (TaskInfo t : tasks) {
                    launched.put(t.taskId().value(), o.agentId());
                }
                driver.launch(List.of(o.id()), tasks, 0).exceptionally(e -> null);
            }
        }

        private static TaskInfo task(String id, AgentId agent, String command) {
            return new TaskInfo(id, TaskId.of(id), agent, List.of(Resource.scalar("cpus", 0.1),
                    Resource.scalar("mem", 16)), null, CommandInfo.shell(command), null, null, null, null);
        }

        @Override
        public void update(SchedulerDriver driver, TaskStatus status) {
            updates.computeIfAbsent(status.taskId().value(), k -> new CopyOnWriteArrayList<>()).add(status);
        }

        Report report() {
            int finished = 0;
            int killed = 0;
            int failed = 0;
            int lost = 0;
            int dropped = 0;
            int neverEnded = 0;
            int conflicting = 0;
            int duplicates = 0;
            int redelivered = 0;
            int unreachable = 0;
            List<String> problems = new ArrayList<>();
            for (String id : launched.keySet()) {
                List<TaskStatus> u = updates.getOrDefault(id, List.of());
                Set<TaskState> ends = new java.util.LinkedHashSet<>();
                Set<String> containers = new java.util.HashSet<>();
                Set<String> uuids = new java.util.HashSet<>();
                for (TaskStatus s : u) {
                    if (s.state().isTerminal() && s.state() != TaskState.TASK_UNREACHABLE
                            && s.reason() != TaskStatus.Reason.REASON_RECONCILIATION) {
                        ends.add(s.state());
                    }
                    if (s.state() == TaskState.TASK_UNREACHABLE
                            && s.reason() != TaskStatus.Reason.REASON_RECONCILIATION) {
                        unreachable++;
                    }
                    if (s.containerStatus() != null && s.containerStatus().containerId() != null) {
                        containers.add(s.containerStatus().containerId().value());
                    }
                    if (s.uuid() != null && !uuids.add(s.uuid())) {
                        redelivered++;
                    }
                }
                TaskState last = state(id);
                if (ends.isEmpty() && (last == null || !last.isTerminal() || last == TaskState.TASK_UNREACHABLE)) {
                    neverEnded++;
                    problems.add(id + " never ended (last " + last + ")");
                } else if (ends.size() > 1) {
                    conflicting++;
                    problems.add(id + " ended " + ends);
                }
                TaskState end = ends.isEmpty() ? last : ends.iterator().next();
                // TASK_STARTING says the agent got the task, TASK_RUNNING that its process runs
                boolean started = u.stream().anyMatch(s -> s.state() == TaskState.TASK_RUNNING);
                if (end != null && LOST.contains(end) && !started) {
                    dropped++;
                } else if (end == TaskState.TASK_FINISHED) {
                    finished++;
                } else if (end == TaskState.TASK_KILLED) {
                    killed++;
                } else if (end != null && LOST.contains(end)) {
                    lost++;
                    problems.add(id + " " + end + ": " + u.get(u.size() - 1).message());
                } else if (end != null && end.isTerminal()) {
                    failed++;
                    problems.add(id + " " + end + ": " + u.get(u.size() - 1).message());
                }
                if (containers.size() > 1) {
                    duplicates++;
                    problems.add(id + " ran in " + containers.size() + " containers");
                }
            }
            return new Report(launched.size(), finished, killed, failed, lost, dropped, neverEnded, conflicting,
                    duplicates, redelivered, unreachable, problems);
        }
    }
}
