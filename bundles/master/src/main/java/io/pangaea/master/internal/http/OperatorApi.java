package io.pangaea.master.internal.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.HttpSupport;
import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.OperatorValidator;
import io.pangaea.master.internal.V1Views;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.MesosJsonException;
import io.pangaea.model.operator.OperatorCall;
import io.pangaea.model.operator.QuotaConfig;
import io.pangaea.model.operator.WeightInfo;
import io.pangaea.protobuf.ProtobufCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The master's operator API ({@code POST /api/v1}) as far as it is served so far (weights, quota, the allocation
 * explanation, health, version), and the legacy {@code /weights} and {@code /quota} endpoints. Other operator calls
 * answer 501 with their name.
 */
final class OperatorApi {

    private static final ObjectMapper JSON = MesosJson.mapper();
    private final Master master;
    private final MasterFiles files;

    OperatorApi(Master master) {
        this.master = master;
        this.files = new MasterFiles(master);
    }

    void call(byte[] body, Response response, Callback callback) {
        OperatorCall call;
        try {
            call = MesosJson.read(body, OperatorCall.class);
        } catch (MesosJsonException e) {
            HttpSupport.text(response, callback, 400, e.getMessage());
            return;
        }
        String unconvertible = ProtobufCodec.invalidJsonCall(ProtobufCodec.Api.MASTER_OPERATOR, body);
        // EXPLAIN_ALLOCATION is Pangaea's own; DRAIN_AGENT's google.protobuf.Duration is written by Mesos as a
        // {"seconds", "nanos"} object, which protobuf's JSON parser does not take
        if (unconvertible != null && call.type() != OperatorCall.Type.EXPLAIN_ALLOCATION
                && call.type() != OperatorCall.Type.DRAIN_AGENT) {
            HttpSupport.text(response, callback, 400, unconvertible);
            return;
        }
        if (call.type() == null || call.type() == OperatorCall.Type.UNKNOWN) {
            HttpSupport.text(response, callback, 400, "Expecting 'type' to be present and known");
            return;
        }
        String principal = Authorization.principal(response.getRequest());
        Authorization.Check check = Authorization.of(call);
        if (check != null && !check.permits(master.acls(), principal, response, callback)) {
            return;
        }
        switch (call.type()) {
            case GET_HEALTH -> getHealth(call, response, callback);
            case GET_VERSION -> getVersion(call, response, callback);
            case GET_WEIGHTS -> getWeights(call, response, callback);
            case UPDATE_WEIGHTS -> updateWeights(call, response, callback);
            case GET_QUOTA -> getQuota(call, response, callback);
            case UPDATE_QUOTA -> updateQuota(call, response, callback);
            case RESERVE_RESOURCES, UNRESERVE_RESOURCES -> reserveResources(call, response, callback);
            case EXPLAIN_ALLOCATION -> explainAllocation(call, response, callback);
            case GET_METRICS -> getMetrics(call, response, callback);
            case GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_TASKS, GET_EXECUTORS, GET_ROLES, GET_MASTER, GET_FLAGS,
                    GET_OPERATIONS -> readView(call, response, callback);
            case GET_LOGGING_LEVEL, SET_LOGGING_LEVEL -> loggingLevel(call, response, callback);
            case DEACTIVATE_AGENT, REACTIVATE_AGENT -> setAgentActive(call, response, callback);
            case DRAIN_AGENT -> drainAgent(call, response, callback);
            case TEARDOWN -> teardown(call, response, callback);
            case MARK_AGENT_GONE -> markAgentGone(call, response, callback);
            case SET_QUOTA -> setQuota(call, response, callback);
            case REMOVE_QUOTA -> removeQuota(call, response, callback);
            case CREATE_VOLUMES, DESTROY_VOLUMES -> volumes(call, response, callback);
            case GROW_VOLUME, SHRINK_VOLUME -> resize(call, response, callback);
            case LIST_FILES -> listFiles(call, response, callback);
            case READ_FILE -> readFile(call, response, callback);
            case GET_MAINTENANCE_SCHEDULE, GET_MAINTENANCE_STATUS, UPDATE_MAINTENANCE_SCHEDULE, START_MAINTENANCE,
                    STOP_MAINTENANCE -> maintenance(call, response, callback);
            default -> HttpSupport.text(response, callback, 501, "Operator call " + call.type()
                    + " is not served by this Pangaea version");
        }
    }

    private void getHealth(OperatorCall call, Response response, Callback callback) {
        ObjectNode r = response("GET_HEALTH");
        r.putObject("get_health").put("healthy", true);
        send(response, callback, bytes(r));
    }

    private void getVersion(OperatorCall call, Response response, Callback callback) {
        reply(master.read(views -> views.version()), v -> {
            ObjectNode r = response("GET_VERSION");
            ObjectNode info = r.putObject("get_version").putObject("version_info");
            for (String k : List.of("version", "build_date", "build_time", "build_user", "git_branch")) {
                info.set(k, v.get(k));
            }
            return r;
        }, response, callback);
    }

    private void getWeights(OperatorCall call, Response response, Callback callback) {
        var viewer = master.viewer(Authorization.principal(response.getRequest()));
        reply(master.weights(), w -> {
        ObjectNode r = response("GET_WEIGHTS");
        r.putObject("get_weights").set("weight_infos", JSON.valueToTree(w.stream().filter(i -> viewer.role(i.role()))
                .toList()));
        return r;
    }, response, callback);
    }

    private void updateWeights(OperatorCall call, Response response, Callback callback) {
        String bad = OperatorValidator.updateWeights(call.updateWeights());
        if (bad != null) {
            HttpSupport.text(response, callback, 400, bad);
            return;
        }
        done(master.updateWeights(call.updateWeights().weightInfos()), response, callback);
    }

    private void getQuota(OperatorCall call, Response response, Callback callback) {
        String principal = Authorization.principal(response.getRequest());
        reply(master.quotas(), q -> {
        ObjectNode r = response("GET_QUOTA");
        r.putObject("get_quota").set("status", quotaStatus(visibleQuotas(q, principal)));
        return r;
    }, response, callback);
    }

    private void updateQuota(OperatorCall call, Response response, Callback callback) {
        String bad = OperatorValidator.updateQuota(call.updateQuota());
        if (bad != null) {
            HttpSupport.text(response, callback, 400, bad);
            return;
        }
        done(master.updateQuotas(call.updateQuota().quotaConfigs()), response, callback);
    }

    private void reserveResources(OperatorCall call, Response response, Callback callback) {
        boolean reserve = call.type() == OperatorCall.Type.RESERVE_RESOURCES;
        io.pangaea.model.AgentId agent = reserve
                ? (call.reserveResources() == null ? null : call.reserveResources().agentId())
                : (call.unreserveResources() == null ? null : call.unreserveResources().agentId());
        List<io.pangaea.model.Resource> res = reserve
                ? (call.reserveResources() == null ? null : call.reserveResources().resources())
                : (call.unreserveResources() == null ? null : call.unreserveResources().resources());
        String field = reserve ? "reserve_resources" : "unreserve_resources";
        if (agent == null || agent.value() == null) {
            HttpSupport.text(response, callback, 400, "Expecting '" + field + ".agent_id' to be present");
            return;
        }
        if (res == null || res.isEmpty()) {
            HttpSupport.text(response, callback, 400, "Expecting '" + field + ".resources' to be present");
            return;
        }
        status(master.operatorReservation(agent.value(), res, reserve), response, callback);
    }

    private void explainAllocation(OperatorCall call, Response response, Callback callback) {
        OperatorCall.Explain e = call.explain();
        String subject = e == null ? null : e.frameworkId() != null ? e.frameworkId() : e.role();
        if (subject == null || subject.isEmpty()) {
            HttpSupport.text(response, callback, 400, "Expecting 'explain.role' or 'explain.framework_id'");
            return;
        }
        reply(master.explain(subject), list -> {
            ObjectNode r = response("EXPLAIN_ALLOCATION");
            r.putObject("explain_allocation").set("explanations", JSON.valueToTree(list));
            return r;
        }, response, callback);
    }

    private void getMetrics(OperatorCall call, Response response, Callback callback) {
        reply(master.read(views -> views.metrics()), m -> {
        ObjectNode r = response("GET_METRICS");
        r.putObject("get_metrics").set("metrics", io.pangaea.http.Metrics.nameValueList(m));
        return r;
    }, response, callback);
    }

    private void readView(OperatorCall call, Response response, Callback callback) {
        OperatorCall.Type t = call.type();
        if ((t == OperatorCall.Type.GET_STATE || t == OperatorCall.Type.GET_TASKS
                || t == OperatorCall.Type.GET_AGENTS)
                && Boolean.TRUE.equals(response.getRequest().getAttribute(PROTOBUF_OUT))) {
            encodedView(t, response, callback);
            return;
        }
        reply(master.read(master.viewer(Authorization.principal(response.getRequest())), views -> {
            V1Views v = views.v1();
            return switch (t) {
                case GET_STATE -> v.getState();
                case GET_AGENTS -> v.getAgents();
                case GET_FRAMEWORKS -> v.getFrameworks();
                case GET_TASKS -> v.getTasks();
                case GET_EXECUTORS -> v.getExecutors();
                case GET_ROLES -> v.getRoles();
                case GET_MASTER -> v.getMaster();
                case GET_OPERATIONS -> v.getOperations();
                default -> v.getFlags();
            };
        }), v -> V1Views.response(t.name(), v), response, callback);
    }

    /**
     * GET_STATE, GET_TASKS and GET_AGENTS for a protobuf client: the tasks and agents, each encoded once and kept
     * while it does not change, are added to the rest of the response encoded (rather than the whole state going
     * through JSON each time).
     */
    private void encodedView(OperatorCall.Type t, Response response, Callback callback) {
        boolean state = t == OperatorCall.Type.GET_STATE;
        boolean withTasks = state || t == OperatorCall.Type.GET_TASKS;
        boolean withAgents = state || t == OperatorCall.Type.GET_AGENTS;
        V1Views.OffLoop later = new V1Views.OffLoop();
        master.read(master.viewer(Authorization.principal(response.getRequest())), views -> {
            io.pangaea.master.internal.V1Views v = views.v1();
            JsonNode head = state ? v.getStateWithoutTasksAndAgents() : withAgents ? v.getAgents(false) : null;
            return new Object[] {head, withTasks ? v.encodedTasks(later) : null,
                    withAgents ? v.encodedAgents(later) : null};
        }).whenComplete((parts, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Master is not available: " + err.getMessage());
                return;
            }
            later.encode(master);
            JsonNode head = V1Views.response(t.name(), parts[0] != null ? (JsonNode) parts[0]
                    : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
            List<ProtobufCodec.Appended> appended = new java.util.ArrayList<>();
            if (withTasks) {
                var tasks = (io.pangaea.master.internal.V1Views.EncodedTasks) parts[1];
                appended.add(ProtobufCodec.tasks(state ? List.of("get_state", "get_tasks") : List.of("get_tasks"),
                        tasks.tasks(), tasks.unreachable(), tasks.completed()));
            }
            if (withAgents) {
                @SuppressWarnings("unchecked")
                List<byte[]> agents = (List<byte[]>) parts[2];
                appended.add(new ProtobufCodec.Appended(state ? List.of("get_state", "get_agents")
                        : List.of("get_agents"), java.util.Map.of("agents", agents)));
            }
            byte[] rest = ProtobufCodec.toProtobuf(ProtobufCodec.Api.MASTER_OPERATOR, bytes(head));
            HttpSupport.streamed(response, callback, MasterHttpHandler.PROTOBUF,
                    out -> ProtobufCodec.writeWithRepeated(rest, appended, out));
        });
    }

    private void loggingLevel(OperatorCall call, Response response, Callback callback) {
        var set = call.setLoggingLevel();
        io.pangaea.http.LoggingLevel.serve(master.loggingLevel(), "master",
                call.type() == OperatorCall.Type.GET_LOGGING_LEVEL,
                set == null || set.level() == null ? null : Long.valueOf(set.level()),
                set == null || set.duration() == null ? null : set.duration().nanoseconds(),
                response, callback, r -> send(response, callback, bytes(r)));
    }

    private void setAgentActive(OperatorCall call, Response response, Callback callback) {
        boolean activate = call.type() == OperatorCall.Type.REACTIVATE_AGENT;
        String field = activate ? "reactivate_agent" : "deactivate_agent";
        OperatorCall.AgentRef ref = activate ? call.reactivateAgent() : call.deactivateAgent();
        if (ref == null || ref.agentId() == null || ref.agentId().value() == null) {
            HttpSupport.text(response, callback, 400, "Expecting '" + field + ".agent_id' to be present");
            return;
        }
        found(master.setAgentActive(ref.agentId(), activate), 404, "Agent '" + ref.agentId().value()
                + "' is not known", response, callback);
    }

    private void drainAgent(OperatorCall call, Response response, Callback callback) {
        OperatorCall.DrainAgent d = call.drainAgent();
        if (d == null || d.agentId() == null || d.agentId().value() == null) {
            HttpSupport.text(response, callback, 400, "Expecting 'drain_agent.agent_id' to be present");
            return;
        }
        if (d.maxGracePeriod() != null && d.maxGracePeriod().toNanos() < 0) {
            HttpSupport.text(response, callback, 400, "'drain_agent.max_grace_period' must not be"
                    + " negative");
            return;
        }
        found(master.drainAgent(d), 404, "Agent '" + d.agentId().value() + "' is not known", response,
                callback);
    }

    private void teardown(OperatorCall call, Response response, Callback callback) {
        if (call.teardown() == null || call.teardown().frameworkId() == null
                || call.teardown().frameworkId().value() == null) {
            HttpSupport.text(response, callback, 400, "Expecting 'teardown.framework_id' to be present");
            return;
        }
        status(master.teardown(call.teardown().frameworkId(), Authorization.principal(response.getRequest())),
                response, callback);
    }

    private void markAgentGone(OperatorCall call, Response response, Callback callback) {
        if (call.markAgentGone() == null || call.markAgentGone().agentId() == null
                || call.markAgentGone().agentId().value() == null) {
            HttpSupport.text(response, callback, 400, "Expecting 'mark_agent_gone.agent_id' to be present");
            return;
        }
        var id = call.markAgentGone().agentId();
        found(master.markAgentGone(id), 404, "Agent '" + id.value() + "' is not known", response, callback);
    }

    private void setQuota(OperatorCall call, Response response, Callback callback) {
        String bad = OperatorValidator.setQuota(call.setQuota());
        if (bad != null) {
            HttpSupport.text(response, callback, 400, bad);
            return;
        }
        OperatorCall.QuotaRequest q = call.setQuota().quotaRequest();
        status(master.setQuota(q.role(), OperatorValidator.guarantee(q)), response, callback);
    }

    private void removeQuota(OperatorCall call, Response response, Callback callback) {
        String role = call.removeQuota() == null ? null : call.removeQuota().role();
        String bad = OperatorValidator.validateRole("remove_quota.role", role);
        if (bad != null) {
            HttpSupport.text(response, callback, 400, bad);
            return;
        }
        status(master.removeQuota(role), response, callback);
    }

    private void volumes(OperatorCall call, Response response, Callback callback) {
        boolean create = call.type() == OperatorCall.Type.CREATE_VOLUMES;
        OperatorCall.Volumes v = create ? call.createVolumes() : call.destroyVolumes();
        String field = create ? "create_volumes" : "destroy_volumes";
        if (v == null || v.agentId() == null || v.agentId().value() == null) {
            HttpSupport.text(response, callback, 400, "Expecting '" + field + ".agent_id' to be present");
            return;
        }
        if (v.volumes() == null || v.volumes().isEmpty() || v.volumes().contains(null)) {
            HttpSupport.text(response, callback, 400, "Expecting '" + field + ".volumes' with at least one volume");
            return;
        }
        status(master.operatorVolumes(v.agentId().value(), v.volumes(), create), response, callback);
    }

    private void resize(OperatorCall call, Response response, Callback callback) {
        boolean grow = call.type() == OperatorCall.Type.GROW_VOLUME;
        io.pangaea.model.AgentId agent = grow ? (call.growVolume() == null ? null : call.growVolume().agentId())
                : (call.shrinkVolume() == null ? null : call.shrinkVolume().agentId());
        String field = grow ? "grow_volume" : "shrink_volume";
        if (agent == null || agent.value() == null) {
            HttpSupport.text(response, callback, 400, "Expecting '" + field + ".agent_id' to be present");
            return;
        }
        status(grow ? master.operatorResize(agent.value(), true, call.growVolume().volume(),
                call.growVolume().addition(), null) : master.operatorResize(agent.value(), false,
                call.shrinkVolume().volume(), null, call.shrinkVolume().subtract()), response, callback);
    }

    private void listFiles(OperatorCall call, Response response, Callback callback) {
        String path = call.listFiles() == null ? null : call.listFiles().path();
        try {
            ObjectNode r = response("LIST_FILES");
            r.putObject("list_files").set("file_infos", files.list(path));
            send(response, callback, bytes(r));
        } catch (MasterFiles.FileException e) {
            HttpSupport.text(response, callback, e.status, e.getMessage());
        }
    }

    private void readFile(OperatorCall call, Response response, Callback callback) {
        OperatorCall.ReadFile rf = call.readFile();
        try {
            if (rf == null || rf.offset() == null) {
                throw new MasterFiles.FileException(400, "Expecting 'read_file.offset' to be present");
            }
            io.pangaea.http.FileInfos.Chunk c = files.read(rf.path(), rf.offset(), rf.length());
            ObjectNode r = response("READ_FILE");
            r.putObject("read_file").put("size", c.size())
                    .put("data", java.util.Base64.getEncoder().encodeToString(c.data()));
            send(response, callback, bytes(r));
        } catch (MasterFiles.FileException e) {
            HttpSupport.text(response, callback, e.status, e.getMessage());
        }
    }

    /** The maintenance calls: the schedule and the status, a new schedule, machines down and up. */
    private void maintenance(OperatorCall call, Response response, Callback callback) {
        switch (call.type()) {
                case GET_MAINTENANCE_SCHEDULE -> reply(master.maintenanceSchedule(), s -> {
                    ObjectNode r = response("GET_MAINTENANCE_SCHEDULE");
                    r.putObject("get_maintenance_schedule").set("schedule", MesosJson.tree(s));
                    return r;
                }, response, callback);
                case GET_MAINTENANCE_STATUS -> reply(master.maintenanceStatus(), s -> {
                    ObjectNode r = response("GET_MAINTENANCE_STATUS");
                    r.putObject("get_maintenance_status").set("status", MesosJson.tree(s));
                    return r;
                }, response, callback);
                case UPDATE_MAINTENANCE_SCHEDULE -> {
                    if (call.updateMaintenanceSchedule() == null || call.updateMaintenanceSchedule().schedule() == null) {
                        HttpSupport.text(response, callback, 400, "Expecting 'update_maintenance_schedule.schedule' to"
                                + " be present");
                        return;
                    }
                    status(master.updateMaintenanceSchedule(call.updateMaintenanceSchedule().schedule()), response,
                            callback);
                }
                case START_MAINTENANCE, STOP_MAINTENANCE -> {
                    boolean down = call.type() == OperatorCall.Type.START_MAINTENANCE;
                    OperatorCall.Machines m = down ? call.startMaintenance() : call.stopMaintenance();
                    status(master.maintenance(m == null ? null : m.machines(), down), response, callback);
                }
            default -> throw new IllegalArgumentException(call.type() + " is not a maintenance call");
        }
    }

    /** Answers with the status and message the master gave. */
    static void status(CompletableFuture<io.pangaea.master.internal.CallResult> f, Response response,
                       Callback callback) {
        f.whenComplete((r, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Master is not available: " + err.getMessage());
            } else {
                HttpSupport.text(response, callback, r.status(), r.message());
            }
        });
    }

    /** {@code GET /weights}: the weights as a JSON array; {@code PUT /weights}: replaces the given ones. */
    void weights(Request request, byte[] body, Response response, Callback callback) {
        if ("GET".equals(request.getMethod())) {
            var viewer = master.viewer(Authorization.principal(request));
            reply(master.weights(), w -> JSON.valueToTree(w.stream().filter(i -> viewer.role(i.role())).toList()),
                    response, callback);
            return;
        }
        List<WeightInfo> infos;
        try {
            infos = JSON.readValue(body, new TypeReference<List<WeightInfo>>() { });
        } catch (Exception e) {
            HttpSupport.text(response, callback, 400, "Expecting a JSON array of {\"role\", \"weight\"}: "
                    + e.getMessage().split("\n")[0]);
            return;
        }
        OperatorCall.UpdateWeights u = new OperatorCall.UpdateWeights(infos);
        String bad = OperatorValidator.updateWeights(u);
        if (bad != null) {
            HttpSupport.text(response, callback, 400, bad);
            return;
        }
        if (!Authorization.permits(master.acls(), "update_weights", Authorization.principal(request),
                infos.stream().map(WeightInfo::role).toList(), response, callback)) {
            return;
        }
        done(master.updateWeights(infos), response, callback);
    }

    /** {@code GET /quota}: the quota status (Mesos {@code QuotaStatus}). */
    void quota(Response response, Callback callback) {
        String principal = Authorization.principal(response.getRequest());
        reply(master.quotas(), q -> quotaStatus(visibleQuotas(q, principal)), response, callback);
    }

    /** The quotas of the roles {@code principal} may see ({@code get_quotas}). */
    private List<QuotaConfig> visibleQuotas(List<QuotaConfig> all, String principal) {
        io.pangaea.http.Acls acls = master.acls();
        return all.stream().filter(q -> acls.approves("get_quotas", principal, q.role())).toList();
    }

    private JsonNode quotaStatus(List<QuotaConfig> configs) {
        ObjectNode status = JSON.createObjectNode();
        ArrayNode infos = status.putArray("infos");
        for (QuotaConfig q : configs) {
            ObjectNode info = infos.addObject().put("role", q.role());
            ArrayNode guarantee = info.putArray("guarantee");
            q.guarantees().forEach((name, v) -> guarantee.addObject().put("name", name).put("type", "SCALAR")
                    .putObject("scalar").put("value", v.value()));
        }
        status.set("configs", JSON.valueToTree(configs));
        return status;
    }

    private static ObjectNode response(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    /** 200 when {@code done} completes true; {@code status} with {@code message} when false. */
    private static void found(CompletableFuture<Boolean> done, int status, String message, Response response,
                              Callback callback) {
        done.whenComplete((ok, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Master is not available: " + err.getMessage());
            } else {
                HttpSupport.text(response, callback, ok ? 200 : status, ok ? "" : message);
            }
        });
    }

    /** Request attribute: the operator response goes out as a protobuf {@code mesos.v1.master.Response}. */
    static final String PROTOBUF_OUT = "io.pangaea.operator.protobuf";

    private static void send(Response response, Callback callback, byte[] json) {
        if (Boolean.TRUE.equals(response.getRequest().getAttribute(PROTOBUF_OUT))) {
            HttpSupport.ok(response, callback, MasterHttpHandler.PROTOBUF,
                    ProtobufCodec.toProtobuf(ProtobufCodec.Api.MASTER_OPERATOR, json));
        } else {
            HttpSupport.json(response, callback, json);
        }
    }

    private static byte[] bytes(JsonNode n) {
        return MesosJson.write(n);
    }

    private static <T> void reply(CompletableFuture<T> f, java.util.function.Function<T, JsonNode> render,
                                  Response response, Callback callback) {
        f.whenComplete((v, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Master is not available: " + err.getMessage());
            } else if (Boolean.TRUE.equals(response.getRequest().getAttribute(PROTOBUF_OUT))) {
                send(response, callback, bytes(render.apply(v)));
            } else {
                HttpSupport.jsonStreamed(response, callback, render.apply(v));
            }
        });
    }

    private static void done(CompletableFuture<Void> f, Response response, Callback callback) {
        f.whenComplete((v, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Not applied: " + err.getMessage());
            } else {
                HttpSupport.text(response, callback, 200, "");
            }
        });
    }
}
