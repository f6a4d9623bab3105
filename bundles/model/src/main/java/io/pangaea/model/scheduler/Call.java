package io.pangaea.model.scheduler;

import io.pangaea.model.AgentId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.Filters;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.OfferId;
import io.pangaea.model.OperationId;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import java.util.List;

/** A call from a scheduler to the master ({@code POST /api/v1/scheduler}). */
public record Call(FrameworkId frameworkId, Type type, Subscribe subscribe, Accept accept, Decline decline,
                   Revive revive, Suppress suppress, Kill kill, Shutdown shutdown, Acknowledge acknowledge,
                   Reconcile reconcile, Message message, Request request, InverseOffers acceptInverseOffers,
                   InverseOffers declineInverseOffers, AcknowledgeOperationStatus acknowledgeOperationStatus,
                   ReconcileOperations reconcileOperations, UpdateFramework updateFramework) {

    /** A call without the inverse-offer, operation and UPDATE_FRAMEWORK messages. */
    public Call(FrameworkId frameworkId, Type type, Subscribe subscribe, Accept accept, Decline decline,
                Revive revive, Suppress suppress, Kill kill, Shutdown shutdown, Acknowledge acknowledge,
                Reconcile reconcile, Message message, Request request) {
        this(frameworkId, type, subscribe, accept, decline, revive, suppress, kill, shutdown, acknowledge, reconcile,
                message, request, null, null, null, null, null);
    }

    /** ACCEPT_INVERSE_OFFERS and DECLINE_INVERSE_OFFERS. */
    public record InverseOffers(List<OfferId> inverseOfferIds, Filters filters) {}

    public record AcknowledgeOperationStatus(AgentId agentId, String uuid, OperationId operationId) {}

    public record ReconcileOperations(List<ReconcileOperation> operations) {
        public record ReconcileOperation(OperationId operationId, AgentId agentId) {}
    }

    /** UPDATE_FRAMEWORK: the framework's new FrameworkInfo (same id) and the roles to suppress from now on. */
    public record UpdateFramework(FrameworkInfo frameworkInfo, List<String> suppressedRoles) {}

    public enum Type {
        UNKNOWN, SUBSCRIBE, TEARDOWN, ACCEPT, DECLINE, ACCEPT_INVERSE_OFFERS, DECLINE_INVERSE_OFFERS, REVIVE, KILL,
        SHUTDOWN, ACKNOWLEDGE, ACKNOWLEDGE_OPERATION_STATUS, RECONCILE, RECONCILE_OPERATIONS, MESSAGE, REQUEST,
        SUPPRESS, UPDATE_FRAMEWORK
    }

    public record Subscribe(FrameworkInfo frameworkInfo, List<String> suppressedRoles) {}

    public record Accept(List<OfferId> offerIds, List<Operation> operations, Filters filters) {}

    public record Decline(List<OfferId> offerIds, Filters filters) {}

    public record Revive(List<String> roles) {}

    public record Suppress(List<String> roles) {}

    public record Kill(TaskId taskId, AgentId agentId, KillPolicy killPolicy) {}

    public record Shutdown(ExecutorId executorId, AgentId agentId) {}

    public record Acknowledge(AgentId agentId, TaskId taskId, String uuid) {}

    public record Reconcile(List<ReconcileTask> tasks) {
        public record ReconcileTask(TaskId taskId, AgentId agentId) {}
    }

    public record Message(AgentId agentId, ExecutorId executorId, String data) {}

    public record Request(List<Object> requests) {}

    /** An offer operation ({@code Offer.Operation}). */
    public record Operation(Type type, OperationId id, Launch launch, LaunchGroup launchGroup, Reserve reserve,
                            Unreserve unreserve, Create create, Destroy destroy, GrowVolume growVolume,
                            ShrinkVolume shrinkVolume) {

        /** Without GROW_VOLUME and SHRINK_VOLUME. */
        public Operation(Type type, OperationId id, Launch launch, LaunchGroup launchGroup, Reserve reserve,
                         Unreserve unreserve, Create create, Destroy destroy) {
            this(type, id, launch, launchGroup, reserve, unreserve, create, destroy, null, null);
        }

        /** A persistent volume made bigger by {@code addition}, reserved disk of the same reservation. */
        public record GrowVolume(Resource volume, Resource addition) {}

        /** A persistent volume made smaller by {@code subtract}, which becomes reserved disk again. */
        public record ShrinkVolume(Resource volume, io.pangaea.model.Scalar subtract) {}
        public enum Type {
            UNKNOWN, LAUNCH, LAUNCH_GROUP, RESERVE, UNRESERVE, CREATE, DESTROY, GROW_VOLUME, SHRINK_VOLUME,
            CREATE_DISK, DESTROY_DISK
        }

        public record Launch(List<TaskInfo> taskInfos) {}

        public record LaunchGroup(io.pangaea.model.ExecutorInfo executor, io.pangaea.model.TaskGroupInfo taskGroup) {}

        public record Reserve(List<Resource> resources) {}

        public record Unreserve(List<Resource> resources) {}

        /** Persistent volumes to make out of reserved disk. */
        public record Create(List<Resource> volumes) {}

        /** Persistent volumes to turn back into reserved disk (their data is deleted). */
        public record Destroy(List<Resource> volumes) {}
    }

    public static Call of(FrameworkId id, Type type) {
        return new Call(id, type, null, null, null, null, null, null, null, null, null, null, null);
    }
}
