package io.pangaea.master.internal.http;

import io.pangaea.http.JettyEventStream;
import io.pangaea.http.HttpSupport;
import io.pangaea.master.internal.CallResult;
import io.pangaea.master.internal.CallValidator;
import io.pangaea.http.EventSink;
import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterViews;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.MesosJsonException;
import io.pangaea.model.scheduler.Call;
import io.pangaea.protobuf.ProtobufCodec;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's HTTP edge: {@code /api/v1/scheduler}, the agent protocol under {@code /internal/v1/agent}, and the
 * read-only endpoints. It parses and validates, then hands the work to the {@link Master}'s event loop; it never
 * touches master state itself.
 */
public final class MasterHttpHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(MasterHttpHandler.class);
    static final String JSON = HttpSupport.JSON;
    static final String PROTOBUF = HttpSupport.PROTOBUF;

    private final Master master;
    private final OperatorApi operator;
    private final LegacyEndpoints legacy;

    private final io.pangaea.http.HttpRoutes routes;

    public MasterHttpHandler(Master master) {
        this(master, new io.pangaea.http.HttpRoutes());
    }

    /** With the routes other bundles serve: asked for the paths the master itself does not serve. */
    public MasterHttpHandler(Master master, io.pangaea.http.HttpRoutes routes) {
        this(master, routes, io.pangaea.http.HttpAuthentication::none);
    }

    /** Who may call what: the realms protected and the credentials, read at each request (they change live). */
    private final java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth;

    public MasterHttpHandler(Master master, io.pangaea.http.HttpRoutes routes,
                             java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth) {
        this.master = master;
        this.routes = routes;
        this.auth = auth;
        this.operator = new OperatorApi(master);
        this.legacy = new LegacyEndpoints(master);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        HttpSupport.Gate gate = HttpSupport.gate(request);
        try {
            if (!auth.get().admits(realm(path, request.getMethod()), request, response, callback)) {
                return true;
            }
            if (legacy.handle(path, request, response, callback)) {
                return true;
            }
            switch (path) {
                case "/api/v1/scheduler" -> scheduler(request, response, callback);
                case "/internal/v1/agent" -> agent(request, response, callback);
                case "/api/v1" -> {
                    if (checkPost(request, response, callback)) {
                        operator(request, response, callback);
                    }
                }
                case "/weights", "/master/weights" -> {
                    if ("GET".equals(request.getMethod())) {
                        operator.weights(request, null, response, callback);
                    } else if ("PUT".equals(request.getMethod())) {
                        byte[] body = HttpSupport.body(request, response, callback);
                        if (body != null) {
                            operator.weights(request, body, response, callback);
                        }
                    } else {
                        response.getHeaders().put(HttpHeader.ALLOW, "GET, PUT");
                        HttpSupport.text(response, callback, 405, "Expecting GET or PUT");
                    }
                }
                case "/quota", "/master/quota" -> operator.quota(response, callback);
                case "/health", "/master/health" -> HttpSupport.text(response, callback, 200, "");
                case "/version" -> read(request, response, callback, MasterViews::version);
                case "/master/state", "/master/state.json", "/state", "/state.json" ->
                        read(request, response, callback, MasterViews::state);
                case "/master/frameworks", "/frameworks" -> read(request, response, callback, MasterViews::frameworks);
                case "/master/slaves", "/slaves" -> read(request, response, callback, MasterViews::slaves);
                case "/master/state-summary", "/state-summary" -> read(request, response, callback, MasterViews::stateSummary);
                case "/metrics/snapshot", "/metrics/snapshot.json" -> {
                    if (Authorization.permits(master.acls(), "get_endpoints", Authorization.principal(request),
                            List.of("/metrics/snapshot"), response, callback)) {
                        read(request, response, callback, MasterViews::metrics);
                    }
                }
                case "/master/roles", "/roles", "/master/roles.json", "/roles.json" ->
                        read(request, response, callback, MasterViews::roles);
                case "/master/tasks", "/tasks", "/master/tasks.json" -> read(request, response, callback, MasterViews::tasks);
                case "/master/flags", "/flags" -> {
                    if (Authorization.permits(master.acls(), "view_flags", Authorization.principal(request),
                            List.of(), response, callback)) {
                        read(request, response, callback, v -> {
                    var n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                    n.set("flags", v.flags());
                    return n;
                        });
                    }
                }
                case "/master/redirect", "/redirect" -> {
                    response.setStatus(307);
                    response.getHeaders().put(HttpHeader.LOCATION,
                            "//" + master.config().ip() + ":" + master.config().port());
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
                    response.write(true, java.nio.ByteBuffer.allocate(0), callback);
                }
                default -> {
                    if (path.startsWith("/agents/")) {
                        agentFiles(path, request, response, callback);
                    } else if (!routes.serve(request, response, callback)) {
                        HttpSupport.text(response, callback, 404, "No such endpoint: " + path);
                    }
                }
            }
        } catch (Exception e) {
            LOG.warn("Failed to serve {}", path, e);
            HttpSupport.text(response, callback, 500, "Internal error: " + e.getClass().getSimpleName());
        } finally {
            gate.open();
        }
        return true;
    }

    /**
     * {@code GET /agents/<agent id>/files/browse|read|download} with the parameters of the agent's own file
     * endpoints: the agent's answer, fetched over its connection to the master, so that a browser talks to the
     * master only.
     */
    private void agentFiles(String path, Request request, Response response, Callback callback) {
        String[] parts = path.substring("/agents/".length()).split("/");
        if (parts.length != 3 || !parts[1].equals("files") || !List.of("browse", "read", "download")
                .contains(parts[2])) {
            HttpSupport.text(response, callback, 404, "No such endpoint: " + path
                    + " (expecting /agents/<agent id>/files/browse, read or download)");
            return;
        }
        if (!"GET".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            HttpSupport.text(response, callback, 405, "Expecting GET");
            return;
        }
        var q = Request.extractQueryParameters(request);
        Long offset;
        Long length;
        try {
            offset = q.getValue("offset") == null ? null : Long.valueOf(q.getValue("offset"));
            length = q.getValue("length") == null ? null : Long.valueOf(q.getValue("length"));
        } catch (NumberFormatException e) {
            HttpSupport.text(response, callback, 400, "'offset' and 'length' must be numbers");
            return;
        }
        if (q.getValue("path") == null || q.getValue("path").isBlank()) {
            HttpSupport.text(response, callback, 400, "Expecting 'path' to be present");
            return;
        }
        String principal = Authorization.principal(request);
        String requested = q.getValue("path");
        master.read(v -> v.sandboxUser(requested)).thenCompose(user -> {
            // a sandbox: its executor's or framework's user ('access_sandboxes'); anything else on the agent: its logs
            boolean allowed = user.isPresent()
                    ? master.acls().approves("access_sandboxes", principal, user.get())
                    : master.acls().approves("access_mesos_logs", principal, null);
            if (!allowed) {
                return CompletableFuture.failedFuture(new SecurityException(user.isPresent()
                        ? "access_sandboxes" : "access_mesos_logs"));
            }
            return master.agentFiles(io.pangaea.model.AgentId.of(parts[0]), parts[2], q.getValue("path"), offset,
                    length);
        }).whenComplete((reply, err) -> {
                    if (err != null) {
                        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause()
                                != null ? err.getCause() : err;
                        if (cause instanceof SecurityException) {
                            Authorization.forbid(cause.getMessage(), principal, List.of(q.getValue("path")),
                                    response, callback);
                            return;
                        }
                        HttpSupport.text(response, callback, cause instanceof java.util.NoSuchElementException ? 404
                                : 503, cause.getMessage());
                        return;
                    }
                    byte[] body = java.util.Base64.getDecoder().decode(reply.data() == null ? "" : reply.data());
                    HttpSupport.later(response, () -> {
                        response.setStatus(reply.status());
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType() == null
                                ? "application/octet-stream" : reply.contentType());
                        if (parts[2].equals("download") && reply.status() == 200) {
                            String name = java.nio.file.Path.of(q.getValue("path")).getFileName().toString()
                                    .replace("\"", "");
                            response.getHeaders().put("Content-Disposition", "attachment; filename=\"" + name
                                    + "\"");
                        }
                        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
                    });
                });
    }

    /**
     * The realm a request falls in, as Mesos divides them: the scheduler API, the agents' connection, reads
     * ({@code GET}) and writes (the operator API and every other method); null for what anyone may ask (health, the
     * redirect to the leader, the Web UI's own files).
     */
    public static String realm(String path, String method) {
        switch (path) {
            case "/health", "/master/health", "/redirect", "/master/redirect", "/", "/index.html" -> {
                return null;
            }
            case "/api/v1/scheduler" -> {
                return io.pangaea.http.HttpAuthentication.MASTER_SCHEDULER;
            }
            case "/internal/v1/agent" -> {
                return io.pangaea.http.HttpAuthentication.MASTER_AGENT;
            }
            case "/api/v1" -> {
                return io.pangaea.http.HttpAuthentication.MASTER_READWRITE;
            }
            default -> {
                if (path.startsWith("/ui/")) {
                    return null;
                }
                return "GET".equals(method) || "HEAD".equals(method) ? io.pangaea.http.HttpAuthentication
                        .MASTER_READONLY : io.pangaea.http.HttpAuthentication.MASTER_READWRITE;
            }
        }
    }

    /** A read endpoint's answer, showing what the caller may see ({@code view_*} ACLs). */
    private void read(Request request, Response response, Callback callback,
                      Function<MasterViews, com.fasterxml.jackson.databind.JsonNode> view) {
        master.read(master.viewer(Authorization.principal(request)), view).whenComplete((node, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Master is not available: " + err.getMessage());
            } else {
                HttpSupport.jsonStreamed(response, callback, node);
            }
        });
    }

    private static boolean checkPost(Request request, Response response, Callback callback) {
        return HttpSupport.isPost(request, response, callback) && HttpSupport.isCallType(request, response, callback);
    }

    /** {@code POST /api/v1}: a JSON or protobuf operator call, answered in the type Accept asks for. */
    private void operator(Request request, Response response, Callback callback) throws java.io.IOException {
        String out = HttpSupport.responseType(request, response, callback);
        if (out == null) {
            return;
        }
        byte[] body = HttpSupport.callBody(request, response, callback,
                b -> ProtobufCodec.callToJson(ProtobufCodec.Api.MASTER_OPERATOR, b));
        if (body == null) {
            return;
        }
        if (isSubscribe(body)) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, out);
            EventSink stream = new JettyEventStream(request, response, callback);
            master.subscribeOperator(PROTOBUF.equals(out)
                    ? stream.encoded(r -> ProtobufCodec.toProtobuf(ProtobufCodec.Api.MASTER_OPERATOR_EVENTS, r)) : stream,
                    master.viewer(Authorization.principal(request)));
            return;
        }
        request.setAttribute(OperatorApi.PROTOBUF_OUT, PROTOBUF.equals(out));
        operator.call(body, response, callback);
    }

    private static boolean isSubscribe(byte[] json) {
        try {
            var call = MesosJson.read(json, io.pangaea.model.operator.OperatorCall.class);
            return call.type() == io.pangaea.model.operator.OperatorCall.Type.SUBSCRIBE;
        } catch (MesosJsonException e) {
            return false; // the operator API answers it
        }
    }

    private void scheduler(Request request, Response response, Callback callback) throws Exception {
        if (!checkPost(request, response, callback)) {
            return;
        }
        byte[] body = HttpSupport.callBody(request, response, callback,
                b -> ProtobufCodec.callToJson(ProtobufCodec.Api.SCHEDULER, b));
        if (body == null) {
            return;
        }
        Call call;
        try {
            call = MesosJson.read(body, Call.class);
        } catch (MesosJsonException e) {
            HttpSupport.text(response, callback, 400, e.getMessage());
            return;
        }
        String invalid = CallValidator.validate(call);
        if (invalid == null) {
            invalid = ProtobufCodec.invalidJsonCall(ProtobufCodec.Api.SCHEDULER, body);
        }
        if (invalid != null) {
            HttpSupport.text(response, callback, 400, invalid);
            return;
        }
        HttpSupport.forgetBody(request); // a SUBSCRIBE's request lives as long as the framework's stream
        io.pangaea.model.FrameworkInfo info = call.type() == Call.Type.SUBSCRIBE ? call.subscribe().frameworkInfo()
                : call.type() == Call.Type.UPDATE_FRAMEWORK ? call.updateFramework().frameworkInfo() : null;
        String principal = Authorization.principal(request);
        // as Mesos: an authenticated framework names itself by that principal (the ACLs judge it by it)
        if (info != null && principal != null && !principal.equals(info.principal())) {
            HttpSupport.text(response, callback, 400, "Authenticated principal '" + principal + "' does not match"
                    + " principal '" + (info.principal() == null ? "" : info.principal())
                    + "' set in 'framework_info'");
            return;
        }
        // a framework's principal is the one it authenticated as, else the one it names
        String frameworkPrincipal = principal != null ? principal : info == null ? null : info.principal();
        boolean rolesAllowed = info == null || master.acls().approvesAll("register_frameworks", frameworkPrincipal,
                info.effectiveRoles());
        if (call.type() == Call.Type.UPDATE_FRAMEWORK && !rolesAllowed) {
            Authorization.forbid("register_frameworks", frameworkPrincipal, info.effectiveRoles(), response, callback);
            return;
        }
        // rate_limits: by the framework's principal (a call after SUBSCRIBE: the one it subscribed with)
        String limited = frameworkPrincipal != null ? frameworkPrincipal
                : call.frameworkId() == null ? null : master.frameworkPrincipal(call.frameworkId());
        io.pangaea.http.RateLimits.Limiter limiter = master.rateLimits().limiter(limited);
        long wait = limiter == null ? 0 : limiter.acquire();
        if (wait < 0) {
            HttpSupport.text(response, callback, 429, "Rate limit exceeded: " + (limited == null
                    ? "the frameworks without a limit of their own" : "principal '" + limited + "'") + " may make "
                    + limiter.qps() + " calls a second, and " + limiter.capacity() + " already wait (rate_limits)");
            return;
        }
        if (wait > 0) {
            RATE_LIMITED.schedule(() -> {
                limiter.done();
                try {
                    schedulerCall(call, info, rolesAllowed, frameworkPrincipal, request, response, callback);
                } catch (Exception e) {
                    LOG.warn("Failed to serve a scheduler call", e);
                    HttpSupport.text(response, callback, 500, "Internal error: " + e.getClass().getSimpleName());
                }
            }, wait, java.util.concurrent.TimeUnit.NANOSECONDS);
            return;
        }
        schedulerCall(call, info, rolesAllowed, frameworkPrincipal, request, response, callback);
    }

    /** Where scheduler calls that must wait for their turn under {@code rate_limits} wait. */
    private static final java.util.concurrent.ScheduledExecutorService RATE_LIMITED =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pangaea-master-rate-limits");
                t.setDaemon(true);
                return t;
            });

    /** A valid scheduler call, authorized and in its turn. */
    private void schedulerCall(Call call, io.pangaea.model.FrameworkInfo info, boolean rolesAllowed,
                               String frameworkPrincipal, Request request, Response response, Callback callback)
            throws Exception {
        if (call.type() == Call.Type.SUBSCRIBE) {
            String type = HttpSupport.responseType(request, response, callback);
            if (type == null) {
                return;
            }
            if (!rolesAllowed) {
                // as Mesos: the subscription is refused on the stream, with an ERROR event, and the stream closes
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
                EventSink stream = new JettyEventStream(request, response, callback);
                byte[] error = MesosJson.write(io.pangaea.model.scheduler.Event.error("Framework is not authorized"
                        + " to use roles " + info.effectiveRoles() + " with principal " + (frameworkPrincipal == null
                        ? "(none)" : "'" + frameworkPrincipal + "'") + " (ACL 'register_frameworks')"));
                (PROTOBUF.equals(type) ? stream.encoded(r -> ProtobufCodec.toProtobuf(ProtobufCodec.Api.SCHEDULER,
                        r)) : stream).send(error);
                stream.close();
                return;
            }
            String streamId = UUID.randomUUID().toString();
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put("Mesos-Stream-Id", streamId);
            EventSink stream = new JettyEventStream(request, response, callback);
            master.subscribe(call, streamId, PROTOBUF.equals(type)
                    ? stream.encoded(r -> ProtobufCodec.toProtobuf(ProtobufCodec.Api.SCHEDULER, r)) : stream);
            return;
        }
        String streamId = request.getHeaders().get("Mesos-Stream-Id");
        complete(master.call(call, streamId), response, callback);
    }

    private void agent(Request request, Response response, Callback callback) throws Exception {
        if (!checkPost(request, response, callback)) {
            return;
        }
        if (!JSON.equals(HttpSupport.mediaType(request))) {
            HttpSupport.text(response, callback, 415, "The agent protocol is application/json");
            return;
        }
        byte[] body = HttpSupport.body(request, response, callback);
        if (body == null) {
            return;
        }
        AgentCall call;
        try {
            call = MesosJson.readReported(body, AgentCall.class, master.completedKeptAfter());
        } catch (MesosJsonException e) {
            HttpSupport.text(response, callback, 400, e.getMessage());
            return;
        }
        HttpSupport.forgetBody(request); // a SUBSCRIBE's request lives as long as the agent's stream
        if (call.type() == null) {
            HttpSupport.text(response, callback, 400, "Expecting 'type' to be present");
            return;
        }
        switch (call.type()) {
            case SUBSCRIBE -> {
                if (Authorization.permits(master.acls(), "register_agents", Authorization.principal(request),
                        List.of(), response, callback)) {
                    agentSubscribe(call.subscribe(), request, response, callback);
                }
            }
            case UPDATE -> agentUpdates(call, response, callback);
            case UPDATE_AGENT -> {
                if (call.agentId() == null || call.updateAgent() == null || call.updateAgent().attributes() == null) {
                    HttpSupport.text(response, callback, 400,
                            "Expecting 'agent_id' and 'update_agent.attributes' to be present");
                    return;
                }
                master.updateAgentAttributes(call.agentId(), call.updateAgent().attributes());
                HttpSupport.text(response, callback, 202, "");
            }
            case MESSAGE -> {
                AgentCall.Message m = call.message();
                if (call.agentId() == null || m == null || m.frameworkId() == null || m.executorId() == null
                        || m.data() == null) {
                    HttpSupport.text(response, callback, 400, "Expecting 'agent_id' and 'message' with"
                            + " 'framework_id', 'executor_id' and 'data' to be present");
                    return;
                }
                master.executorMessage(call.agentId(), m);
                HttpSupport.text(response, callback, 202, "");
            }
            case PONG -> {
                if (call.agentId() == null) {
                    HttpSupport.text(response, callback, 400, "Expecting 'agent_id' to be present");
                    return;
                }
                master.agentPong(call.agentId());
                HttpSupport.text(response, callback, 202, "");
            }
            case FILES -> {
                AgentCall.FilesReply r = call.filesReply();
                if (call.agentId() == null || r == null || r.requestId() == null) {
                    HttpSupport.text(response, callback, 400, "Expecting 'agent_id' and 'files_reply' with"
                            + " 'request_id' to be present");
                    return;
                }
                master.agentFilesReply(call.agentId(), r);
                HttpSupport.text(response, callback, 202, "");
            }
            case EXECUTOR_EXITED -> {
                AgentCall.ExecutorExited e = call.executorExited();
                if (call.agentId() == null || e == null || e.frameworkId() == null || e.executorId() == null) {
                    HttpSupport.text(response, callback, 400, "Expecting 'agent_id' and 'executor_exited' with"
                            + " 'framework_id' and 'executor_id' to be present");
                    return;
                }
                master.executorExited(call.agentId(), e);
                HttpSupport.text(response, callback, 202, "");
            }
            default -> HttpSupport.text(response, callback, 400, "Unknown agent call type");
        }
    }

    /** The agent's SUBSCRIBE: its event stream opens, with its address as it says it or as it connects. */
    private void agentSubscribe(AgentCall.Subscribe subscribe, Request request, Response response,
                                Callback callback) {
        if (subscribe == null || subscribe.agentInfo() == null
                || subscribe.agentInfo().hostname() == null) {
            HttpSupport.text(response, callback, 400,
                    "Expecting 'subscribe.agent_info' with a 'hostname' to be present");
            return;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        AgentCall.Subscribe sub = subscribe;
        if (sub.address() == null || sub.address().ip() == null || sub.address().ip().isBlank()) {
            // an agent that does not say where it listens is reached where it connects from
            sub = sub.withAddress(new io.pangaea.model.Address(sub.agentInfo().hostname(),
                    Request.getRemoteAddr(request), sub.agentInfo().port()));
        }
        master.subscribeAgent(sub, new JettyEventStream(request, response, callback));
    }

    /** UPDATE (one) or UPDATES (a batch) of status updates from an agent: each must name its task and state. */
    private void agentUpdates(AgentCall call, Response response, Callback callback) {
        List<AgentCall.Update> all = call.allUpdates();
        if (all.isEmpty()) {
            HttpSupport.text(response, callback, 400, "Expecting 'update' or 'updates' to be present");
            return;
        }
        for (AgentCall.Update u : all) {
            if (u == null || u.status() == null || u.frameworkId() == null || u.status().taskId() == null
                    || u.status().state() == null) {
                HttpSupport.text(response, callback, 400,
                        "Expecting each update with 'framework_id', 'status.task_id' and 'status.state'");
                return;
            }
        }
        master.agentUpdates(all);
        HttpSupport.text(response, callback, 202, "");
    }

    private static void complete(CompletableFuture<CallResult> result, Response response, Callback callback) {
        result.whenComplete((r, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Master is not available");
            } else {
                HttpSupport.text(response, callback, r.status(), r.message());
            }
        });
    }
}
