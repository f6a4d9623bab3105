package io.pangaea.framework.services.internal;

import io.pangaea.model.AgentId;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.scheduler.Call;
import io.pangaea.scheduler.SchedulerDriver;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The calls the services runner makes to the master: the scheduler library's, or a test's record of them. */
interface Calls {

    CompletableFuture<Void> launch(List<OfferId> offerIds, List<TaskInfo> tasks, double refuseSeconds);

    CompletableFuture<Void> decline(List<OfferId> offerIds, double refuseSeconds);

    CompletableFuture<Void> kill(TaskId taskId, AgentId agentId, KillPolicy policy);

    CompletableFuture<Void> suppress();

    CompletableFuture<Void> revive();

    CompletableFuture<Void> reconcile(List<Call.Reconcile.ReconcileTask> tasks);

    static Calls of(SchedulerDriver d) {
        return new Calls() {
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
}
