package io.pangaea.model.agentproto;

import io.pangaea.model.Attribute;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Task;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.util.List;

/** A call from an agent to the master. */
public record AgentCall(Type type, AgentId agentId, Subscribe subscribe, Update update, List<Update> updates,
                        UpdateAgent updateAgent, Message message, ExecutorExited executorExited,
                        FilesReply filesReply) {

    public enum Type { SUBSCRIBE, UPDATE, UPDATE_AGENT, MESSAGE, EXECUTOR_EXITED, PONG, FILES }

    /**
     * The agent's answer to a FILES event: the HTTP status and content type its own {@code /files/*} endpoint would
     * give, and the body (base64 {@code data}).
     */
    public record FilesReply(String requestId, int status, String contentType, String data) {}

    public static AgentCall files(AgentId id, FilesReply r) {
        return new AgentCall(Type.FILES, id, null, null, null, null, null, null, r);
    }

    /** An executor's message for its framework (base64 {@code data}). */
    public record Message(FrameworkId frameworkId, ExecutorId executorId, String data) {}

    /**
     * An executor ended: the master releases its resources and tells the framework (FAILURE). {@code status} is
     * the exit status as {@code waitpid} gives it, when known.
     */
    public record ExecutorExited(FrameworkId frameworkId, ExecutorId executorId, Integer status) {}

    /**
     * Register (no {@code agentInfo.id}) or re-register (with the id the agent was given before) together with the
     * tasks it still runs and the frameworks they belong to, so that a new master can rebuild its state.
     * {@code completedTasks} are tasks of live frameworks that ended here (as Mesos's re-registration carries its
     * completed frameworks' tasks): a new leader shows them among its completed tasks and answers reconciliation
     * for them.
     */
    public record Subscribe(AgentInfo agentInfo, List<Task> tasks, List<FrameworkInfo> frameworks,
                            List<String> capabilities, String version, List<ExecutorInfo> executors,
                            io.pangaea.model.Address address,
                            @com.fasterxml.jackson.databind.annotation.JsonDeserialize(
                                    using = ReportedTasks.Reader.class) List<Task> completedTasks) {

        public Subscribe(AgentInfo agentInfo, List<Task> tasks, List<FrameworkInfo> frameworks,
                         List<String> capabilities, String version, List<ExecutorInfo> executors,
                         io.pangaea.model.Address address) {
            this(agentInfo, tasks, frameworks, capabilities, version, executors, address, null);
        }

        /**
         * Without the agent's address: the master takes the connection's remote address (over HTTP), else the
         * agent's hostname.
         */
        public Subscribe(AgentInfo agentInfo, List<Task> tasks, List<FrameworkInfo> frameworks,
                         List<String> capabilities, String version, List<ExecutorInfo> executors) {
            this(agentInfo, tasks, frameworks, capabilities, version, executors, null);
        }

        /** The same subscription with {@code a} as the agent's address. */
        public Subscribe withAddress(io.pangaea.model.Address a) {
            return new Subscribe(agentInfo, tasks, frameworks, capabilities, version, executors, a, completedTasks);
        }
    }

    /**
     * A status update to forward to the framework. {@code latestState} is the newest state the agent knows for the
     * task, which may be ahead of {@code status} while earlier updates wait for acknowledgement.
     */
    public record Update(FrameworkId frameworkId, TaskStatus status, TaskState latestState) {}

    /**
     * What the agent offers changed while it runs (a containerizer or isolator bundle came or went): its attributes
     * from now on, which the master puts in the agent's next offers.
     */
    public record UpdateAgent(List<Attribute> attributes) {}

    public static AgentCall subscribe(Subscribe s) {
        return new AgentCall(Type.SUBSCRIBE, s.agentInfo().id(), s, null, null, null, null, null, null);
    }

    public static AgentCall updateAgent(AgentId id, List<Attribute> attributes) {
        return new AgentCall(Type.UPDATE_AGENT, id, null, null, null, new UpdateAgent(List.copyOf(attributes)), null,
                null, null);
    }

    public static AgentCall update(AgentId id, Update u) {
        return new AgentCall(Type.UPDATE, id, null, u, null, null, null, null, null);
    }

    /** Several updates in one call, applied in order; how an agent sends what piled up while a call was out. */
    public static AgentCall updates(AgentId id, List<Update> batch) {
        return new AgentCall(Type.UPDATE, id, null, null, List.copyOf(batch), null, null, null, null);
    }

    /** The answer to the master's PING: the agent is alive and reading its stream. */
    public static AgentCall pong(AgentId id) {
        return new AgentCall(Type.PONG, id, null, null, null, null, null, null, null);
    }

    public static AgentCall message(AgentId id, Message m) {
        return new AgentCall(Type.MESSAGE, id, null, null, null, null, m, null, null);
    }

    public static AgentCall executorExited(AgentId id, ExecutorExited e) {
        return new AgentCall(Type.EXECUTOR_EXITED, id, null, null, null, null, null, e, null);
    }

    /** Every update of an UPDATE call: {@code update}, then {@code updates}. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public List<Update> allUpdates() {
        List<Update> all = new java.util.ArrayList<>();
        if (update != null) {
            all.add(update);
        }
        if (updates != null) {
            all.addAll(updates);
        }
        return all;
    }
}
