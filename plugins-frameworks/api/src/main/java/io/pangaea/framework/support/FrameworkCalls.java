package io.pangaea.framework.support;

import io.pangaea.model.AgentId;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.scheduler.Call;
import io.pangaea.scheduler.SchedulerDriver;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The calls an adapter makes to the master, so that its decisions can be unit-tested with a recording stand-in:
 * {@link #of} gives the scheduler library's.
 */
public interface FrameworkCalls {

    CompletableFuture<Void> launch(List<OfferId> offerIds, List<TaskInfo> tasks, double refuseSeconds);

    CompletableFuture<Void> decline(List<OfferId> offerIds, double refuseSeconds);

    CompletableFuture<Void> kill(TaskId taskId, AgentId agentId, KillPolicy policy);

    CompletableFuture<Void> suppress();

    CompletableFuture<Void> revive();

    CompletableFuture<Void> reconcile(List<Call.Reconcile.ReconcileTask> tasks);

    /** The calls of the scheduler library's driver {@code d}. */
    static FrameworkCalls of(SchedulerDriver d) {
        return new FrameworkCalls() {
            @Override
            public CompletableFuture<Void> launch(List<OfferId> offerIds, List<TaskInfo> tasks, double refuse) {
                return d.launch(offerIds, tasks, refuse);
            }

            @Override
            public CompletableFuture<Void> decline(List<OfferId> offerIds, double refuseSeconds) {
                return d.decline(offerIds, refuseSeconds);
            }

            @Override
            public CompletableFuture<Void> kill(TaskId taskId, AgentId agentId, KillPolicy policy) {
                return d.kill(taskId, agentId, policy);
            }

            @Override
            public CompletableFuture<Void> suppress() {
                return d.suppress();
            }

            @Override
            public CompletableFuture<Void> revive() {
                return d.revive();
            }

            @Override
            public CompletableFuture<Void> reconcile(List<Call.Reconcile.ReconcileTask> tasks) {
                return d.reconcile(tasks);
            }
        };
    }

    /**
     * Gives one {@link FrameworkCalls} per driver, so that a callback can tell whether it comes from the current
     * subscription by identity. Thread-safe.
     */
    final class PerDriver {
        private SchedulerDriver lastDriver;
        private FrameworkCalls lastCalls;

        public synchronized FrameworkCalls of(SchedulerDriver d) {
            if (d != lastDriver) {
                lastDriver = d;
                lastCalls = FrameworkCalls.of(d);
            }
            return lastCalls;
        }
    }
}
