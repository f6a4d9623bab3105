package io.pangaea.benchmarks.emulator;

import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A framework that launches short tasks on every offer until it has launched its quota (or without end), through
 * the Java scheduler library, and keeps the account a scale test checks: each task's terminal updates (by their
 * uuid), and the time from the offer that carried a task to its TASK_RUNNING.
 */
public final class LoadFramework implements Scheduler, AutoCloseable {

    private final String name;
    private final int quota;
    private final int perOffer;
    private final List<io.pangaea.model.Resource> taskResources;
    private final Resources taskNeeds;
    private final SchedulerDriver driver;
    private final AtomicInteger next = new AtomicInteger();
    /** When the offer that carried each task arrived (System.nanoTime), until its TASK_RUNNING. */
    private final Map<TaskId, Long> offeredAt = new ConcurrentHashMap<>();
    /** Each task's terminal states, by update uuid (a re-delivery of one update has the same uuid). */
    private final Map<TaskId, Map<String, TaskState>> terminal = new ConcurrentHashMap<>();
    private final Set<TaskId> launchedIds = ConcurrentHashMap.newKeySet();
    private final LongAdder running = new LongAdder();
    /** Launches whose call got no answer, until the master says what became of them. */
    private final Set<TaskId> uncertain = ConcurrentHashMap.newKeySet();
    private final LongAdder failedCalls = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    /** What the master answers in reconciliation for a task it never got. */
    private static final Set<TaskState> NEVER_LAUNCHED = java.util.EnumSet.of(TaskState.TASK_LOST,
            TaskState.TASK_DROPPED, TaskState.TASK_GONE, TaskState.TASK_UNKNOWN, TaskState.TASK_ERROR);
    /** Offer-to-RUNNING latencies, as they came: {when the offer came (System.nanoTime), microseconds}. */
    private final List<long[]> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    /**
     * When the master answered each launch (System.nanoTime), until its TASK_RUNNING: the part of the latency
     * spent past the framework's own queue of calls (the master, the agent, the update's way back).
     */
    private final Map<TaskId, Long> acceptedAt = new ConcurrentHashMap<>();
    /** Accepted-to-RUNNING latencies, as they came: {when the master answered, microseconds}. */
    private final List<long[]> pastQueue = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean recordLatency = true;

    /**
     * {@code quota} tasks (0: no end) of {@code taskResources} each, at most {@code perOffer} per offer, on the
     * masters given (the leader is followed).
     */
    public LoadFramework(List<URI> masters, String name, int quota, int perOffer, String taskResources) {
        this.name = name;
        this.quota = quota;
        this.perOffer = perOffer;
        this.taskNeeds = Resources.parse(taskResources);
        this.taskResources = taskNeeds.toList();
        this.maxStarting = perOffer * MAX_OFFERS_STARTING;
        FrameworkInfo info = new FrameworkInfo("root", name, null, 3600.0, false, "*", null, null, null, null,
                List.of(), null);
        this.driver = SchedulerDriver.builder(masters, info).maxBackoff(Duration.ofSeconds(1)).scheduler(this)
                .build();
    }

    /**
     * At most {@code tasks} launched and not running yet: a closed loop whose load is {@code tasks} per framework
     * (its throughput is then what the cluster answers with). By default four full offers' worth.
     */
    public LoadFramework maxStarting(int tasks) {
        this.maxStarting = Math.max(1, tasks);
        return this;
    }

    public LoadFramework start() {
        driver.start();
        Reviver.LIVE.add(this);
        return this;
    }

    /** Beyond this many calls waiting in its library, the framework declines what it is offered. */
    static final int MAX_CALLS_WAITING = 64;
    /** By default, nor while the tasks of this many full offers are launched and not running yet. */
    static final int MAX_OFFERS_STARTING = 4;
    /** Tasks launched and not running yet that the framework allows itself (its load): see {@link #maxStarting}. */
    private volatile int maxStarting;

    /** Whether this framework suppressed its offers for being behind. */
    private final java.util.concurrent.atomic.AtomicBoolean suppressed = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Checks every 100 ms for caught-up frameworks also when no update comes (their calls were all they were behind
     * on): one thread for all the process's frameworks, which visits each in turn. A thread and a timer per
     * framework woke 200 threads ten times a second each, a fifth of a core in this machine's thread switches.
     */
    private static final class Reviver {
        static final Set<LoadFramework> LIVE = ConcurrentHashMap.newKeySet();

        static {
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "load-framework-reviver");
                t.setDaemon(true);
                return t;
            }).scheduleWithFixedDelay(() -> LIVE.forEach(f -> {
                try {
                    f.reviveWhenCaughtUp();
                } catch (RuntimeException e) {
                    // one framework's failure (closing) does not stop the others' checks
                }
            }), 100, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private void reviveWhenCaughtUp() {
        if (suppressed.get() && !behind(driver, 2) && suppressed.compareAndSet(true, false)) {
            driver.revive();
            lastRevive = System.nanoTime();
        } else if (!suppressed.get() && (quota <= 0 || launchedIds.size() < quota)
                && System.nanoTime() - lastOffers > 2_000_000_000L
                && System.nanoTime() - lastRevive > 2_000_000_000L) {
            // work left and no offers for 2 s: revive again. A SUPPRESS and the REVIVE after it are separate calls
            // that may reach the master in either order, and a framework left suppressed would wait for ever
            driver.revive();
            lastRevive = System.nanoTime();
        }
    }

    /** When offers last came, and when this framework last revived (System.nanoTime). */
    private volatile long lastOffers = System.nanoTime();
    private volatile long lastRevive = System.nanoTime();

    /**
     * Behind: more calls waiting in the library than it allows, or as many launches not running yet. With
     * {@code margin} 2, half of either: a framework that suppressed its offers revives them only then.
     */
    private boolean behind(SchedulerDriver d, int margin) {
        return d.callsWaiting() > MAX_CALLS_WAITING / margin
                || offeredAt.size() >= Math.max(1, maxStarting / margin);
    }

    /** Calls the framework's library holds back (beyond those out). */
    public int callsWaiting() {
        return driver.callsWaiting();
    }

    @Override
    public void offers(SchedulerDriver d, List<Offer> offers) {
        long now = System.nanoTime();
        lastOffers = now;
        List<OfferId> nothing = new ArrayList<>();
        List<OfferId> later = new ArrayList<>();
        // a framework behind on its own calls (acknowledgements, launches), or with many launches not yet running,
        // takes no new work until it catches up, as a real one must: launching more would only lengthen the queues
        // every call and update waits in
        for (Offer o : offers) {
            if (behind(d, 1)) {
                later.add(o.id());
                if (suppressed.compareAndSet(false, true)) {
                    // and asks for no offers until it has caught up (reviveWhenCaughtUp), as Mesos advises a
                    // framework that has no use for them: 200 frameworks declining 50,000 agents' offers kept the
                    // master encoding and the frameworks decoding offers nobody took
                    d.suppress();
                }
                continue;
            }
            Resources left = Resources.of(o.resources()).unallocated();
            List<TaskInfo> tasks = new ArrayList<>();
            int room = Math.min(perOffer, maxStarting - offeredAt.size());
            while (tasks.size() < room && (quota <= 0 || launchedIds.size() < quota)
                    && left.contains(taskNeeds)) {
                TaskId id = TaskId.of(name + "-" + next.getAndIncrement());
                tasks.add(new TaskInfo("load", id, o.agentId(), taskResources, null,
                        io.pangaea.model.CommandInfo.shell("true"), null, null, null,
                        null, null));
                left = left.minus(taskNeeds);
                offeredAt.put(id, now);
                launchedIds.add(id);
            }
            if (tasks.isEmpty()) {
                nothing.add(o.id());
            } else {
                d.launch(List.of(o.id()), tasks, 0).whenComplete((v, e) -> {
                    if (e == null) {
                        long answered = System.nanoTime();
                        for (TaskInfo t : tasks) {
                            if (offeredAt.containsKey(t.taskId())) {
                                acceptedAt.put(t.taskId(), answered);
                            }
                        }
                    } else {
                        // the call's fate is unknown (no answer): the master is asked about its tasks, as a
                        // framework must, and those it does not know were never launched
                        failedCalls.increment();
                        List<io.pangaea.model.scheduler.Call.Reconcile.ReconcileTask> ask = new ArrayList<>();
                        for (TaskInfo t : tasks) {
                            uncertain.add(t.taskId());
                            ask.add(new io.pangaea.model.scheduler.Call.Reconcile.ReconcileTask(t.taskId(),
                                    o.agentId()));
                        }
                        d.reconcile(ask);
                    }
                });
            }
        }
        if (!later.isEmpty()) {
            // declined for Mesos's default 5 s: offered back at once, they would only be declined again
            d.decline(later, io.pangaea.model.Filters.DEFAULT_REFUSE_SECONDS);
        }
        if (!nothing.isEmpty()) {
            d.decline(nothing, quota > 0 && launchedIds.size() >= quota ? 3600 : 1);
        }
    }

    @Override
    public void update(SchedulerDriver d, TaskStatus status) {
        if (status.reason() == TaskStatus.Reason.REASON_RECONCILIATION) {
            // the master's answer about a launch whose call got no answer: not an update of the task's own
            if (uncertain.remove(status.taskId()) && NEVER_LAUNCHED.contains(status.state())) {
                launchedIds.remove(status.taskId());
                offeredAt.remove(status.taskId());
                dropped.increment();
                d.revive();
            }
            return;
        }
        uncertain.remove(status.taskId());
        reviveWhenCaughtUp();
        if (status.state() == TaskState.TASK_RUNNING) {
            Long at = offeredAt.remove(status.taskId());
            Long accepted = acceptedAt.remove(status.taskId());
            if (at != null) {
                running.increment();
                if (recordLatency) {
                    long now = System.nanoTime();
                    latencies.add(new long[] {at, (now - at) / 1000});
                    if (accepted != null) {
                        pastQueue.add(new long[] {accepted, (now - accepted) / 1000});
                    }
                }
            }
        } else if (status.state().isTerminal()) {
            offeredAt.remove(status.taskId());
            acceptedAt.remove(status.taskId());
            terminal.computeIfAbsent(status.taskId(), k -> new ConcurrentHashMap<>())
                    .put(status.uuid() == null ? "none" : status.uuid(), status.state());
        }
    }

    /** Latencies from now on are not kept (after a benchmark's measured window). */
    public void stopRecording() {
        recordLatency = false;
    }

    public int launched() {
        return launchedIds.size();
    }

    /** Launch calls that got no answer (their tasks were reconciled). */
    public long failedCalls() {
        return failedCalls.sum();
    }

    /** Tasks of such calls that the master never got (replaced by new ones). */
    public long dropped() {
        return dropped.sum();
    }

    public long running() {
        return running.sum();
    }

    /** Tasks with at least one terminal update. */
    public int ended() {
        return terminal.size();
    }

    /** Tasks whose terminal state is other than {@code expected}, or that ended twice (two different updates). */
    public Map<TaskId, Map<String, TaskState>> endedBadly(TaskState expected) {
        Map<TaskId, Map<String, TaskState>> bad = new java.util.LinkedHashMap<>();
        terminal.forEach((id, updates) -> {
            if (updates.size() != 1 || !updates.values().iterator().next().equals(expected)) {
                bad.put(id, Map.copyOf(updates));
            }
        });
        return bad;
    }

    /** Launched tasks that never reported a terminal state. */
    public Set<TaskId> notEnded() {
        Set<TaskId> missing = new java.util.TreeSet<>(java.util.Comparator.comparing(TaskId::value));
        for (TaskId id : launchedIds) {
            if (!terminal.containsKey(id)) {
                missing.add(id);
            }
        }
        return missing;
    }

    /**
     * The offer-to-RUNNING latencies of the tasks whose offer came from {@code from} to before {@code to}
     * (System.nanoTime), in microseconds, sorted: a measured window's own tasks, not those it inherited.
     */
    public long[] latenciesBetween(long from, long to) {
        return sortedBetween(latencies, from, to);
    }

    /**
     * The accepted-to-RUNNING latencies of the tasks whose launch the master answered from {@code from} to before
     * {@code to}: from that answer to the task's TASK_RUNNING, without the time the call waited in the framework's
     * own library. In microseconds, sorted.
     */
    public long[] acceptedLatenciesBetween(long from, long to) {
        return sortedBetween(pastQueue, from, to);
    }

    /** Tasks launched on an offer that came before {@code nanoTime} and not running yet. */
    public long startingOfferedBefore(long nanoTime) {
        return offeredAt.values().stream().filter(at -> at - nanoTime < 0).count();
    }

    private static long[] sortedBetween(List<long[]> kept, long from, long to) {
        long[] all;
        synchronized (kept) {
            all = kept.stream().filter(l -> l[0] - from >= 0 && l[0] - to < 0).mapToLong(l -> l[1]).toArray();
        }
        Arrays.sort(all);
        return all;
    }

    public String frameworkId() {
        return driver.frameworkId() == null ? null : driver.frameworkId().value();
    }

    @Override
    public void close() {
        Reviver.LIVE.remove(this);
        driver.close();
    }
}
