package io.pangaea.model;

/**
 * A status update. {@code uuid} is the base64 text of the 16-byte update id; it is present on updates that must be
 * acknowledged and is echoed back by the framework exactly as received.
 */
public record TaskStatus(TaskId taskId, TaskState state, String message, Source source, Reason reason, String data,
                         AgentId agentId, ExecutorId executorId, Double timestamp, String uuid, Boolean healthy,
                         Labels labels, ContainerStatus containerStatus) {

    public enum Source { SOURCE_MASTER, SOURCE_AGENT, SOURCE_EXECUTOR }

    public enum Reason {
        REASON_COMMAND_EXECUTOR_FAILED, REASON_CONTAINER_LAUNCH_FAILED, REASON_CONTAINER_LIMITATION,
        REASON_CONTAINER_LIMITATION_DISK, REASON_CONTAINER_LIMITATION_MEMORY, REASON_CONTAINER_PREEMPTED,
        REASON_CONTAINER_UPDATE_FAILED, REASON_MAX_COMPLETION_TIME_REACHED, REASON_EXECUTOR_REGISTRATION_TIMEOUT,
        REASON_EXECUTOR_REREGISTRATION_TIMEOUT, REASON_EXECUTOR_TERMINATED, REASON_EXECUTOR_UNREGISTERED,
        REASON_FRAMEWORK_REMOVED, REASON_GC_ERROR, REASON_INVALID_FRAMEWORKID, REASON_INVALID_OFFERS,
        REASON_IO_SWITCHBOARD_EXITED, REASON_MASTER_DISCONNECTED, REASON_RECONCILIATION, REASON_RESOURCES_UNKNOWN,
        REASON_AGENT_DISCONNECTED, REASON_AGENT_REMOVED, REASON_AGENT_REMOVED_BY_OPERATOR, REASON_AGENT_REREGISTERED,
        REASON_AGENT_RESTARTED, REASON_AGENT_UNKNOWN, REASON_TASK_KILLED_DURING_LAUNCH, REASON_TASK_CHECK_STATUS_UPDATED,
        REASON_TASK_HEALTH_CHECK_STATUS_UPDATED, REASON_TASK_GROUP_INVALID, REASON_TASK_GROUP_UNAUTHORIZED,
        REASON_TASK_INVALID, REASON_TASK_UNAUTHORIZED, REASON_TASK_UNKNOWN
    }

    public record ContainerStatus(ContainerId containerId, java.util.List<NetworkInfo> networkInfos,
                                  Integer executorPid) {}

    public record NetworkInfo(java.util.List<IpAddress> ipAddresses) {}

    public record IpAddress(String protocol, String ipAddress) {}

    public TaskStatus withUuid(String newUuid) {
        return new TaskStatus(taskId, state, message, source, reason, data, agentId, executorId, timestamp, newUuid,
                healthy, labels, containerStatus);
    }

    /** The same status as the master reports it in reconciliation: no uuid, the given message and reason. */
    public TaskStatus forReconciliation(double now) {
        return new TaskStatus(taskId, state, "Reconciliation: Latest task state", Source.SOURCE_MASTER,
                Reason.REASON_RECONCILIATION, null, agentId, null, now, null, healthy, labels, containerStatus);
    }
}
