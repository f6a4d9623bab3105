package io.pangaea.agent.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.agent.internal.TaskRun;
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
    private final Map<FrameworkId, ? extends java.util.Collection<CompletedHistory.CompletedExecutor>> completedExecutors;
    private final List<CompletedHistory.CompletedFramework> completedFrameworks;

    AgentView(Agent agent, List<TaskRun> tasks, Map<FrameworkId, FrameworkInfo> frameworks,
              Map<FrameworkId, ? extends java.util.Collection<CompletedHistory.CompletedExecutor>> completedExecutors,
              List<CompletedHistory.CompletedFramework> completedFrameworks) {
        this.agent = agent;
        this.tasks = tasks;
        this.frameworks = frameworks;
        this.completedExecutors = completedExecutors;
        this.completedFrameworks = completedFrameworks;
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
        n.set("attributes", MesosJson.legacyAttributes(agent.attributes()));
        n.put("master_hostname", agent.masterHost());
        n.put("registered", agent.registered());
        n.set("flags", flags());
        n.putArray("resource_providers");
        // grouped once, so that the page costs one pass however many frameworks there are
        Map<FrameworkId, List<ExecutorRun>> liveByFramework = new java.util.HashMap<>();
        agent.liveExecutors().forEach(e -> liveByFramework.computeIfAbsent(e.framework.id(),
                k -> new java.util.ArrayList<>()).add(e));
        Map<FrameworkId, List<TaskRun>> commandTasks = new java.util.HashMap<>();
        tasks.stream().filter(t -> t.executor == null).forEach(t -> commandTasks.computeIfAbsent(t.frameworkId,
                k -> new java.util.ArrayList<>()).add(t));
        ArrayNode fws = n.putArray("frameworks");
        for (FrameworkInfo f : frameworks.values()) {
            ObjectNode fn = legacyFramework(fws.addObject(), f);
            ArrayNode executors = fn.putArray("executors");
            for (ExecutorRun e : liveByFramework.getOrDefault(f.id(), List.of())) {
                legacyExecutor(executors.addObject(), e.info.executorId().value(), e.info.name(),
                        e.info.source(), e.containerId.value(), e.sandbox.toString(),
                        e.size.isEmpty() ? Resources.of(e.info.resources()) : e.size, e.tasks.values(),
                        e.completedTasks);
            }
            for (TaskRun t : commandTasks.getOrDefault(f.id(), List.of())) {
                legacyCommandExecutor(executors.addObject(), t);
            }
            java.util.Collection<CompletedHistory.CompletedExecutor> ended = completedExecutors.get(f.id());
            legacyCompletedExecutors(fn.putArray("completed_executors"), ended == null ? List.of() : ended);
        }
        ArrayNode completed = n.putArray("completed_frameworks");
        for (CompletedHistory.CompletedFramework f : completedFrameworks) {
            ObjectNode fn = legacyFramework(completed.addObject(), f.info());
            fn.putArray("executors");
            legacyCompletedExecutors(fn.putArray("completed_executors"), f.executors());
        }
        return n;
    }

    /** The agent's settings under Mesos's flag names, each a string as Mesos prints flags. */
    public ObjectNode flags() {
        AgentConfig c = agent.config();
        ObjectNode flags = F.objectNode();
        flags.put("master", c.master());
        flags.put("ip", c.ip());
        flags.put("port", Integer.toString(c.port()));
        flags.put("hostname", c.hostname());
        flags.put("work_dir", c.workDir().toString());
        flags.put("resources", c.resources().toString());
        if (!c.attributes().isEmpty()) {
            flags.put("attributes", String.join(";", c.attributes().stream().map(a -> a.name() + ":"
                    + (a.plainValue() instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue())
                    : String.valueOf(a.plainValue()))).toList()));
        }
        flags.put("isolation", String.join(",", c.isolation()));
        flags.put("containerizers", String.join(",", c.containerizers()));
        flags.put("executor_registration_timeout", io.pangaea.model.Durations.format(
                c.executorRegistrationTimeout()));
        flags.put("executor_reregistration_timeout", io.pangaea.model.Durations.format(
                c.executorReregistrationTimeout()));
        flags.put("executor_shutdown_grace_period", io.pangaea.model.Durations.format(c.killGracePeriod()));
        flags.put("fetcher_cache_dir", c.fetcherCacheDir().toString());
        flags.put("fetcher_cache_size", io.pangaea.model.Bytes.format(c.fetcherCacheSize()));
        flags.put("recover", c.recovery().recover());
        flags.put("gc_delay", io.pangaea.model.Durations.format(c.gc().delay()));
        flags.put("gc_disk_headroom", Double.toString(c.gc().diskHeadroom()));
        flags.put("disk_watch_interval", io.pangaea.model.Durations.format(c.gc().diskWatchInterval()));
        flags.put("strict", String.valueOf(c.recovery().strict()));
        flags.put("recovery_timeout", io.pangaea.model.Durations.format(c.recovery().recoveryTimeout()));
        flags.put("reconfiguration_policy", c.recovery().reconfigurationPolicy());
        flags.put("max_completed_executors_per_framework", Integer.toString(CompletedHistory.MAX_COMPLETED_EXECUTORS));
        flags.put("sandbox_directory", "/mnt/mesos/sandbox");
        flags.put("version", "false");
        return flags;
    }

    /** {@code /version}: the Mesos version whose APIs this agent speaks. */
    public static ObjectNode version() {
        return io.pangaea.http.MesosVersion.json();
    }

    private static ObjectNode legacyFramework(ObjectNode fn, FrameworkInfo f) {
        fn.put("id", f.id().value());
        fn.put("name", f.name());
        fn.put("user", f.user());
        fn.put("failover_timeout", f.failoverTimeout() == null ? 0.0 : f.failoverTimeout());
        fn.put("checkpoint", Boolean.TRUE.equals(f.checkpoint()));
        fn.put("hostname", f.hostname() == null ? "" : f.hostname());
        if (f.hasCapability(FrameworkInfo.Capability.Type.MULTI_ROLE)) {
            ArrayNode roles = fn.putArray("roles");
            f.effectiveRoles().forEach(roles::add);
        } else {
            fn.put("role", f.effectiveRoles().get(0));
        }
        return fn;
    }

    /** The role a task's or executor's resources were allocated to. */
    private static String role(List<io.pangaea.model.Resource> resources) {
        if (resources != null) {
            for (io.pangaea.model.Resource r : resources) {
                if (r.allocationInfo() != null && r.allocationInfo().role() != null) {
                    return r.allocationInfo().role();
                }
            }
        }
        return "*";
    }

    /** An executor in the legacy shape: its live tasks, those queued for it, and its completed ones. */
    private void legacyExecutor(ObjectNode x, String id, String name, String source, String container,
                                String directory, Resources resources, java.util.Collection<TaskRun> current,
                                java.util.Collection<TaskRun> completed) {
        x.put("id", id);
        x.put("name", name == null ? "" : name);
        x.put("source", source == null ? "" : source);
        x.put("container", container);
        x.put("directory", directory);
        x.set("resources", MesosJson.legacy(resources));
        x.put("role", role(resources.toList()));
        ArrayNode live = x.putArray("tasks");
        ArrayNode queued = x.putArray("queued_tasks");
        ArrayNode done = x.putArray("completed_tasks");
        for (TaskRun t : current) {
            boolean waiting = t.executor != null && !t.executor.builtin && !t.delivered;
            legacyTask((t.state.isTerminal() ? done : waiting ? queued : live).addObject(), t);
        }
        for (TaskRun t : completed) {
            legacyTask(done.addObject(), t);
        }
    }

    private void legacyCommandExecutor(ObjectNode x, TaskRun t) {
        List<TaskRun> one = List.of(t);
        legacyExecutor(x, t.info.taskId().value(), Agent.executorName(t), t.info.taskId().value(),
                t.containerId.value(), t.sandbox.toString(), Resources.of(t.info.resources()), one, List.of());
    }

    private void legacyCompletedExecutors(ArrayNode out, java.util.Collection<CompletedHistory.CompletedExecutor> ended) {
        for (CompletedHistory.CompletedExecutor c : ended) {
            if (c.command() != null) {
                legacyCommandExecutor(out.addObject(), c.command());
            } else {
                ExecutorRun e = c.executor();
                legacyExecutor(out.addObject(), e.info.executorId().value(), e.info.name(), e.info.source(),
                        e.containerId.value(), e.sandbox.toString(), Resources.of(e.info.resources()),
                        e.tasks.values(), c.tasks());
            }
        }
    }

    private void legacyTask(ObjectNode tn, TaskRun t) {
        tn.put("id", t.info.taskId().value());
        tn.put("name", t.info.name() == null ? "" : t.info.name());
        tn.put("framework_id", t.frameworkId.value());
        tn.put("executor_id", t.executor != null ? t.executorId().value() : "");
        tn.put("slave_id", agent.agentId().value());
        tn.put("state", t.state.name());
        tn.set("resources", MesosJson.legacy(Resources.of(t.info.resources())));
        tn.put("role", role(t.info.resources()));
        ArrayNode st = tn.putArray("statuses");
        for (TaskStatus s : t.statuses) {
            ObjectNode sn = st.addObject();
            sn.put("state", s.state().name());
            sn.put("timestamp", s.timestamp());
            ObjectNode cs = sn.putObject("container_status");
            cs.putObject("container_id").put("value", t.containerId.value());
            cs.putArray("network_infos").addObject().putArray("ip_addresses").addObject().put("protocol", "IPv4")
                    .put("ip_address", agent.config().ip());
        }
        if (t.info.labels() != null) {
            tn.set("labels", MesosJson.tree(t.info.labels()));
        }
    }

    /** {@code /monitor/statistics}: one entry per running container, Mesos field names. */
    public static ArrayNode statistics(List<Agent.ContainerUsage> containers) {
        ArrayNode arr = F.arrayNode();
        for (Agent.ContainerUsage c : containers) {
            ObjectNode e = arr.addObject();
            e.put("executor_id", c.executorId().value());
            e.put("executor_name", c.executorName());
            e.put("framework_id", c.frameworkId().value());
            e.put("source", c.executorId().value());
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
            e.putObject("executor_id").put("value", c.executorId().value());
            e.put("executor_name", c.executorName());
            e.putObject("container_id").put("value", c.containerId().value());
            e.set("resource_statistics", MesosJson.tree(c.statistics()));
        }
        return r;
    }

    // ---- the v1 operator API's read calls ------------------------------------------------------------------

    private static ObjectNode id(String value) {
        return F.objectNode().put("value", value);
    }

    /** GET_AGENT: this agent's AgentInfo. */
    public ObjectNode getAgent() {
        AgentConfig c = agent.config();
        ObjectNode info = F.objectNode();
        info.put("hostname", c.hostname());
        info.put("port", c.port());
        info.set("resources", MesosJson.tree(c.resources().toList()));
        info.set("attributes", MesosJson.tree(agent.attributes()));
        if (agent.agentId() != null) {
            info.set("id", id(agent.agentId().value()));
        }
        ObjectNode body = F.objectNode();
        body.set("agent_info", info);
        return body;
    }

    public ObjectNode getFrameworks() {
        ObjectNode body = F.objectNode();
        ArrayNode fws = body.putArray("frameworks");
        frameworks.values().forEach(f -> fws.addObject().set("framework_info", MesosJson.tree(f)));
        ArrayNode done = body.putArray("completed_frameworks");
        completedFrameworks.forEach(f -> done.addObject().set("framework_info", MesosJson.tree(f.info())));
        return body;
    }

    /** The command executor each task runs under, as an ExecutorInfo. */
    private ObjectNode executorInfo(TaskRun t) {
        if (t.executor != null) {
            return (ObjectNode) MesosJson.tree(t.executor.info);
        }
        ObjectNode e = F.objectNode();
        e.set("executor_id", id(t.info.taskId().value()));
        e.set("framework_id", id(t.frameworkId.value()));
        e.put("name", Agent.executorName(t));
        e.put("source", t.info.taskId().value());
        if (t.info.command() != null) {
            e.set("command", MesosJson.tree(t.info.command()));
        }
        return e;
    }

    /** Every executor that ended here and is still kept: of live frameworks, then of completed ones. */
    private List<CompletedHistory.CompletedExecutor> allCompletedExecutors() {
        List<CompletedHistory.CompletedExecutor> all = new java.util.ArrayList<>();
        completedExecutors.values().forEach(all::addAll);
        completedFrameworks.forEach(f -> all.addAll(f.executors()));
        return all;
    }

    public ObjectNode getExecutors() {
        ObjectNode body = F.objectNode();
        ArrayNode live = body.putArray("executors");
        ArrayNode done = body.putArray("completed_executors");
        for (ExecutorRun e : agent.liveExecutors()) {
            live.addObject().set("executor_info", MesosJson.tree(e.info));
        }
        for (TaskRun t : tasks) {
            if (t.executor == null) {
                (t.state.isTerminal() ? done : live).addObject().set("executor_info", executorInfo(t));
            }
        }
        for (CompletedHistory.CompletedExecutor c : allCompletedExecutors()) {
            done.addObject().set("executor_info", c.command() != null ? executorInfo(c.command())
                    : MesosJson.tree(c.executor().info));
        }
        return body;
    }

    private ObjectNode task(TaskRun t) {
        ObjectNode n = F.objectNode();
        n.put("name", t.info.name() == null ? "" : t.info.name());
        n.set("task_id", id(t.info.taskId().value()));
        n.set("framework_id", id(t.frameworkId.value()));
        n.set("executor_id", id(t.executorId().value()));
        if (agent.agentId() != null) {
            n.set("agent_id", id(agent.agentId().value()));
        }
        n.put("state", t.state.name());
        n.set("resources", MesosJson.tree(t.info.resources()));
        n.set("statuses", MesosJson.tree(t.statuses));
        if (t.info.labels() != null) {
            n.set("labels", MesosJson.tree(t.info.labels()));
        }
        if (t.info.container() != null) {
            n.set("container", MesosJson.tree(t.info.container()));
        }
        return n;
    }

    public ObjectNode getTasks() {
        ObjectNode body = F.objectNode();
        body.putArray("pending_tasks");
        body.putArray("queued_tasks");
        ArrayNode launched = body.putArray("launched_tasks");
        ArrayNode terminated = body.putArray("terminated_tasks");
        ArrayNode completed = body.putArray("completed_tasks");
        for (TaskRun t : tasks) {
            (t.state.isTerminal() ? terminated : launched).add(task(t));
        }
        for (CompletedHistory.CompletedExecutor c : allCompletedExecutors()) {
            c.tasks().forEach(t -> completed.add(task(t)));
        }
        return body;
    }

    public ObjectNode getState() {
        ObjectNode body = F.objectNode();
        body.set("get_tasks", getTasks());
        body.set("get_executors", getExecutors());
        body.set("get_frameworks", getFrameworks());
        return body;
    }

    public ObjectNode getFlags() {
        ObjectNode body = F.objectNode();
        body.set("flags", io.pangaea.http.Metrics.nameValueList(flags()));
        return body;
    }

    /** GET_METRICS: the snapshot as a v1 list. */
    public ObjectNode getMetrics() {
        ObjectNode body = F.objectNode();
        body.set("metrics", io.pangaea.http.Metrics.nameValueList(metrics()));
        return body;
    }

    /** {@code /metrics/snapshot}: the agent's counters and gauges under Mesos's names. */
    public ObjectNode metrics() {
        ObjectNode m = F.objectNode();
        agent.counters().forEach((k, v) -> m.put(k, v.doubleValue()));
        m.put("slave/uptime_secs", System.currentTimeMillis() / 1000.0 - agent.startTime());
        m.put("slave/registered", agent.registered() ? 1.0 : 0.0);
        m.put("gc/path_removals_pending", agent.gcPending());
        java.util.Map<io.pangaea.model.TaskState, Integer> states = new java.util.EnumMap<>(
                io.pangaea.model.TaskState.class);
        Resources used = Resources.EMPTY;
        java.util.Set<FrameworkId> active = new java.util.HashSet<>();
        for (TaskRun t : tasks) {
            states.merge(t.state, 1, Integer::sum);
            if (!t.state.isTerminal()) {
                used = used.plus(Resources.of(t.info.resources()).unallocated());
                active.add(t.frameworkId);
            }
        }
        for (io.pangaea.model.TaskState st : List.of(io.pangaea.model.TaskState.TASK_STAGING,
                io.pangaea.model.TaskState.TASK_STARTING, io.pangaea.model.TaskState.TASK_RUNNING,
                io.pangaea.model.TaskState.TASK_KILLING)) {
            m.put("slave/" + st.name().toLowerCase(java.util.Locale.ROOT).replace("task_", "tasks_"),
                    (double) states.getOrDefault(st, 0));
        }
        // each command task runs under its own executor; custom and default executors are counted by their state
        long commandRunning = tasks.stream().filter(t -> t.executor == null && !t.state.isTerminal()).count();
        List<ExecutorRun> live = agent.liveExecutors();
        m.put("slave/executors_registering", (double) live.stream()
                .filter(e -> !e.builtin && !e.subscribed && !e.terminating).count());
        m.put("slave/executors_running", (double) (commandRunning + live.stream()
                .filter(e -> (e.builtin || e.subscribed) && !e.terminating).count()));
        m.put("slave/executors_terminating", (double) live.stream().filter(e -> e.terminating).count());
        m.put("slave/frameworks_active", (double) active.size());
        m.put("containerizer/mesos/container_destroy_errors", (double) agent.containerDestroyErrors());
        m.put("containerizer/fetcher/cache_size_total_bytes", (double) agent.fetcherCache().capacity());
        m.put("containerizer/fetcher/cache_size_used_bytes", (double) agent.fetcherCache().used());
        Resources total = agent.config().resources();
        for (String r : List.of("cpus", "mem", "disk", "gpus")) {
            io.pangaea.http.Metrics.addResource(m, "slave/", r, total.scalar(r), used.scalar(r));
        }
        io.pangaea.http.Metrics.addSystem(m);
        return m;
    }
}
