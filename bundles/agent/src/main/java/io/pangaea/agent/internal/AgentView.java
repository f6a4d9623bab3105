package io.pangaea.agent.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.agent.internal.Agent.TaskRun;
import io.pangaea.model.Attribute;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.json.MesosJson;
import java.util.List;
import java.util.Map;

/** The agent's read endpoints in the Mesos 1.11 shape; built on the agent's state thread. */
public final class AgentView {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final Agent agent;
    private final List<TaskRun> tasks;
    private final Map<FrameworkId, FrameworkInfo> frameworks;

    AgentView(Agent agent, List<TaskRun> tasks, Map<FrameworkId, FrameworkInfo> frameworks) {
        this.agent = agent;
        this.tasks = tasks;
        this.frameworks = frameworks;
    }

    public ObjectNode state() {
        AgentConfig c = agent.config();
        ObjectNode n = F.objectNode();
        n.put("version", "1.11.0");
        n.put("git_branch", "");
        n.put("build_date", "");
        n.put("build_time", 0.0);
        n.put("build_user", "");
        n.put("start_time", agent.startTime());
        n.put("id", agent.agentId() == null ? "" : agent.agentId().value());
        n.put("pid", "slave(1)@" + c.ip() + ":" + c.port());
        n.put("hostname", c.hostname());
        ArrayNode caps = n.putArray("capabilities");
        caps.add("MULTI_ROLE").add("HIERARCHICAL_ROLE").add("RESERVATION_REFINEMENT");
        n.set("resources", MesosJson.legacy(c.resources()));
        n.putObject("reserved_resources");
        n.set("unreserved_resources", MesosJson.legacy(c.resources().unreserved()));
        n.putObject("reserved_resources_full");
        n.set("unreserved_resources_full", MesosJson.tree(c.resources().unreserved().toList()));
        Resources used = Resources.EMPTY;
        for (TaskRun t : tasks) {
            if (!t.state.isTerminal()) {
                used = used.plus(Resources.of(t.info.resources()).unallocated());
            }
        }
        n.putObject("reserved_resources_allocated");
        n.set("unreserved_resources_allocated", MesosJson.legacy(used));
        ObjectNode attrs = n.putObject("attributes");
        for (Attribute a : agent.attributes()) {
            Object v = a.plainValue();
            if (v instanceof Double d) {
                attrs.put(a.name(), d);
            } else if (v != null) {
                attrs.put(a.name(), v.toString());
            }
        }
        n.put("master_hostname", c.master());
        n.put("registered", agent.registered());
        ObjectNode flags = n.putObject("flags");
        flags.put("master", c.master());
        flags.put("port", Integer.toString(c.port()));
        flags.put("work_dir", c.workDir().toString());
        flags.put("resources", c.resources().toString());
        flags.put("isolation", String.join(",", c.isolation()));
        flags.put("containerizers", String.join(",", c.containerizers()));
        ArrayNode fws = n.putArray("frameworks");
        for (FrameworkInfo f : frameworks.values()) {
            ObjectNode fn = fws.addObject();
            fn.put("id", f.id().value());
            fn.put("name", f.name());
            fn.put("user", f.user());
            ArrayNode executors = fn.putArray("executors");
            for (TaskRun t : tasks) {
                if (!t.frameworkId.equals(f.id())) {
                    continue;
                }
                ObjectNode e = executors.addObject();
                e.put("id", t.info.taskId().value());
                e.put("name", "Command Executor (Task: " + t.info.taskId().value() + ")");
                e.put("source", t.info.taskId().value());
                e.put("container", t.containerId.value());
                e.put("directory", t.sandbox.toString());
                ArrayNode ts = e.putArray(t.state.isTerminal() ? "completed_tasks" : "tasks");
                ObjectNode tn = ts.addObject();
                tn.put("id", t.info.taskId().value());
                tn.put("name", t.info.name() == null ? "" : t.info.name());
                tn.put("framework_id", t.frameworkId.value());
                tn.put("executor_id", "");
                tn.put("slave_id", agent.agentId().value());
                tn.put("state", t.state.name());
                tn.set("resources", MesosJson.legacy(Resources.of(t.info.resources())));
                ArrayNode st = tn.putArray("statuses");
                for (TaskStatus s : t.statuses) {
                    ObjectNode sn = st.addObject();
                    sn.put("state", s.state().name());
                    sn.put("timestamp", s.timestamp());
                }
            }
        }
        n.putArray("completed_frameworks");
        return n;
    }

    /** {@code /monitor/statistics}: one entry per running container, Mesos field names. */
    public static ArrayNode statistics(List<Agent.ContainerUsage> containers) {
        ArrayNode arr = F.arrayNode();
        for (Agent.ContainerUsage c : containers) {
            ObjectNode e = arr.addObject();
            e.put("executor_id", c.taskId().value());
            e.put("executor_name", c.executorName());
            e.put("framework_id", c.frameworkId().value());
            e.put("source", c.taskId().value());
            e.set("statistics", MesosJson.tree(c.statistics()));
        }
        return arr;
    }

    /** The v1 operator API's GET_CONTAINERS response. */
    public static ObjectNode getContainers(List<Agent.ContainerUsage> containers) {
        ObjectNode r = F.objectNode().put("type", "GET_CONTAINERS");
        ArrayNode arr = r.putObject("get_containers").putArray("containers");
        for (Agent.ContainerUsage c : containers) {
            ObjectNode e = arr.addObject();
            e.putObject("framework_id").put("value", c.frameworkId().value());
            e.putObject("executor_id").put("value", c.taskId().value());
            e.put("executor_name", c.executorName());
            e.putObject("container_id").put("value", c.containerId().value());
            e.set("resource_statistics", MesosJson.tree(c.statistics()));
        }
        return r;
    }
}
