package io.pangaea.master.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskState;
import io.pangaea.model.json.MesosJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The master's state as the v1 operator API gives it (GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_TASKS,
 * GET_EXECUTORS, GET_ROLES, GET_MASTER, GET_FLAGS): v1 messages in Mesos JSON, times as {@code TimeInfo}
 * nanoseconds, resources with their allocation info. Built on the master's event loop.
 */
public final class V1Views {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Master master;
    private final MasterState state;
    private final MasterViews legacy;

    V1Views(Master master, MasterState state, MasterViews legacy) {
        this.master = master;
        this.state = state;
        this.legacy = legacy;
    }

    /** A whole response: {@code {"type": T, "<t>": body}}. */
    public static ObjectNode response(String type, JsonNode body) {
        ObjectNode r = F.objectNode().put("type", type);
        if (body != null) {
            r.set(type.toLowerCase(java.util.Locale.ROOT), body);
        }
        return r;
    }

    static ObjectNode time(double seconds) {
        return F.objectNode().put("nanoseconds", (long) (seconds * 1e9));
    }

    /** Resources as v1 {@code Resource} messages, unreserved ones with the legacy {@code "role": "*"}. */
    static ArrayNode resources(Resources rs) {
        ArrayNode arr = F.arrayNode();
        for (Resource r : rs.toList()) {
            ObjectNode n = (ObjectNode) MesosJson.tree(r);
            if (!n.has("role") && (r.reservations() == null || r.reservations().isEmpty())) {
                n.put("role", "*");
            }
            arr.add(n);
        }
        return arr;
    }

    public ObjectNode getAgents() {
        return getAgents(true);
    }

    /** GET_AGENTS; {@code withAgents} false: its recovered agents only (the others go encoded to a protobuf client). */
    public ObjectNode getAgents(boolean withAgents) {
        ObjectNode body = F.objectNode();
        ArrayNode agents = body.putArray("agents");
        if (withAgents) {
            state.agents.values().forEach(a -> agents.add(agentJson(a)));
        }
        ArrayNode recovered = body.putArray("recovered_agents");
        for (Registry.AgentRecord r : state.recoveredAgents.values()) {
            ObjectNode a = recovered.addObject().put("hostname", r.hostname());
            a.putObject("id").put("value", r.id());
            if (r.port() != null) {
                a.put("port", r.port());
            }
        }
        return body;
    }

    /**
     * What an agent's v1 message is made of: its parts kept encoded ({@link EncodedPart}; made again only when they
     * change, so the same object while they do not) and the rest of its fields. Two equal ones give the same message.
     */
    record AgentParts(RawJson info, boolean active, boolean deactivated, String drainState,
                      io.pangaea.model.operator.OperatorCall.DrainAgent drain, String version, String pid,
                      double registeredTime, double reregisteredTime, RawJson total, RawJson allocated,
                      RawJson offered) {
        /** The encoded parts by identity (each is made again when it changes), the rest by value. */
        @Override
        public boolean equals(Object o) {
            return o instanceof AgentParts p && info == p.info && total == p.total && allocated == p.allocated
                    && offered == p.offered && active == p.active && deactivated == p.deactivated
                    && Double.compare(registeredTime, p.registeredTime) == 0
                    && Double.compare(reregisteredTime, p.reregisteredTime) == 0
                    && java.util.Objects.equals(drainState, p.drainState) && java.util.Objects.equals(drain, p.drain)
                    && java.util.Objects.equals(version, p.version) && java.util.Objects.equals(pid, p.pid);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(System.identityHashCode(info), active, deactivated, drainState, version,
                    pid, registeredTime, reregisteredTime);
        }
    }

    AgentParts parts(AgentEntry a) {
        io.pangaea.model.ResourceSum offeredSum = new io.pangaea.model.ResourceSum();
        for (var o : a.offers) {
            MasterState.OfferEntry e = state.offers.get(o);
            if (e != null) {
                offeredSum.add(e.resources);
            }
        }
        Resources offered = offeredSum.total();
        return new AgentParts(
                a.v1Info.get(a.info(), EncodedPart.json(i -> ((ObjectNode) MesosJson.tree(i)).put("checkpoint", true))),
                a.connected(), a.deactivated(), a.drainState, a.drainState == null ? null : a.drain,
                a.version == null || a.version.startsWith("pangaea") ? Master.MESOS_VERSION : a.version, a.pid(),
                a.registeredTime, a.reregisteredTime,
                a.v1Total.get(a.total(), EncodedPart.json(V1Views::resources)),
                a.v1Used.get(a.used(), EncodedPart.json(V1Views::resources)),
                offered.isEmpty() ? null : a.v1Offered.get(offered, EncodedPart.json(V1Views::resources)));
    }

    /**
     * {@link #agent} pre-encoded, kept while its parts are the same (most of a big cluster's agents between two
     * reads); one not encoded yet is encoded when the view is written (see {@link DeferredJson}).
     */
    private JsonNode agentJson(AgentEntry a) {
        AgentParts p = parts(a);
        RawJson kept = a.v1Json.kept(p);
        if (kept != null) {
            return kept.node();
        }
        ObjectNode tree = agent(p);
        return legacy.deferred.node(() -> MesosJson.write(tree), json -> a.v1Json.keep(p, json));
    }

    /** One agent as GET_AGENTS and AGENT_ADDED give it. */
    ObjectNode agent(AgentEntry a) {
        return agent(parts(a));
    }

    private static ObjectNode agent(AgentParts p) {
        ObjectNode n = F.objectNode();
        n.set("agent_info", p.info().node());
        n.put("active", p.active());
        n.put("deactivated", p.deactivated());
        if (p.drainState() != null) {
            ObjectNode drain = n.putObject("drain_info");
            drain.put("state", p.drainState());
            ObjectNode cfg = drain.putObject("config");
            if (p.drain().maxGracePeriod() != null) {
                cfg.set("max_grace_period", MesosJson.tree(p.drain().maxGracePeriod()));
            }
            cfg.put("mark_gone", Boolean.TRUE.equals(p.drain().markGone()));
        }
        n.put("version", p.version());
        n.put("pid", p.pid());
        n.set("registered_time", time(p.registeredTime()));
        if (p.reregisteredTime() > 0) {
            n.set("reregistered_time", time(p.reregisteredTime()));
        }
        n.set("total_resources", p.total().node());
        n.set("allocated_resources", p.allocated().node());
        if (p.offered() != null) {
            n.set("offered_resources", p.offered().node());
        }
        ArrayNode caps = n.putArray("capabilities");
        for (String c : MasterViews.AGENT_CAPABILITIES) {
            caps.addObject().put("type", c);
        }
        return n;
    }

    /**
     * {@link #agent} as an encoded {@code mesos.v1.master.Response.GetAgents.Agent}, made again only when one of its
     * parts changed: a protobuf GET_STATE or GET_AGENTS of a big cluster took most of its time converting every
     * agent from JSON on every read. One not encoded yet is left to {@code later}, to be encoded off the loop.
     */
    private byte[] agentProto(AgentEntry a, List<byte[]> into, OffLoop later) {
        AgentParts p = parts(a);
        byte[] kept = a.v1Proto.kept(p);
        if (kept == null) {
            later.add(into, into.size(), () -> io.pangaea.protobuf.ProtobufCodec.agent(MesosJson.write(agent(p))),
                    bytes -> a.v1Proto.keep(p, bytes));
        }
        return kept;
    }

    /** The agents of GET_AGENTS and GET_STATE, encoded (those not encoded yet: once {@code later} has run). */
    public List<byte[]> encodedAgents(OffLoop later) {
        List<byte[]> out = new ArrayList<>(state.agents.size());
        state.agents.values().forEach(a -> out.add(agentProto(a, out, later)));
        return out;
    }

    /** One framework as GET_FRAMEWORKS and FRAMEWORK_ADDED / FRAMEWORK_UPDATED give it. */
    ObjectNode framework(FrameworkEntry f, boolean completed) {
        ObjectNode n = F.objectNode();
        n.set("framework_info", MesosJson.tree(f.info));
        n.put("active", f.active);
        n.put("connected", f.connected);
        n.put("recovered", !completed && !f.connected && f.stream == null && f.unregisteredTime == 0);
        n.set("registered_time", time(f.registeredTime));
        n.set("reregistered_time", time(f.reregisteredTime > 0 ? f.reregisteredTime : f.registeredTime));
        if (completed) {
            n.set("unregistered_time", time(f.unregisteredTime));
        } else {
            n.set("allocated_resources", resources(f.allocatedTotal()));
            Resources offered = f.offeredTotal(state.offers);
            if (!offered.isEmpty()) {
                n.set("offered_resources", resources(offered));
            }
        }
        n.putObject("offer_constraints");
        return n;
    }

    public ObjectNode getFrameworks() {
        Viewer viewer = legacy.viewer();
        ObjectNode body = F.objectNode();
        ArrayNode live = body.putArray("frameworks");
        state.frameworks.values().stream().filter(f -> viewer.framework(f.info))
                .forEach(f -> live.add(framework(f, false)));
        ArrayNode done = body.putArray("completed_frameworks");
        state.completedFrameworks.stream().filter(f -> viewer.framework(f.info))
                .forEach(f -> done.add(framework(f, true)));
        return body;
    }

    static JsonNode task(TaskEntry t) {
        return snapshot(t).tree();
    }

    /** What a task's v1 view is made from, taken on the loop: it can be encoded anywhere. */
    record TaskSnapshot(Task task, Resources resources) {
        JsonNode tree() {
            ObjectNode n = (ObjectNode) MesosJson.tree(task);
            n.set("resources", V1Views.resources(resources));
            return n;
        }
    }

    static TaskSnapshot snapshot(TaskEntry t) {
        return new TaskSnapshot(new Task(t.info.name() == null ? "" : t.info.name(), t.info.taskId(), t.frameworkId,
                t.executorId, t.agentId, t.state(), null, List.copyOf(t.statuses), t.statusUpdateState,
                t.statusUpdateUuid, t.info.labels(), t.info.container(), null), t.resources);
    }

    /**
     * {@link #task} pre-encoded, made again only when the task changed (as {@code MasterViews} keeps its own); one
     * not encoded yet is encoded when the view is written (see {@link DeferredJson}).
     */
    JsonNode taskJson(TaskEntry t) {
        RawJson kept = CachedEncoding.kept(t.v1Json, t);
        if (kept != null) {
            return kept.node();
        }
        MasterState.JsonKey key = t.jsonKey();
        TaskSnapshot snapshot = snapshot(t);
        return legacy.deferred.node(() -> MesosJson.write(snapshot.tree()),
                json -> t.v1Json = CachedEncoding.keep(t.v1Json, key, json));
    }

    /**
     * {@link #task} as an encoded {@code mesos.v1.Task}, kept while the task does not change; one not encoded yet is
     * left to {@code later} (its place in {@code into} is null until then).
     */
    private static void taskProto(TaskEntry t, List<byte[]> into, OffLoop later) {
        byte[] kept = CachedEncoding.kept(t.v1Proto, t);
        if (kept == null) {
            MasterState.JsonKey key = t.jsonKey();
            // from its v1 JSON where a JSON read kept it (the same task), else from a snapshot taken now
            RawJson json = CachedEncoding.kept(t.v1Json, t);
            java.util.function.Supplier<byte[]> make;
            if (json != null) {
                byte[] utf8 = json.asUnquotedUTF8();
                make = () -> io.pangaea.protobuf.ProtobufCodec.task(utf8);
            } else {
                TaskSnapshot snap = snapshot(t);
                make = () -> io.pangaea.protobuf.ProtobufCodec.task(MesosJson.write(snap.tree()));
            }
            later.add(into, into.size(), make, bytes -> t.v1Proto = CachedEncoding.keep(t.v1Proto, key, bytes));
        }
        into.add(kept);
    }

    /**
     * The encoding a read found missing on the loop, done afterwards on the reader thread that writes the answer
     * ({@link #encode}), then kept for the next reads by a task sent back to the loop: the first protobuf GET_STATE
     * of a big cluster converts hundreds of thousands of tasks (tens of seconds), which must not stop the loop.
     */
    public static final class OffLoop {
        private final List<Runnable> encode = new ArrayList<>();
        private final List<Runnable> keep = new ArrayList<>();

        void add(List<byte[]> into, int index, java.util.function.Supplier<byte[]> make,
                 java.util.function.Consumer<byte[]> kept) {
            encode.add(() -> into.set(index, make.get()));
            keep.add(() -> kept.accept(into.get(index)));
        }

        /**
         * Off the loop: fills in what is missing (on all cores when there is much of it: each fills its own place
         * in its list), and hands it to the loop to keep.
         */
        public void encode(Master master) {
            if (encode.isEmpty()) {
                return;
            }
            if (encode.size() >= DeferredJson.Batch.IN_PARALLEL_FROM) {
                encode.parallelStream().forEach(Runnable::run);
            } else {
                encode.forEach(Runnable::run);
            }
            try {
                master.loop().execute(() -> keep.forEach(Runnable::run));
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the master stopped meanwhile: nothing to keep them for
            }
        }
    }

    /** The tasks of GET_TASKS and GET_STATE, encoded, for a protobuf client (see {@code ProtobufCodec}). */
    public record EncodedTasks(List<byte[]> tasks, List<byte[]> unreachable, List<byte[]> completed) {}

    /** The tasks, encoded (those not encoded yet: once {@code later} has run). */
    public EncodedTasks encodedTasks(OffLoop later) {
        List<byte[]> tasks = new ArrayList<>();
        List<byte[]> unreachable = new ArrayList<>();
        List<byte[]> completed = new ArrayList<>();
        Viewer viewer = legacy.viewer();
        for (FrameworkEntry f : state.frameworks.values()) {
            for (TaskEntry t : f.tasks.values()) {
                if (viewer.task(f.info, t.info)) {
                    taskProto(t, t.state() == TaskState.TASK_UNREACHABLE ? unreachable : tasks, later);
                }
            }
            for (TaskEntry t : f.completedTasks) {
                if (viewer.task(f.info, t.info)) {
                    taskProto(t, completed, later);
                }
            }
        }
        for (FrameworkEntry f : state.completedFrameworks) {
            for (TaskEntry t : f.completedTasks) {
                if (viewer.task(f.info, t.info)) {
                    taskProto(t, completed, later);
                }
            }
        }
        return new EncodedTasks(tasks, unreachable, completed);
    }

    /** GET_STATE without its tasks and agents (they go separately, encoded, to a protobuf client). */
    public ObjectNode getStateWithoutTasksAndAgents() {
        ObjectNode body = F.objectNode();
        ObjectNode tasks = body.putObject("get_tasks");
        tasks.putArray("tasks");
        tasks.putArray("unreachable_tasks");
        tasks.putArray("completed_tasks");
        body.set("get_executors", getExecutors());
        body.set("get_frameworks", getFrameworks());
        body.set("get_agents", getAgents(false));
        return body;
    }

    public ObjectNode getTasks() {
        ObjectNode body = F.objectNode();
        ArrayNode tasks = body.putArray("tasks");
        ArrayNode unreachable = body.putArray("unreachable_tasks");
        ArrayNode completed = body.putArray("completed_tasks");
        Viewer viewer = legacy.viewer();
        for (FrameworkEntry f : state.frameworks.values()) {
            for (TaskEntry t : f.tasks.values()) {
                if (viewer.task(f.info, t.info)) {
                    (t.state() == TaskState.TASK_UNREACHABLE ? unreachable : tasks).add(taskJson(t));
                }
            }
            f.completedTasks.stream().filter(t -> viewer.task(f.info, t.info)).forEach(t -> completed.add(taskJson(t)));
        }
        for (FrameworkEntry f : state.completedFrameworks) {
            f.completedTasks.stream().filter(t -> viewer.task(f.info, t.info)).forEach(t -> completed.add(taskJson(t)));
        }
        return body;
    }

    /**
     * The custom and default executors tasks were launched under, with their agents. Command tasks have no executor
     * the master knows of (the agent's command executor runs them), as in Mesos.
     */
    public ObjectNode getExecutors() {
        ObjectNode body = F.objectNode();
        ArrayNode executors = body.putArray("executors");
        Viewer viewer = legacy.viewer();
        for (var agent : state.agents.values()) {
            for (var e : agent.executors.values()) {
                FrameworkEntry fw = state.frameworks.get(e.info.frameworkId());
                if (!viewer.executor(fw == null ? null : fw.info, e.info)) {
                    continue;
                }
                ObjectNode n = executors.addObject();
                n.set("agent_id", MesosJson.tree(agent.id));
                ObjectNode info = (ObjectNode) MesosJson.tree(e.info);
                if (e.info.resources() != null) {
                    info.set("resources", resources(e.resources));
                }
                n.set("executor_info", info);
            }
        }
        return body;
    }

    /** The offer operations with ids that frameworks have not finished acknowledging. */
    public ObjectNode getOperations() {
        ObjectNode body = F.objectNode();
        ArrayNode ops = body.putArray("operations");
        for (FrameworkEntry f : state.frameworks.values()) {
            for (var o : f.operations.values()) {
                ObjectNode n = ops.addObject();
                n.set("framework_id", MesosJson.tree(f.id));
                n.set("agent_id", MesosJson.tree(o.agentId));
                n.set("info", MesosJson.tree(o.info));
                n.set("latest_status", MesosJson.tree(o.latest()));
                n.set("statuses", MesosJson.tree(o.statuses));
                n.set("uuid", MesosJson.tree(o.latest().uuid() != null ? o.latest().uuid()
                        : new io.pangaea.model.OperationStatus.Uuid("")));
            }
        }
        return body;
    }

    public ObjectNode getState() {
        ObjectNode body = F.objectNode();
        body.set("get_tasks", getTasks());
        body.set("get_executors", getExecutors());
        body.set("get_frameworks", getFrameworks());
        body.set("get_agents", getAgents());
        return body;
    }

    /** Roles with frameworks subscribed to them, a weight or a quota, as Mesos lists them. */
    public ObjectNode getRoles() {
        Map<String, List<FrameworkEntry>> byRole = new TreeMap<>();
        for (FrameworkEntry f : state.frameworks.values()) {
            for (String r : f.roles()) {
                byRole.computeIfAbsent(r, k -> new ArrayList<>()).add(f);
            }
        }
        Map<String, Double> weights = master.registry().weights();
        weights.keySet().forEach(r -> byRole.computeIfAbsent(r, k -> new ArrayList<>()));
        master.registry().quotas().keySet().forEach(r -> byRole.computeIfAbsent(r, k -> new ArrayList<>()));
        ObjectNode body = F.objectNode();
        ArrayNode roles = body.putArray("roles");
        for (Map.Entry<String, List<FrameworkEntry>> e : byRole.entrySet()) {
            if (!legacy.viewer().role(e.getKey())) {
                continue;
            }
            ObjectNode n = roles.addObject();
            n.put("name", e.getKey());
            n.put("weight", weights.getOrDefault(e.getKey(), 1.0));
            ArrayNode fws = n.putArray("frameworks");
            Resources allocated = Resources.EMPTY;
            for (FrameworkEntry f : e.getValue()) {
                fws.addObject().put("value", f.id.value());
                Resources r = f.allocated.get(e.getKey());
                if (r != null) {
                    allocated = allocated.plus(r);
                }
            }
            n.set("resources", MesosJson.tree(allocated.unallocated().toList()));
        }
        return body;
    }

    public ObjectNode getMaster() {
        ObjectNode body = F.objectNode();
        body.set("master_info", MesosJson.tree(master.masterInfo()));
        body.put("start_time", Master.processStartTime());
        body.put("elected_time", master.electedTime());
        return body;
    }

    public ObjectNode getFlags() {
        ObjectNode body = F.objectNode();
        body.set("flags", io.pangaea.http.Metrics.nameValueList(legacy.flags()));
        return body;
    }
}
