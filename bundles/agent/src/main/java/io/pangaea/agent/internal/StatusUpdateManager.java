package io.pangaea.agent.internal;

import io.pangaea.model.FrameworkId;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Delivers status updates at least once, in order per task: only the oldest unacknowledged update of a task is in
 * flight; it is resent with a doubling back-off (10 s up to 10 min, as Mesos) until the framework acknowledges it,
 * then the next one goes. Every update carries the task's latest state so the master can free resources early.
 * Runs on the agent's single state thread.
 */
final class StatusUpdateManager {

    static final Duration RETRY_MIN = Duration.ofSeconds(10);
    static final Duration RETRY_MAX = Duration.ofMinutes(10);

    private final ScheduledExecutorService thread;
    private final Consumer<AgentCall.Update> sender;
    private final Map<TaskId, Stream> streams = new LinkedHashMap<>();

    private static final class Stream {
        final FrameworkId frameworkId;
        final ArrayDeque<TaskStatus> pending = new ArrayDeque<>();
        TaskState latest;
        ScheduledFuture<?> retry;
        Duration backoff = RETRY_MIN;

        Stream(FrameworkId frameworkId) {
            this.frameworkId = frameworkId;
        }
    }

    StatusUpdateManager(ScheduledExecutorService thread, Consumer<AgentCall.Update> sender) {
        this.thread = thread;
        this.sender = sender;
    }

    void update(FrameworkId framework, TaskStatus status) {
        Stream s = streams.computeIfAbsent(status.taskId(), k -> new Stream(framework));
        s.pending.add(status);
        s.latest = status.state();
        if (s.pending.size() == 1) {
            sendHead(s);
        }
    }

    /** The framework acknowledged {@code uuid} of {@code task}; returns true when it was the one in flight. */
    boolean acknowledge(TaskId task, String uuid) {
        Stream s = streams.get(task);
        if (s == null || s.pending.isEmpty() || !uuid.equals(s.pending.peek().uuid())) {
            return false;
        }
        s.pending.poll();
        cancel(s);
        s.backoff = RETRY_MIN;
        if (s.pending.isEmpty()) {
            streams.remove(task);
        } else {
            sendHead(s);
        }
        return true;
    }

    /** Resends every task's oldest update at once (after (re-)registering with a master). */
    void flush() {
        for (Stream s : streams.values()) {
            cancel(s);
            s.backoff = RETRY_MIN;
            sendHead(s);
        }
    }

    /** Drops the updates of a framework that is gone. */
    void forget(FrameworkId framework) {
        streams.values().removeIf(s -> {
            if (s.frameworkId.equals(framework)) {
                cancel(s);
                return true;
            }
            return false;
        });
    }

    boolean hasPending(TaskId task) {
        return streams.containsKey(task);
    }

    List<TaskStatus> pending(TaskId task) {
        Stream s = streams.get(task);
        return s == null ? List.of() : List.copyOf(s.pending);
    }

    int size() {
        return streams.values().stream().mapToInt(s -> s.pending.size()).sum();
    }

    private void sendHead(Stream s) {
        TaskStatus head = s.pending.peek();
        if (head == null) {
            return;
        }
        sender.accept(new AgentCall.Update(s.frameworkId, head, s.latest));
        Duration wait = s.backoff;
        s.backoff = s.backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : s.backoff.multipliedBy(2);
        s.retry = thread.schedule(() -> sendHead(s), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void cancel(Stream s) {
        if (s.retry != null) {
            s.retry.cancel(false);
            s.retry = null;
        }
    }
}
