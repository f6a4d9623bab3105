package io.pangaea.master.internal;

import io.pangaea.model.Durations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.OfferEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.ResourceSum;
import io.pangaea.model.Resources;
import java.nio.file.Path;
import io.pangaea.model.TaskState;
import io.pangaea.model.json.MesosJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders the master's state for the legacy read endpoints, in the shape Mesos 1.11 gives them, and as plain rows
 * for shell commands. Instances live only for one call on the event loop.
 */
public final class MasterViews {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String[] AGENT_CAPABILITIES = {"MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT",
        "AGENT_OPERATION_FEEDBACK", "AGENT_DRAINING"};

    private final Master master;
    private final MasterState state;
    private final Viewer viewer;

    MasterViews(Master master, MasterState state) {
        this(master, state, Viewer.ALL);
    }

    /** The state as {@code viewer} may see it: frameworks, tasks, executors, roles and flags it may not are left out. */
    MasterViews(Master master, MasterState state, Viewer viewer) {
        this.master = master;
        this.state = state;
        this.viewer = viewer;
        this.deferred = new DeferredJson.Batch(master == null ? Runnable::run : master.loop());
    }

    /** This view's parts encoded when it is written, not on the loop (see {@link DeferredJson}). */
    final DeferredJson.Batch deferred;

    Viewer viewer() {
        return viewer;
    }

    /** The v1 operator API's read calls over the same state. */
    public V1Views v1() {
        return new V1Views(master, state, this);
    }

    // ---- JSON -------------------------------------------------------------------------------------------------

    public ObjectNode version() {
        return versionJson();
    }

    /** {@code /version}: Mesos's version fields and Pangaea's own; the same on every master, leading or not. */
    public static ObjectNode versionJson() {
        ObjectNode n = io.pangaea.http.MesosVersion.json();
        n.put("pangaea_version", pangaeaVersion());
        return n;
    }

    /**
     * {@code /metrics/snapshot} of a master that does not lead: it has no state to count, only that it is not
     * elected and how long its process has run, as a Mesos master that is not the leader answers; and Pangaea's
     * own: how many made-up agents its rehearsal of a takeover has registered ({@code ha.StandbyRehearsal}).
     */
    public static ObjectNode followerMetrics(int rehearsed) {
        ObjectNode m = F.objectNode();
        m.put("master/elected", 0.0);
        m.put("master/uptime_secs", Master.now() - Master.processStartTime());
        m.put("master/pangaea/standby_rehearsal_agents", (double) rehearsed);
        return m;
    }

    static String pangaeaVersion() {
        String v = Master.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    public ObjectNode state() {
        MasterConfig c = master.config();
        ObjectNode n = version();
        n.put("start_time", Master.processStartTime());
        n.put("elected_time", master.electedTime());
        n.put("id", master.id());
        n.put("pid", master.masterInfo().pid());
        n.put("hostname", c.hostname());
        ArrayNode caps = n.putArray("capabilities");
        caps.add("AGENT_UPDATE").add("AGENT_DRAINING").add("QUOTA_V2");
        long unreachable = state.agents.values().stream().filter(a -> a.unreachableTime != null).count();
        long deactivated = state.agents.values().stream().filter(a -> a.unreachableTime == null && a.deactivated())
                .count();
        n.put("activated_slaves", (double) (state.agents.size() - unreachable - deactivated));
        n.put("deactivated_slaves", (double) deactivated);
        n.put("unreachable_slaves", (double) unreachable);
        n.put("leader", master.masterInfo().pid());
        ObjectNode leader = n.putObject("leader_info");
        leader.put("id", master.id());
        leader.put("pid", master.masterInfo().pid());
        leader.put("port", c.port());
        leader.put("hostname", c.hostname());
        if (viewer.flags()) {
            n.set("flags", flags());
        }
        n.set("slaves", agentsEncoded());
        n.set("recovered_slaves", recoveredAgents());
        frameworkArrays(n);
        n.putArray("orphan_tasks");
        n.putArray("unregistered_frameworks");
        return n;
    }

    public ObjectNode flags() {
        MasterConfig c = master.config();
        ObjectNode f = F.objectNode();
        f.put("allocation_interval", Durations.format(c.allocationInterval()));
        f.put("allocator", c.allocator());
        f.put("authenticate_agents", "false");
        f.put("authenticate_frameworks", "false");
        f.put("authenticate_http_frameworks", "false");
        f.put("authenticate_http_readonly", "false");
        f.put("authenticate_http_readwrite", "false");
        f.put("hostname", c.hostname());
        f.put("http_framework_heartbeat_interval", Durations.format(c.heartbeatInterval()));
        f.put("ip", c.ip());
        f.put("max_completed_frameworks", Integer.toString(c.maxCompletedFrameworks()));
        f.put("max_completed_tasks_per_framework", Integer.toString(c.maxCompletedTasksPerFramework()));
        f.put("min_allocatable_resources", String.join("|",
                c.minAllocatable().stream().map(Resources::toString).toList()));
        f.put("port", Integer.toString(c.port()));
        f.put("registry", master.registry().kind());
        f.put("agent_ping_timeout", Durations.format(c.agentPingTimeout()));
        f.put("max_agent_ping_timeouts", Integer.toString(c.maxAgentPingTimeouts()));
        f.put("agent_reregister_timeout", Durations.format(c.agentReregisterTimeout()));
        f.put("recovery_agent_removal_limit", new java.math.BigDecimal(Double.toString(c.recoveryAgentRemovalLimit()
                * 100)).stripTrailingZeros().toPlainString() + "%");
        Path registryFile = master.registry().file();
        f.put("work_dir", registryFile == null || registryFile.getParent() == null ? ""
                : registryFile.getParent().toString());
        f.put("version", "false");
        java.util.Set<String> realms = master.protectedRealms();
        f.put("authenticate_http_frameworks", Boolean.toString(realms.contains(
                io.pangaea.http.HttpAuthentication.MASTER_SCHEDULER)));
        f.put("authenticate_frameworks", Boolean.toString(realms.contains(
                io.pangaea.http.HttpAuthentication.MASTER_SCHEDULER)));
        f.put("authenticate_http_readonly", Boolean.toString(realms.contains(
                io.pangaea.http.HttpAuthentication.MASTER_READONLY)));
        f.put("authenticate_http_readwrite", Boolean.toString(realms.contains(
                io.pangaea.http.HttpAuthentication.MASTER_READWRITE)));
        f.put("authenticate_agents", Boolean.toString(realms.contains(
                io.pangaea.http.HttpAuthentication.MASTER_AGENT)));
        return f;
    }

    public ObjectNode frameworks() {
        ObjectNode n = F.objectNode();
        frameworkArrays(n);
        n.putArray("unregistered_frameworks");
        return n;
    }

    /** {@code frameworks} and {@code completed_frameworks}, those the viewer may see. */
    private void frameworkArrays(ObjectNode n) {
        ArrayNode fws = n.putArray("frameworks");
        for (FrameworkEntry f : state.frameworks.values()) {
            if (viewer.framework(f.info)) {
                fws.add(framework(f));
            }
        }
        ArrayNode done = n.putArray("completed_frameworks");
        for (FrameworkEntry f : state.completedFrameworks) {
            if (viewer.framework(f.info)) {
                done.add(framework(f));
            }
        }
    }

    /** {@code /master/state-summary}: agents and frameworks without their tasks, with task counts by state. */
    public ObjectNode stateSummary() {
        ObjectNode n = F.objectNode();
        n.put("hostname", master.config().hostname());
        ArrayNode agents = agentsArray(false);
        int i = 0;
        for (AgentEntry a : state.agents.values()) {
            ObjectNode s = (ObjectNode) agents.get(i++);
            java.util.Map<TaskState, Integer> counts = new java.util.EnumMap<>(TaskState.class);
            java.util.Set<String> fwIds = new java.util.TreeSet<>();
            for (TaskEntry t : a.tasks.values()) {
                counts.merge(t.state(), 1, Integer::sum);
                fwIds.add(t.frameworkId.value());
            }
            taskCounts(s, counts);
            ArrayNode ids = s.putArray("framework_ids");
            fwIds.forEach(ids::add);
        }
        n.set("slaves", agents);
        ArrayNode fws = n.putArray("frameworks");
        for (FrameworkEntry f : state.frameworks.values()) {
            if (!viewer.framework(f.info)) {
                continue;
            }
            ObjectNode full = framework(f);
            ObjectNode s = fws.addObject();
            for (String k : List.of("id", "name", "used_resources", "offered_resources", "capabilities", "hostname",
                    "webui_url", "active", "connected", "recovered")) {
                s.set(k, full.get(k));
            }
            java.util.Map<TaskState, Integer> counts = new java.util.EnumMap<>(TaskState.class);
            java.util.Set<String> agentIds = new java.util.TreeSet<>();
            for (TaskEntry t : f.tasks.values()) {
                counts.merge(t.state(), 1, Integer::sum);
                agentIds.add(t.agentId.value());
            }
            for (TaskEntry t : f.completedTasks) {
                counts.merge(t.state(), 1, Integer::sum);
            }
            taskCounts(s, counts);
            ArrayNode ids = s.putArray("slave_ids");
            agentIds.forEach(ids::add);
        }
        return n;
    }

    /**
     * {@code /metrics/snapshot}: the master's counters and gauges under Mesos's names (those Pangaea measures:
     * messages, status updates, agent and framework counts, task states, resources, offers, allocation runs, and
     * the machine's load and memory).
     */
    public ObjectNode metrics() {
        return new MetricsSnapshot(master, state).json();
    }



    /** The task counts by state that the summary gives for each agent and framework. */
    private static void taskCounts(ObjectNode s, java.util.Map<TaskState, Integer> counts) {
        for (TaskState st : List.of(TaskState.TASK_STAGING, TaskState.TASK_STARTING, TaskState.TASK_RUNNING,
                TaskState.TASK_KILLING, TaskState.TASK_FINISHED, TaskState.TASK_KILLED, TaskState.TASK_FAILED,
                TaskState.TASK_LOST, TaskState.TASK_ERROR, TaskState.TASK_UNREACHABLE)) {
            s.put(st.name(), counts.getOrDefault(st, 0));
        }
    }

    /** {@code /master/roles}: each known role's weight, quota, frameworks and resources. */
    public ObjectNode roles() {
        ObjectNode n = F.objectNode();
        ArrayNode roles = n.putArray("roles");
        java.util.Map<String, List<FrameworkEntry>> byRole = new java.util.TreeMap<>();
        for (FrameworkEntry f : state.frameworks.values()) {
            f.roles().forEach(r -> byRole.computeIfAbsent(r, k -> new java.util.ArrayList<>()).add(f));
        }
        java.util.Map<String, Double> weights = master.registry().weights();
        var quotas = master.registry().quotas();
        weights.keySet().forEach(r -> byRole.computeIfAbsent(r, k -> new java.util.ArrayList<>()));
        quotas.keySet().forEach(r -> byRole.computeIfAbsent(r, k -> new java.util.ArrayList<>()));
        for (var e : byRole.entrySet()) {
            String role = e.getKey();
            if (!viewer.role(role)) {
                continue;
            }
            ResourceSum allocatedSum = new ResourceSum();
            ResourceSum offeredSum = new ResourceSum();
            for (FrameworkEntry f : e.getValue()) {
                Resources a = f.allocated.get(role);
                if (a != null) {
                    allocatedSum.add(a.unallocated());
                }
                for (var o : f.offers) {
                    OfferEntry oe = state.offers.get(o);
                    if (oe != null && role.equals(oe.offer.allocationInfo().role())) {
                        offeredSum.add(oe.unallocated);
                    }
                }
            }
            Resources allocated = allocatedSum.total();
            Resources offered = offeredSum.total();
            ResourceSum reservedSum = new ResourceSum();
            for (AgentEntry a : state.agents.values()) {
                reservedSum.add(a.total().reservedTo(role).unallocated());
            }
            Resources reserved = reservedSum.total();
            ObjectNode r = roles.addObject();
            r.put("name", role);
            r.put("weight", weights.getOrDefault(role, 1.0));
            ObjectNode q = r.putObject("quota");
            q.put("role", role);
            var quota = quotas.get(role);
            q.set("guarantee", quota == null || quota.guarantees() == null ? F.objectNode()
                    : MesosJson.legacy(quota.guarantees()));
            q.set("limit", quota == null || quota.limits() == null ? F.objectNode() : MesosJson.legacy(quota.limits()));
            q.set("consumed", MesosJson.legacy(allocated));
            r.set("resources", MesosJson.legacy(allocated.plus(offered)));
            r.set("allocated", MesosJson.legacy(allocated));
            r.set("offered", MesosJson.legacy(offered));
            r.set("reserved", MesosJson.legacy(reserved));
            ArrayNode fw = r.putArray("frameworks");
            e.getValue().stream().filter(f -> viewer.framework(f.info)).forEach(f -> fw.add(f.id.value()));
        }
        return n;
    }

    /** The agents admitted before this master was elected that have not re-registered yet, as Mesos shows them. */
    private ArrayNode recoveredAgents() {
        ArrayNode arr = F.arrayNode();
        for (Registry.AgentRecord r : state.recoveredAgents.values()) {
            ObjectNode a = arr.addObject().put("id", r.id()).put("hostname", r.hostname());
            if (r.port() != null) {
                a.put("port", r.port());
            }
        }
        return arr;
    }

    public ObjectNode slaves() {
        ObjectNode n = F.objectNode();
        n.set("slaves", agentsArray(true));
        n.set("recovered_slaves", recoveredAgents());
        return n;
    }

    public ObjectNode tasks() {
        ObjectNode n = F.objectNode();
        ArrayNode tasks = n.putArray("tasks");
        for (FrameworkEntry f : state.frameworks.values()) {
            f.tasks.values().stream().filter(t -> viewer.task(f.info, t.info)).forEach(t -> tasks.add(taskJson(t)));
            f.completedTasks.stream().filter(t -> viewer.task(f.info, t.info)).forEach(t -> tasks.add(taskJson(t)));
        }
        for (FrameworkEntry f : state.completedFrameworks) {
            f.completedTasks.stream().filter(t -> viewer.task(f.info, t.info)).forEach(t -> tasks.add(taskJson(t)));
        }
        return n;
    }

    private Resources offered(AgentEntry a) {
        ResourceSum offered = new ResourceSum();
        for (var o : a.offers) {
            OfferEntry e = state.offers.get(o);
            if (e != null) {
                offered.add(e.resources);
            }
        }
        return offered.total();
    }

    /**
     * The agents of {@code /master/state}, each its whole entry kept encoded while its parts are the same: most of a
     * big cluster's agents do not change between two reads, and their trees (some 40 objects each, 20,000 agents)
     * were what a read kept alive while it was written. One not encoded yet is encoded where the view is written
     * ({@link DeferredJson}).
     */
    ArrayNode agentsEncoded() {
        ArrayNode arr = F.arrayNode(state.agents.size());
        for (AgentEntry a : state.agents.values()) {
            LegacyAgentJson.Parts p = LegacyAgentJson.parts(a, a.used(), offered(a));
            RawJson kept = a.legacyAgent.kept(p);
            if (kept != null) {
                arr.add(kept.node());
            } else {
                ObjectNode tree = LegacyAgentJson.tree(a.id, p);
                arr.add(deferred.node(() -> MesosJson.write(tree), json -> a.legacyAgent.keep(p, json)));
            }
        }
        return arr;
    }

    private ArrayNode agentsArray(boolean full) {
        ArrayNode arr = F.arrayNode();
        for (AgentEntry a : state.agents.values()) {
            Resources used = a.used();
            Resources offered = offered(a);
            ObjectNode s = LegacyAgentJson.tree(a.id, LegacyAgentJson.parts(a, used, offered));
            arr.add(s);
            if (full) {
                s.set("reserved_resources_full", reservedFull(a.total()));
                s.set("unreserved_resources_full", V1Views.resources(a.total().unreserved()));
                s.set("used_resources_full", V1Views.resources(used));
                s.set("offered_resources_full", V1Views.resources(offered));
            }
        }
        return arr;
    }

    private ObjectNode reservedFull(Resources total) {
        ObjectNode n = F.objectNode();
        for (var r : total) {
            if (r.isReserved() && !n.has(r.reservationRole())) {
                n.set(r.reservationRole(), MesosJson.tree(total.reservedTo(r.reservationRole()).toList()));
            }
        }
        return n;
    }

    /**
     * What the framework's tasks use, summed without a total at each task (a state of 200 frameworks of 1,000
     * tasks each made 200,000 intermediate totals, most of the garbage a read of it left).
     */
    private static Resources usedByTasks(FrameworkEntry f) {
        ResourceSum used = new ResourceSum();
        for (TaskEntry t : f.tasks.values()) {
            if (!t.resourcesRecovered) {
                used.add(t.resources);
            }
        }
        return used.total();
    }

    private ObjectNode framework(FrameworkEntry f) {
        ObjectNode n = F.objectNode();
        FrameworkInfo info = f.info;
        n.put("id", f.id.value());
        n.put("name", info.name());
        Resources used = usedByTasks(f);
        Resources offered = f.offeredTotal(state.offers);
        n.set("used_resources", MesosJson.legacy(used));
        n.set("offered_resources", MesosJson.legacy(offered));
        ArrayNode caps = n.putArray("capabilities");
        if (info.capabilities() != null) {
            info.capabilities().forEach(c -> caps.add(c.type().name()));
        }
        n.put("hostname", info.hostname() == null ? "" : info.hostname());
        n.put("webui_url", info.webuiUrl() == null ? "" : info.webuiUrl());
        n.put("active", f.active);
        n.put("connected", f.connected);
        n.put("recovered", f.stream == null && f.registeredTime > 0 && !f.connected && f.unregisteredTime == 0);
        n.put("user", info.user());
        n.put("failover_timeout", info.failoverTimeout() == null ? 0.0 : info.failoverTimeout());
        n.put("checkpoint", info.checkpoint() != null && info.checkpoint());
        n.put("registered_time", f.registeredTime);
        n.put("unregistered_time", f.unregisteredTime);
        if (f.reregisteredTime > 0) {
            n.put("reregistered_time", f.reregisteredTime);
        }
        if (info.principal() != null) {
            n.put("principal", info.principal());
        }
        n.set("resources", MesosJson.legacy(used.plus(offered)));
        ArrayNode roles = n.putArray("roles");
        f.roles().forEach(roles::add);
        ArrayNode tasks = n.putArray("tasks");
        f.tasks.values().stream().filter(t -> viewer.task(info, t.info)).forEach(t -> tasks.add(taskJson(t)));
        n.putArray("unreachable_tasks");
        ArrayNode done = n.putArray("completed_tasks");
        f.completedTasks.stream().filter(t -> viewer.task(info, t.info)).forEach(t -> done.add(taskJson(t)));
        ArrayNode offers = n.putArray("offers");
        for (var o : f.offers) {
            OfferEntry e = state.offers.get(o);
            if (e != null) {
                ObjectNode on = offers.addObject();
                on.put("id", e.offer.id().value());
                on.put("framework_id", e.frameworkId.value());
                on.put("slave_id", e.agentId.value());
                on.set("resources", MesosJson.legacy(e.resources));
                on.set("allocation_info", MesosJson.tree(e.offer.allocationInfo()));
            }
        }
        ArrayNode executors = n.putArray("executors");
        for (MasterState.ExecutorEntry e : executorsOf(f.id)) {
            if (viewer.executor(info, e.info)) {
                ObjectNode en = (ObjectNode) MesosJson.tree(e.info);
                en.put("executor_id", e.info.executorId().value());
                en.put("framework_id", f.id.value());
                en.set("resources", MesosJson.legacy(e.resources));
                en.put("slave_id", e.agentId.value());
                executors.add(en);
            }
        }
        n.putObject("offer_constraints");
        return n;
    }

    /**
     * The executors of each framework, in the agents' order, made once for this view: each framework looked through
     * every agent before, 4 million looks for 200 frameworks on 20,000 agents, most of a big {@code /master/state}.
     */
    private java.util.Map<io.pangaea.model.FrameworkId, List<MasterState.ExecutorEntry>> executorsByFramework;

    private List<MasterState.ExecutorEntry> executorsOf(io.pangaea.model.FrameworkId id) {
        if (executorsByFramework == null) {
            executorsByFramework = new java.util.HashMap<>();
            for (AgentEntry agent : state.agents.values()) {
                for (MasterState.ExecutorEntry e : agent.executors.values()) {
                    executorsByFramework.computeIfAbsent(e.info.frameworkId(), k -> new java.util.ArrayList<>()).add(e);
                }
            }
        }
        return executorsByFramework.getOrDefault(id, List.of());
    }

    /**
     * A task as pre-encoded JSON ({@link LegacyTaskJson}), made again only when the task changed since (its state, its statuses or
     * its executor): the state of 400,000 tasks was otherwise rebuilt node by node on every read.
     */
    private com.fasterxml.jackson.databind.JsonNode taskJson(TaskEntry t) {
        RawJson kept = CachedEncoding.kept(t.json, t);
        if (kept != null) {
            return kept.node();
        }
        MasterState.JsonKey key = t.jsonKey();
        LegacyTaskJson snapshot = LegacyTaskJson.of(t);
        return deferred.node(() -> MesosJson.write(snapshot.tree()),
                json -> t.json = CachedEncoding.keep(t.json, key, json));
    }

    /** See {@link Sandboxes#user}. */
    public java.util.Optional<String> sandboxUser(String path) {
        return Sandboxes.user(state, path);
    }

    // ---- rows for the shell -----------------------------------------------------------------------------------

    public record AgentRow(String id, String hostname, int port, boolean active, String resources, String used,
                           String offered, int tasks) {}

    public record FrameworkRow(String id, String name, String roles, boolean active, boolean connected, int tasks,
                               int offers, String used) {}

    public record TaskRow(String id, String name, String frameworkId, String agentId, String state,
                          String resources) {}

    public record OfferRow(String id, String frameworkId, String agentId, String hostname, String role,
                           String resources) {}

    public List<AgentRow> agentRows() {
        List<AgentRow> rows = new ArrayList<>();
        for (AgentEntry a : state.agents.values()) {
            Resources offered = offered(a);
            rows.add(new AgentRow(a.id.value(), a.info().hostname(), a.info().port() == null ? 0 : a.info().port(),
                    a.connected(), a.total().toString(), a.used().unallocated().toString(),
                    offered.unallocated().toString(), a.tasks.size()));
        }
        return rows;
    }

    public List<FrameworkRow> frameworkRows() {
        List<FrameworkRow> rows = new ArrayList<>();
        for (FrameworkEntry f : state.frameworks.values()) {
            if (!viewer.framework(f.info)) {
                continue;
            }
            Resources used = usedByTasks(f);
            rows.add(new FrameworkRow(f.id.value(), f.info.name(), String.join(",", f.roles()), f.active,
                    f.connected, f.tasks.size(), f.offers.size(), used.unallocated().toString()));
        }
        return rows;
    }

    public List<TaskRow> taskRows(boolean includeCompleted) {
        List<TaskRow> rows = new ArrayList<>();
        for (FrameworkEntry f : state.frameworks.values()) {
            f.tasks.values().stream().filter(t -> viewer.task(f.info, t.info)).forEach(t -> rows.add(taskRow(t)));
            if (includeCompleted) {
                f.completedTasks.stream().filter(t -> viewer.task(f.info, t.info)).forEach(t -> rows.add(taskRow(t)));
            }
        }
        return rows;
    }

    private static TaskRow taskRow(TaskEntry t) {
        return new TaskRow(t.info.taskId().value(), t.info.name() == null ? "" : t.info.name(),
                t.frameworkId.value(), t.agentId.value(), t.state().name(), t.resources.unallocated().toString());
    }

    public List<OfferRow> offerRows() {
        List<OfferRow> rows = new ArrayList<>();
        for (OfferEntry o : state.offers.values()) {
            FrameworkEntry f = state.frameworks.get(o.frameworkId);
            if (f != null && !viewer.framework(f.info)) {
                continue;
            }
            rows.add(new OfferRow(o.offer.id().value(), o.frameworkId.value(), o.agentId.value(),
                    o.offer.hostname(), o.role, o.unallocated.toString()));
        }
        return rows;
    }
}
