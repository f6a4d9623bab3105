package io.pangaea.framework.jobs.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.framework.support.AdapterLoop;
import io.pangaea.framework.support.FrameworkCalls;
import io.pangaea.framework.support.StateStore;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.scheduler.Call;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs scheduler: it turns each job's schedule into occurrences, runs each occurrence once (with its retries),
 * fires dependent jobs once all their parents have succeeded, and records every occurrence, skipped ones with their
 * reason. One thread (the loop) owns the state; callbacks and the API post to it.
 *
 * <p>Exactly once: an occurrence's id is its scheduled time (or a deterministic id for a dependent run), it is stored
 * before the schedule's cursor moves past it and before its task is launched, and a due time already in the history
 * is never made again. A new acting adapter reconciles the tasks of unfinished occurrences with the master: a task
 * the master never had (the launch was lost) is launched again, one it has is adopted.
 */
final class JobScheduler implements Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(JobScheduler.class);
    static final double DECLINE_SECONDS = 120;

    /** A dependent job's progress: its parents' successes since its last run. */
    static final class Dependencies {
        public Map<String, String> succeeded = new TreeMap<>();
    }

    private final ObjectMapper json;
    private final JobRecords records;
    private final AdapterLoop loop = new AdapterLoop("jobs-loop");
    Clock clock = Clock.systemUTC();

    // ---- owned by the loop ----
    final Map<String, Job> jobs = new TreeMap<>();
    /** Each job's occurrences, oldest first. */
    final Map<String, List<Occurrence>> history = new HashMap<>();
    /** The next due time of each scheduled job. */
    final Map<String, Instant> cursors = new HashMap<>();
    final Map<String, Dependencies> dependencies = new HashMap<>();
    /** Task id to its occurrence. */
    private final Map<String, Occurrence> byTask = new HashMap<>();
    private FrameworkCalls driver;
    private final FrameworkCalls.PerDriver perDriver = new FrameworkCalls.PerDriver();
    private boolean acting;
    private boolean loaded;
    private Boolean suppressed;
    private long lastRevive;

    JobScheduler(ObjectMapper json, StateStore store) {
        this.json = json;
        this.records = new JobRecords(json, store);
    }

    // ---- the loop ---------------------------------------------------------------------------------------------

    <T> T onLoop(Callable<T> work) throws IOException {
        return loop.call(work);
    }

    private void later(Runnable r) {
        loop.later(r);
    }

    void acting(boolean on) {
        try {
            onLoop(() -> {
                acting = on;
                if (on) {
                    load();
                    loop.every(250, this::tick);
                } else {
                    driver = null;
                    loaded = false;
                    jobs.clear();
                    history.clear();
                    cursors.clear();
                    dependencies.clear();
                    byTask.clear();
                    suppressed = null;
                }
                return null;
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the jobs' state: " + e.getMessage(), e);
        }
    }

    boolean acting() {
        return acting;
    }

    void close() {
        loop.close();
    }

    private void load() throws IOException {
        jobs.clear();
        history.clear();
        cursors.clear();
        dependencies.clear();
        byTask.clear();
        for (Job j : records.jobs()) {
            jobs.put(j.name(), j);
            List<Occurrence> list = records.history(j.name());
            history.put(j.name(), list);
            for (Occurrence o : list) {
                for (Occurrence.Attempt a : o.attempts) {
                    byTask.put(a.taskId, o);
                }
            }
            Instant cursor = records.cursor(j.name());
            if (cursor != null) {
                cursors.put(j.name(), cursor);
            }
            Dependencies d = records.dependencies(j.name());
            if (d != null) {
                dependencies.put(j.name(), d);
            }
        }
        loaded = true;
        LOG.info("Jobs adapter state: {} jobs", jobs.size());
    }

    Instant now() {
        return clock.instant();
    }

    // ---- persistence ------------------------------------------------------------------------------------------

    void saveJob(Job j) throws IOException {
        records.putJob(j);
    }

    void saveHistory(String job) {
        records.putHistory(job, history.computeIfAbsent(job, k -> new ArrayList<>()));
    }

    void saveCursor(String job, Instant next) {
        cursors.put(job, next);
        records.putCursor(job, next);
    }

    private void saveDependencies(String job) {
        records.putDependencies(job, dependencies.computeIfAbsent(job, k -> new Dependencies()));
    }

    /** Forgets a deleted job's state. */
    void forget(String job) throws IOException {
        jobs.remove(job);
        history.remove(job);
        cursors.remove(job);
        dependencies.remove(job);
        byTask.values().removeIf(o -> o.job.equals(job));
        records.delete(job);
    }

    /** Sets a scheduled job's cursor to its first time at or after {@code from} (a new or changed schedule). */
    void resetCursor(Job j, Instant from) {
        if (j.dependent()) {
            saveCursor(j.name(), null);
            return;
        }
        try {
            saveCursor(j.name(), Schedules.of(j, from).firstAtOrAfter(from).orElse(null));
        } catch (Schedules.BadSchedule e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    Occurrence find(String job, String id) {
        for (Occurrence o : history.getOrDefault(job, List.of())) {
            if (o.id.equals(id)) {
                return o;
            }
        }
        return null;
    }

    private boolean busy(String job) {
        for (Occurrence o : history.getOrDefault(job, List.of())) {
            if (o.unfinished()) {
                return true;
            }
        }
        return false;
    }

    /** Adds an occurrence (stored at once): WAITING, or SKIPPED with {@code reason}. */
    Occurrence occur(Job j, String id, String kind, Instant due, String skipReason, List<String> arguments) {
        Occurrence o = new Occurrence();
        o.id = id;
        o.job = j.name();
        o.kind = kind;
        o.scheduledAt = due.toString();
        o.arguments = arguments;
        if (skipReason != null) {
            o.state = Occurrence.State.SKIPPED;
            o.reason = skipReason;
            o.endedAt = now().toString();
            LOG.info("Job {}: occurrence {} skipped: {}", j.name(), id, skipReason);
        } else {
            o.state = Occurrence.State.WAITING;
        }
        history.computeIfAbsent(j.name(), k -> new ArrayList<>()).add(o);
        saveHistory(j.name());
        return o;
    }

    // ---- the scheduler library's callbacks ----------------------------------------------------------------------

    @Override
    public void subscribed(SchedulerDriver d, FrameworkId frameworkId, MasterInfo master, boolean reconnected) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> subscribed(c));
    }

    void subscribed(FrameworkCalls d) {
        driver = d;
        suppressed = null;
        List<Call.Reconcile.ReconcileTask> tasks = new ArrayList<>();
        for (List<Occurrence> list : history.values()) {
            for (Occurrence o : list) {
                Occurrence.Attempt a = o.current();
                if ((o.state == Occurrence.State.LAUNCHING || o.state == Occurrence.State.RUNNING) && a != null) {
                    tasks.add(new Call.Reconcile.ReconcileTask(new TaskId(a.taskId),
                            a.agentId == null ? null : new AgentId(a.agentId)));
                }
            }
        }
        LOG.info("Jobs adapter subscribed; reconciling {} tasks", tasks.size());
        if (!tasks.isEmpty()) {
            d.reconcile(tasks);
        }
        d.reconcile(List.of());
        step();
    }

    @Override
    public void disconnected(SchedulerDriver d) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> {
            if (driver == c) {
                driver = null;
            }
        });
    }

    @Override
    public void offers(SchedulerDriver d, List<Offer> offers) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> handleOffers(c, offers));
    }

    @Override
    public void update(SchedulerDriver d, TaskStatus status) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> handleUpdate(c, status));
    }

    // ---- time -------------------------------------------------------------------------------------------------

    private void tick() {
        try {
            if (acting && loaded) {
                step();
            }
        } catch (RuntimeException e) {
            LOG.error("Jobs loop step failed", e);
        }
    }

    /** Makes the occurrences that are due, skips waiting ones past their epsilon, and asks for offers or not. */
    void step() {
        if (!loaded) {
            return;
        }
        Instant now = now();
        for (Job j : new ArrayList<>(jobs.values())) {
            if (j.dependent()) {
                continue;
            }
            Instant due = cursors.get(j.name());
            Schedules.Schedule schedule;
            Duration epsilon;
            try {
                schedule = Schedules.of(j, now);
                epsilon = Schedules.duration("epsilon", j.epsilon());
            } catch (Schedules.BadSchedule e) {
                continue; // validated on the way in
            }
            int made = 0;
            while (due != null && !due.isAfter(now) && made < 1000) {
                String id = due.toString();
                if (find(j.name(), id) == null) {
                    String skip = null;
                    if (j.disabled()) {
                        skip = "disabled";
                    } else if (Duration.between(due, now).compareTo(epsilon) > 0) {
                        skip = "past epsilon: due at " + due + ", reached at " + now + " (epsilon " + j.epsilon()
                                + ")";
                    } else if (!j.concurrent() && busy(j.name())) {
                        skip = "a previous run is still going and concurrent is false";
                    }
                    occur(j, id, "SCHEDULED", due, skip, null);
                }
                due = schedule.after(due).orElse(null);
                saveCursor(j.name(), due);
                made++;
            }
        }
        // waiting occurrences that found no offer within their epsilon are skipped (retries are not: they started)
        for (List<Occurrence> list : history.values()) {
            for (Occurrence o : list) {
                if (o.state != Occurrence.State.WAITING || !o.attempts.isEmpty() || o.kind.equals("MANUAL")) {
                    continue;
                }
                Job j = jobs.get(o.job);
                try {
                    Duration epsilon = Schedules.duration("epsilon", j.epsilon());
                    if (Duration.between(Instant.parse(o.scheduledAt), now).compareTo(epsilon) > 0) {
                        o.state = Occurrence.State.SKIPPED;
                        o.reason = "not started within epsilon (" + j.epsilon() + "): no offer fitted";
                        o.endedAt = now.toString();
                        saveHistory(o.job);
                    }
                } catch (Schedules.BadSchedule e) {
                    // validated on the way in
                }
            }
        }
        offerFlow();
    }

    private int waiting() {
        int n = 0;
        for (List<Occurrence> list : history.values()) {
            for (Occurrence o : list) {
                if (o.state == Occurrence.State.WAITING) {
                    n++;
                }
            }
        }
        return n;
    }

    private void offerFlow() {
        FrameworkCalls d = driver;
        if (d == null) {
            return;
        }
        long now = now().toEpochMilli();
        if (waiting() == 0) {
            if (!Boolean.TRUE.equals(suppressed)) {
                suppressed = true;
                d.suppress();
            }
        } else if (!Boolean.FALSE.equals(suppressed) || now - lastRevive > 5_000) {
            suppressed = false;
            lastRevive = now;
            d.revive();
        }
    }

    // ---- offers and launches ----------------------------------------------------------------------------------

    void handleOffers(FrameworkCalls d, List<Offer> offers) {
        if (!loaded || d != driver) {
            d.decline(offers.stream().map(Offer::id).toList(), 5);
            return;
        }
        step();
        Map<Offer, double[]> left = new LinkedHashMap<>();
        Map<Offer, List<TaskInfo>> launches = new LinkedHashMap<>();
        for (Offer o : offers) {
            left.put(o, new double[] {JobTasks.scalar(o, "cpus"), JobTasks.scalar(o, "mem"), JobTasks.scalar(o, "disk")});
            launches.put(o, new ArrayList<>());
        }
        List<Occurrence> queue = new ArrayList<>();
        history.values().forEach(l -> l.stream().filter(o -> o.state == Occurrence.State.WAITING)
                .forEach(queue::add));
        queue.sort(java.util.Comparator.comparing(o -> o.scheduledAt));
        for (Occurrence occ : queue) {
            Job j = jobs.get(occ.job);
            if (j == null) {
                continue;
            }
            for (Offer o : offers) {
                double[] r = left.get(o);
                if (r[0] + 1e-9 < j.cpus() || r[1] + 1e-9 < j.mem() || r[2] + 1e-9 < j.disk()
                        || !JobTasks.admits(j, o)) {
                    continue;
                }
                r[0] -= j.cpus();
                r[1] -= j.mem();
                r[2] -= j.disk();
                Occurrence.Attempt a = new Occurrence.Attempt();
                a.taskId = "ct:" + Instant.parse(occ.scheduledAt).toEpochMilli() + ":" + occ.attempts.size() + ":"
                        + j.name() + ":" + UUID.randomUUID().toString().substring(0, 8);
                a.agentId = o.agentId().value();
                a.state = "TASK_STAGING";
                a.startedAt = now().toString();
                occ.attempts.add(a);
                occ.state = Occurrence.State.LAUNCHING;
                byTask.put(a.taskId, occ);
                saveHistory(occ.job); // stored before the launch is sent
                launches.get(o).add(JobTasks.taskInfo(j, occ, a, o));
                break;
            }
        }
        for (Map.Entry<Offer, List<TaskInfo>> e : launches.entrySet()) {
            if (e.getValue().isEmpty()) {
                d.decline(List.of(e.getKey().id()), DECLINE_SECONDS);
            } else {
                LOG.info("Launching {} job tasks on {}", e.getValue().size(), e.getKey().hostname());
                d.launch(List.of(e.getKey().id()), e.getValue(), DECLINE_SECONDS);
            }
        }
        offerFlow();
    }

    // ---- status updates ---------------------------------------------------------------------------------------

    void handleUpdate(FrameworkCalls d, TaskStatus s) {
        String taskId = s.taskId().value();
        Occurrence occ = byTask.get(taskId);
        String state = s.state().name();
        if (occ == null || !taskId.equals(occ.current() == null ? null : occ.current().taskId)) {
            if (!s.state().isTerminal()) {
                LOG.info("Killing task {}, which no occurrence of a job runs", taskId);
                d.kill(s.taskId(), s.agentId(), null);
            }
            return;
        }
        Occurrence.Attempt a = occ.current();
        if (!occ.unfinished()) {
            return; // already ended (an update sent again)
        }
        boolean neverLaunched = occ.state == Occurrence.State.LAUNCHING
                && s.reason() == TaskStatus.Reason.REASON_RECONCILIATION
                && (state.equals("TASK_GONE") || state.equals("TASK_UNKNOWN") || state.equals("TASK_DROPPED"));
        if (neverLaunched) {
            // the master never had it: the launch was lost before it arrived; it is launched again, not retried
            LOG.info("Job {}: task {} was never launched ({}); launching the occurrence again", occ.job, taskId,
                    state);
            occ.attempts.remove(occ.attempts.size() - 1);
            byTask.remove(taskId);
            occ.state = Occurrence.State.WAITING;
            saveHistory(occ.job);
            offerFlow();
            return;
        }
        a.state = state;
        if (s.message() != null) {
            a.message = s.message();
        }
        switch (state) {
            case "TASK_STARTING", "TASK_RUNNING", "TASK_STAGING", "TASK_KILLING" -> {
                if (occ.state != Occurrence.State.RUNNING) {
                    occ.state = Occurrence.State.RUNNING;
                    saveHistory(occ.job);
                }
            }
            case "TASK_UNREACHABLE" -> saveHistory(occ.job);
            case "TASK_FINISHED" -> {
                a.endedAt = now().toString();
                finish(occ, true, null);
            }
            default -> {
                a.endedAt = now().toString();
                Job j = jobs.get(occ.job);
                boolean killed = state.equals("TASK_KILLED");
                if (j != null && !killed && occ.attempts.size() <= j.retries()) {
                    LOG.info("Job {}: task {} ended {}; retry {} of {}", occ.job, taskId, state,
                            occ.attempts.size(), j.retries());
                    occ.state = Occurrence.State.WAITING;
                    saveHistory(occ.job);
                    offerFlow();
                } else {
                    finish(occ, false, killed ? "killed" : state + (s.message() == null ? "" : ": " + s.message()));
                }
            }
        }
    }

    /** An occurrence ends: counted once, and on success its dependents are told. */
    private void finish(Occurrence occ, boolean success, String reason) {
        Instant at = now();
        occ.state = success ? Occurrence.State.SUCCEEDED : Occurrence.State.FAILED;
        occ.reason = reason;
        occ.endedAt = at.toString();
        saveHistory(occ.job);
        Job j = jobs.get(occ.job);
        if (j == null) {
            return;
        }
        Job counted = j.counted(success, at.toString());
        jobs.put(j.name(), counted);
        try {
            saveJob(counted);
        } catch (IOException e) {
            LOG.warn("Could not store the counters of {}: {}", j.name(), e.toString());
        }
        LOG.info("Job {}: occurrence {} {}", j.name(), occ.id, success ? "succeeded" : "failed (" + reason + ")");
        if (success) {
            parentSucceeded(j.name(), at);
        }
    }

    /** A parent succeeded: each child that now has every parent's success since its last run runs, once. */
    private void parentSucceeded(String parent, Instant at) {
        for (Job child : new ArrayList<>(jobs.values())) {
            if (child.parents() == null || !child.parents().contains(parent)) {
                continue;
            }
            Dependencies deps = dependencies.computeIfAbsent(child.name(), k -> new Dependencies());
            deps.succeeded.put(parent, at.toString());
            if (deps.succeeded.keySet().containsAll(child.parents())) {
                String id = "after:" + at;
                if (find(child.name(), id) == null) {
                    occur(child, id, "DEPENDENT", at, child.disabled() ? "disabled"
                            : !child.concurrent() && busy(child.name())
                            ? "a previous run is still going and concurrent is false" : null, null);
                }
                deps.succeeded.clear();
            }
            saveDependencies(child.name());
        }
    }

    /** Kills the running tasks of {@code job}. */
    void killTasks(String job) {
        for (Occurrence o : history.getOrDefault(job, List.of())) {
            Occurrence.Attempt a = o.current();
            if (o.unfinished() && a != null && driver != null) {
                driver.kill(new TaskId(a.taskId), a.agentId == null ? null : new AgentId(a.agentId), null);
            } else if (o.state == Occurrence.State.WAITING) {
                o.state = Occurrence.State.FAILED;
                o.reason = "killed before it started";
                o.endedAt = now().toString();
                saveHistory(job);
            }
        }
    }

    FrameworkCalls driver() {
        return driver;
    }

    ObjectNode status(String job) {
        ObjectNode n = json.createObjectNode();
        String status = "idle";
        for (Occurrence o : history.getOrDefault(job, List.of())) {
            if (o.state == Occurrence.State.RUNNING || o.state == Occurrence.State.LAUNCHING) {
                status = "running";
            } else if (o.state == Occurrence.State.WAITING && !status.equals("running")) {
                status = "queued";
            }
        }
        n.put("status", status);
        return n;
    }
}
