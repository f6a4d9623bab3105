package io.pangaea.master.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.AgentId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.json.MesosJson;
import java.util.List;

/**
 * What a task's view in {@code /master/state} and {@code /master/tasks} is made from, taken on the loop
 * ({@link #of}), and that view ({@link #tree}), made anywhere.
 */
record LegacyTaskJson(TaskInfo info, FrameworkId frameworkId, ExecutorId executorId, AgentId agentId,
                      TaskState state, Resources resources, String role, List<TaskStatus> statuses) {

    static LegacyTaskJson of(MasterState.TaskEntry t) {
        return new LegacyTaskJson(t.info, t.frameworkId, t.executorId, t.agentId, t.state(), t.resources, t.role,
                List.copyOf(t.statuses));
    }

    ObjectNode tree() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("id", info.taskId().value());
        n.put("name", info.name() == null ? "" : info.name());
        n.put("framework_id", frameworkId.value());
        n.put("executor_id", executorId == null ? "" : executorId.value());
        n.put("slave_id", agentId.value());
        n.put("state", state.name());
        n.set("resources", MesosJson.legacy(resources));
        n.put("role", role);
        ArrayNode list = n.putArray("statuses");
        for (TaskStatus s : statuses) {
            ObjectNode sn = list.addObject();
            sn.put("state", s.state().name());
            sn.put("timestamp", s.timestamp() == null ? 0.0 : s.timestamp());
            if (s.containerStatus() != null) {
                sn.set("container_status", MesosJson.tree(s.containerStatus()));
            }
        }
        if (info.labels() != null) {
            n.set("labels", MesosJson.tree(info.labels().labels()));
        }
        return n;
    }
}
