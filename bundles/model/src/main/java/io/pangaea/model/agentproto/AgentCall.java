package io.pangaea.model.agentproto;

import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Task;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.util.List;

/** A call from an agent to the master. */
public record AgentCall(Type type, AgentId agentId, Subscribe subscribe, Update update) {

    public enum Type { SUBSCRIBE, UPDATE }

    /**
     * Register (no {@code agentInfo.id}) or re-register (with the id the agent was given before) together with the
     * tasks it still runs and the frameworks they belong to, so that a new master can rebuild its state.
     */
    public record Subscribe(AgentInfo agentInfo, List<Task> tasks, List<FrameworkInfo> frameworks,
                            List<String> capabilities, String version) {}

    /**
     * A status update to forward to the framework. {@code latestState} is the newest state the agent knows for the
     * task, which may be ahead of {@code status} while earlier updates wait for acknowledgement.
     */
    public record Update(FrameworkId frameworkId, TaskStatus status, TaskState latestState) {}

    public static AgentCall subscribe(Subscribe s) {
        return new AgentCall(Type.SUBSCRIBE, s.agentInfo().id(), s, null);
    }

    public static AgentCall update(AgentId id, Update u) {
        return new AgentCall(Type.UPDATE, id, null, u);
    }
}
