package io.pangaea.agent.internal;

import io.pangaea.model.HealthCheck;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the health checks of the tasks this agent runs itself (command tasks and task-group tasks; a custom executor
 * checks its own tasks, as in Mesos): HTTP, TCP and COMMAND checks of Mesos's {@code HealthCheck}. A check runs on a
 * worker; its result is judged on the state thread. Each change of a task's health goes to its framework as a
 * TASK_RUNNING update with {@code healthy} and {@code REASON_TASK_HEALTH_CHECK_STATUS_UPDATED}; after
 * {@code consecutive_failures} failures in a row the task is killed, and ends TASK_KILLED with {@code healthy}
 * false. Failures within {@code grace_period_seconds} of the start, before any success, do not count. Checks run on
 * the agent's host, against 127.0.0.1 (native containers share its network); a COMMAND check runs {@code sh -c} in
 * the task's sandbox with its environment.
 */
final class HealthChecker extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    HealthChecker(AgentContext ctx) {
        super(ctx);
    }

    /** What a task's checks have found so far (state thread). */
    static final class Health {
        final long startedNanos = System.nanoTime();
        Boolean healthy;
        boolean succeededOnce;
        int failures;
        boolean killedForIt;
        ScheduledFuture<?> next;
    }

    /** Starts the checks of a task that now runs (state thread). */
    void start(TaskRun t) {
        HealthCheck h = t.info.healthCheck();
        if (h == null || t.health != null) {
            return;
        }
        t.health = new Health();
        schedule(t, h, h.delay());
    }

    private void schedule(TaskRun t, HealthCheck h, double seconds) {
        t.health.next = state.schedule(() -> workers.execute(() -> {
            boolean ok = check(t, h);
            state.execute(() -> judge(t, h, ok));
        }), (long) (seconds * 1000), TimeUnit.MILLISECONDS);
    }

    /** Stops a task's checks (it ended). */
    void stop(TaskRun t) {
        if (t.health != null && t.health.next != null) {
            t.health.next.cancel(false);
        }
    }

    private void judge(TaskRun t, HealthCheck h, boolean ok) {
        Health health = t.health;
        if (t.state.isTerminal() || health == null || health.killedForIt) {
            return;
        }
        if (ok) {
            health.succeededOnce = true;
            health.failures = 0;
        } else {
            boolean inGrace = !health.succeededOnce
                    && System.nanoTime() - health.startedNanos < (long) (h.gracePeriod() * 1e9);
            if (inGrace) {
                schedule(t, h, h.interval());
                return;
            }
            health.failures++;
        }
        if (health.healthy == null || health.healthy != ok) {
            health.healthy = ok;
            LOG.info("Task {} is {}", t.info.taskId(), ok ? "healthy" : "unhealthy");
            ctx.statuses.health(t, TaskState.TASK_RUNNING, ok ? "Task is healthy" : "Task is unhealthy");
        }
        if (!ok && health.failures >= h.failuresToKill()) {
            health.killedForIt = true;
            LOG.info("Task {} failed {} health checks in a row: killing it", t.info.taskId(), health.failures);
            ctx.launcher.kill(t.info.taskId(), null);
            return;
        }
        schedule(t, h, h.interval());
    }

    /** One try of the check (a worker thread): true when healthy. */
    private boolean check(TaskRun t, HealthCheck h) {
        Duration timeout = Duration.ofMillis((long) (h.timeout() * 1000));
        try {
            return switch (h.kind()) {
                case HTTP -> http(h.http(), timeout);
                case TCP -> tcp(h.tcp().port(), timeout);
                case COMMAND -> command(t, h, timeout);
                default -> false;
            };
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean http(HealthCheck.Http c, Duration timeout) throws IOException, InterruptedException {
        String scheme = c.scheme() == null ? "http" : c.scheme();
        String path = c.path() == null ? "/" : c.path();
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + c.port() + path))
                .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.discarding());
        List<Integer> statuses = c.statuses();
        return statuses == null || statuses.isEmpty() ? r.statusCode() >= 200 && r.statusCode() < 400
                : statuses.contains(r.statusCode());
    }

    private static boolean tcp(int port, Duration timeout) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            return true;
        }
    }

    private static boolean command(TaskRun t, HealthCheck h, Duration timeout) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", h.command().value()).directory(t.sandbox.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (t.healthEnvironment != null) {
            pb.environment().putAll(t.healthEnvironment);
        }
        TaskLauncher.withCommandEnvironment(pb.environment(), h.command());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    /** The reason Mesos gives a health update. */
    static final TaskStatus.Reason REASON = TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED;
}
