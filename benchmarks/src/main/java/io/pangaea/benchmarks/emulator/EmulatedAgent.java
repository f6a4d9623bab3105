package io.pangaea.benchmarks.emulator;

import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One emulated agent: what a real agent says to the master, without containers. It registers (or re-registers with
 * its tasks, its completed tasks and their frameworks), answers PINGs, runs a launched task at once (TASK_RUNNING,
 * then TASK_FINISHED after the fleet's task duration), kills on KILL and SHUTDOWN_FRAMEWORK, and delivers each
 * task's status updates one after another until acknowledged, sending them again when they are not.
 * Its methods are called from the fleet's network and timer threads; the agent's state is guarded by its monitor.
 */
final class EmulatedAgent {

    /** A task here: its info, its framework and its updates not yet acknowledged (the first is out). */
    static final class Run {
        final TaskInfo info;
        final FrameworkId frameworkId;
        TaskState state;
        final List<TaskStatus> statuses = new ArrayList<>();
        final ArrayDeque<TaskStatus> unacked = new ArrayDeque<>();
        long sentAt;
        /** Resends of the update now out: the next waits twice as long (Mesos: 10 s, doubling to 10 min). */
        int resends;

        Run(TaskInfo info, FrameworkId frameworkId) {
            this.info = info;
            this.frameworkId = frameworkId;
        }
    }

    final int index;
    final String hostname;
    private final AgentEmulator fleet;
    private final AgentInfo info;
    private AgentId id;
    /** Live tasks, and terminal ones whose last update is not acknowledged yet. */
    private final Map<TaskId, Run> tasks = new LinkedHashMap<>();
    /** Tasks that ended here and were acknowledged, newest last, at most the fleet's bound. */
    private final ArrayDeque<Task> completed = new ArrayDeque<>();
    private final Map<FrameworkId, FrameworkInfo> frameworks = new HashMap<>();
    /** The SUBSCRIBE call as last encoded; null when the tasks changed since. */
    private byte[] subscription;
    private byte[] pong;
    /** The stream the master's events come on now (its number); an event of an older one is ignored. */
    private long stream;
    boolean registered;
    /** When the master last said REGISTERED (System.nanoTime). */
    volatile long registeredAt;
    /** Failed subscriptions in a row (the backoff grows with them). */
    int failures;

    EmulatedAgent(AgentEmulator fleet, int index, AgentInfo info) {
        this.fleet = fleet;
        this.index = index;
        this.hostname = info.hostname();
        this.info = info;
    }

    /** Tasks it runs from the start, as an agent that comes back from a restart reports them (before registering). */
    synchronized void preload(FrameworkInfo framework, List<Task> running, List<Task> done) {
        frameworks.put(framework.id(), framework);
        for (Task t : running) {
            Run r = new Run(new TaskInfo(t.name(), t.taskId(), null, t.resources(), null, null, null, null, null,
                    t.labels(), null), t.frameworkId());
            r.state = t.state();
            r.statuses.addAll(t.statuses());
            tasks.put(t.taskId(), r);
        }
        completed.addAll(done);
        subscription = null;
    }

    /** Gives the agent the id the master gave it before (a restart with recovery). */
    synchronized void recoverAs(AgentId previous) {
        id = previous;
        subscription = null;
    }

    synchronized AgentId id() {
        return id;
    }

    /** The SUBSCRIBE call to send now (encoded once for as long as the tasks do not change). */
    synchronized byte[] subscription(long streamNumber) {
        stream = streamNumber;
        registered = false;
        if (subscription == null) {
            List<Task> running = new ArrayList<>(tasks.size());
            for (Run r : tasks.values()) {
                running.add(task(r));
            }
            AgentCall.Subscribe s = new AgentCall.Subscribe(info.withId(id), running,
                    List.copyOf(frameworks.values()), List.of("MULTI_ROLE", "HIERARCHICAL_ROLE"),
                    "pangaea-emulator", List.of(), null, List.copyOf(completed));
            subscription = MesosJson.write(AgentCall.subscribe(s));
        }
        return subscription;
    }

    private Task task(Run r) {
        TaskStatus last = r.statuses.isEmpty() ? null : r.statuses.get(r.statuses.size() - 1);
        return new Task(r.info.name(), r.info.taskId(), r.frameworkId, null, id, r.state, r.info.resources(),
                List.copyOf(r.statuses), last == null ? null : last.state(), last == null ? null : last.uuid(),
                r.info.labels(), r.info.container(), null);
    }

    /** One event from the master on stream {@code streamNumber}. */
    void onEvent(long streamNumber, AgentEvent e) {
        List<byte[]> out = new ArrayList<>(2);
        synchronized (this) {
            if (streamNumber != stream || e.type() == null) {
                return;
            }
            switch (e.type()) {
                case REGISTERED -> {
                    if (!e.registered().agentId().equals(id)) {
                        id = e.registered().agentId();
                        subscription = null;
                        pong = null;
                    }
                    registered = true;
                    failures = 0;
                    registeredAt = System.nanoTime();
                    // what waits for an acknowledgement goes again to this master
                    for (Run r : tasks.values()) {
                        if (!r.unacked.isEmpty()) {
                            out.add(update(r, r.unacked.peekFirst()));
                        }
                    }
                }
                case PING -> {
                    if (pong == null && id != null) {
                        pong = MesosJson.write(AgentCall.pong(id));
                    }
                    if (pong != null) {
                        out.add(pong);
                    }
                }
                case LAUNCH -> launch(e.launch().frameworkInfo(), e.launch().task(), out);
                case LAUNCH_GROUP -> e.launchGroup().taskGroup().tasks()
                        .forEach(t -> launch(e.launchGroup().frameworkInfo(), t, out));
                case KILL -> kill(e.kill().frameworkId(), e.kill().taskId(), out);
                case SHUTDOWN_FRAMEWORK -> {
                    FrameworkId f = e.shutdownFramework().frameworkId();
                    for (Run r : List.copyOf(tasks.values())) {
                        if (r.frameworkId.equals(f)) {
                            kill(f, r.info.taskId(), out);
                        }
                    }
                }
                case ACKNOWLEDGE -> acknowledge(e.acknowledge(), out);
                case ERROR -> fleet.refused(this, e.error() == null ? "" : e.error().message());
                default -> { }
            }
        }
        out.forEach(fleet::post);
    }

    private void launch(FrameworkInfo framework, TaskInfo task, List<byte[]> out) {
        if (task == null || tasks.containsKey(task.taskId())) {
            return;
        }
        frameworks.putIfAbsent(framework.id(), framework);
        Run r = new Run(task, framework.id());
        r.state = TaskState.TASK_STARTING;
        tasks.put(task.taskId(), r);
        fleet.launched.increment();
        fleet.onLaunch(task.taskId());
        queue(r, TaskState.TASK_RUNNING, out);
        long duration = fleet.taskDuration();
        if (duration >= 0) {
            fleet.timer.schedule(() -> finish(task.taskId()), duration, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private void finish(TaskId taskId) {
        List<byte[]> out = new ArrayList<>(1);
        synchronized (this) {
            Run r = tasks.get(taskId);
            if (r == null || r.state.isTerminal()) {
                return;
            }
            queue(r, TaskState.TASK_FINISHED, out);
        }
        out.forEach(fleet::post);
    }

    private void kill(FrameworkId framework, TaskId taskId, List<byte[]> out) {
        Run r = tasks.get(taskId);
        if (r == null) {
            // a task this agent does not know: the master learns it is lost (as an agent answers a kill of one)
            Run gone = new Run(new TaskInfo("", taskId, null, List.of(), null, null, null, null, null, null, null),
                    framework);
            gone.state = TaskState.TASK_STARTING;
            tasks.put(taskId, gone);
            queue(gone, TaskState.TASK_LOST, out);
            return;
        }
        if (!r.state.isTerminal()) {
            queue(r, TaskState.TASK_KILLED, out);
        }
    }

    /** A new state for the task; its update goes out now unless an earlier one awaits its acknowledgement. */
    private void queue(Run r, TaskState state, List<byte[]> out) {
        byte[] raw = new byte[16];
        ThreadLocalRandom.current().nextBytes(raw);
        TaskStatus s = new TaskStatus(r.info.taskId(), state, null, TaskStatus.Source.SOURCE_EXECUTOR, null, null,
                id, null, System.currentTimeMillis() / 1000.0, Base64.getEncoder().encodeToString(raw), null, null,
                null);
        r.state = state;
        r.statuses.add(s);
        if (r.statuses.size() > 3) {
            r.statuses.remove(0); // the newest few are what a re-registration needs
        }
        subscription = null;
        r.unacked.addLast(s);
        if (state.isTerminal()) {
            fleet.ended.increment();
        } else if (state == TaskState.TASK_RUNNING) {
            fleet.running.increment();
        }
        if (r.unacked.size() == 1 && registered) {
            out.add(update(r, s));
        }
    }

    private byte[] update(Run r, TaskStatus s) {
        r.sentAt = System.nanoTime();
        return MesosJson.write(AgentCall.update(id, new AgentCall.Update(r.frameworkId, s, r.state)));
    }

    private void acknowledge(AgentEvent.Acknowledge a, List<byte[]> out) {
        Run r = tasks.get(a.taskId());
        if (r == null || r.unacked.isEmpty() || !r.unacked.peekFirst().uuid().equals(a.uuid())) {
            return; // a duplicate: it was acknowledged before
        }
        r.unacked.removeFirst();
        r.resends = 0;
        fleet.acknowledged.increment();
        if (!r.unacked.isEmpty()) {
            out.add(update(r, r.unacked.peekFirst()));
        } else if (r.state.isTerminal()) {
            tasks.remove(a.taskId());
            completed.addLast(task(r));
            while (completed.size() > fleet.maxCompleted) {
                completed.removeFirst();
            }
            subscription = null;
        }
    }

    /**
     * Sends again the updates that have waited longer than {@code afterNanos} for their acknowledgement, twice as
     * long after each resend of the same update (a fixed interval fed a storm: resends of updates whose
     * acknowledgements were only late became more work for the master and the frameworks).
     */
    void resendOlderThan(long afterNanos) {
        List<byte[]> out = new ArrayList<>();
        synchronized (this) {
            if (!registered) {
                return;
            }
            long now = System.nanoTime();
            for (Run r : tasks.values()) {
                if (!r.unacked.isEmpty() && now - r.sentAt > Math.min(afterNanos << Math.min(r.resends, 6),
                        600_000_000_000L)) {
                    out.add(update(r, r.unacked.peekFirst()));
                    r.resends++;
                    fleet.resent.increment();
                }
            }
        }
        out.forEach(fleet::post);
    }

    /** The stream ended: nothing more counts on it until the next SUBSCRIBE. */
    synchronized void disconnected(long streamNumber) {
        if (streamNumber == stream) {
            registered = false;
        }
    }
}
