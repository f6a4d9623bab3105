package io.pangaea.model.agentproto;

import io.pangaea.model.AgentId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.TaskInfo;

/** A command from the master to an agent, on the agent's subscription stream. */
public record AgentEvent(Type type, Registered registered, Launch launch, Kill kill,
                         ShutdownFramework shutdownFramework, Acknowledge acknowledge, Error error,
                         LaunchGroup launchGroup, Message message, ShutdownExecutor shutdownExecutor,
                         DestroyVolume destroyVolume, Files files) {

    public enum Type {
        REGISTERED, LAUNCH, LAUNCH_GROUP, KILL, SHUTDOWN_FRAMEWORK, SHUTDOWN_EXECUTOR, ACKNOWLEDGE, MESSAGE,
        DESTROY_VOLUME, HEARTBEAT, PING, ERROR, FILES
    }

    /**
     * The master asks for the agent's files on behalf of an HTTP client (the Web UI's sandbox pages), so that the
     * client talks only to the master: {@code operation} is {@code browse}, {@code read} or {@code download}, with the
     * parameters of the agent's {@code /files/*} endpoints. The agent answers with a FILES call naming
     * {@code requestId}.
     */
    public record Files(String requestId, String operation, String path, Long offset, Long length) {}

    public static AgentEvent files(Files f) {
        return new AgentEvent(Type.FILES, null, null, null, null, null, null, null, null, null, null, f);
    }

    /** Tasks to run together under the executor (the default executor). */
    public record LaunchGroup(FrameworkInfo frameworkInfo, ExecutorInfo executor, TaskGroupInfo taskGroup) {}

    /** A framework's message for one of its executors (base64 {@code data}). */
    public record Message(FrameworkId frameworkId, ExecutorId executorId, String data) {}

    /** A persistent volume was destroyed: the agent deletes its data. */
    public record DestroyVolume(String role, String persistenceId) {}

    /** The framework asks the executor to shut down. */
    public record ShutdownExecutor(FrameworkId frameworkId, ExecutorId executorId) {}

    /**
     * The master took the agent's subscription. {@code totalPingTimeoutSeconds} (Mesos's
     * {@code MasterSlaveConnection.total_ping_timeout_seconds}) is how long the agent may go without hearing from the
     * master (a PING or any other event) before it drops the connection and finds the leader again.
     */
    public record Registered(AgentId agentId, MasterInfo masterInfo, Double heartbeatIntervalSeconds,
                             Double totalPingTimeoutSeconds) {}

    public record Launch(FrameworkInfo frameworkInfo, TaskInfo task) {}

    public record Kill(FrameworkId frameworkId, TaskId taskId, KillPolicy killPolicy) {}

    public record ShutdownFramework(FrameworkId frameworkId) {}

    public record Acknowledge(FrameworkId frameworkId, TaskId taskId, String uuid) {}

    public record Error(String message) {}

    public static final AgentEvent HEARTBEAT = new AgentEvent(Type.HEARTBEAT, null, null, null, null, null, null,
            null, null, null, null, null);

    /**
     * The master's health check: the agent answers with a PONG call. Sent every {@code agent_ping_timeout}; an agent
     * that misses {@code max_agent_ping_timeouts} in a row is taken for unreachable.
     */
    public static final AgentEvent PING = new AgentEvent(Type.PING, null, null, null, null, null, null,
            null, null, null, null, null);

    public static AgentEvent registered(Registered r) {
        return new AgentEvent(Type.REGISTERED, r, null, null, null, null, null, null, null, null, null, null);
    }

    public static AgentEvent launch(Launch l) {
        return new AgentEvent(Type.LAUNCH, null, l, null, null, null, null, null, null, null, null, null);
    }

    public static AgentEvent kill(Kill k) {
        return new AgentEvent(Type.KILL, null, null, k, null, null, null, null, null, null, null, null);
    }

    public static AgentEvent shutdownFramework(FrameworkId id) {
        return new AgentEvent(Type.SHUTDOWN_FRAMEWORK, null, null, null, new ShutdownFramework(id), null, null, null,
                null, null, null, null);
    }

    public static AgentEvent acknowledge(Acknowledge a) {
        return new AgentEvent(Type.ACKNOWLEDGE, null, null, null, null, a, null, null, null, null, null, null);
    }

    public static AgentEvent error(String message) {
        return new AgentEvent(Type.ERROR, null, null, null, null, null, new Error(message), null, null, null, null, null);
    }

    public static AgentEvent launchGroup(LaunchGroup l) {
        return new AgentEvent(Type.LAUNCH_GROUP, null, null, null, null, null, null, l, null, null, null, null);
    }

    public static AgentEvent message(Message m) {
        return new AgentEvent(Type.MESSAGE, null, null, null, null, null, null, null, m, null, null, null);
    }

    public static AgentEvent shutdownExecutor(FrameworkId framework, ExecutorId executor) {
        return new AgentEvent(Type.SHUTDOWN_EXECUTOR, null, null, null, null, null, null, null, null,
                new ShutdownExecutor(framework, executor), null, null);
    }

    public static AgentEvent destroyVolume(DestroyVolume d) {
        return new AgentEvent(Type.DESTROY_VOLUME, null, null, null, null, null, null, null, null, null, d, null);
    }
}
