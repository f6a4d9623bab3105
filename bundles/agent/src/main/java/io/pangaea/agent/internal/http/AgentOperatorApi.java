package io.pangaea.agent.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.agent.internal.Agent;
import io.pangaea.agent.internal.AgentView;
import io.pangaea.http.HttpSupport;
import io.pangaea.model.json.MesosJson;
import io.pangaea.protobuf.ProtobufCodec;
import java.io.IOException;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The agent's v1 operator API ({@code POST /api/v1}, JSON or protobuf as Content-Type and Accept say): GET_HEALTH, GET_VERSION, GET_STATE, GET_AGENT,
 * GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_FLAGS, GET_CONTAINERS (with each container's resource statistics, as
 * {@code /monitor/statistics}), GET_OPERATIONS and GET_RESOURCE_PROVIDERS (both empty here),
 * GET/SET_LOGGING_LEVEL (in Karaf), LIST_FILES and READ_FILE. The other calls of Mesos's {@code agent.proto} answer 501 with their name.
 */
final class AgentOperatorApi {

    /** Every call type of Mesos 1.11's v1 {@code agent.proto}. */
    static final Set<String> CALLS = Set.of("GET_HEALTH", "GET_FLAGS", "GET_VERSION", "GET_METRICS",
            "GET_LOGGING_LEVEL", "SET_LOGGING_LEVEL", "LIST_FILES", "READ_FILE", "GET_STATE", "GET_CONTAINERS",
            "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_OPERATIONS", "GET_TASKS", "GET_AGENT", "GET_RESOURCE_PROVIDERS",
            "LAUNCH_NESTED_CONTAINER", "WAIT_NESTED_CONTAINER", "KILL_NESTED_CONTAINER", "REMOVE_NESTED_CONTAINER",
            "LAUNCH_NESTED_CONTAINER_SESSION", "ATTACH_CONTAINER_INPUT", "ATTACH_CONTAINER_OUTPUT",
            "LAUNCH_CONTAINER", "WAIT_CONTAINER", "KILL_CONTAINER", "REMOVE_CONTAINER", "ADD_RESOURCE_PROVIDER_CONFIG",
            "UPDATE_RESOURCE_PROVIDER_CONFIG", "REMOVE_RESOURCE_PROVIDER_CONFIG", "MARK_RESOURCE_PROVIDER_GONE",
            "PRUNE_IMAGES");
    private static final ObjectMapper JSON = MesosJson.mapper();
    private static final String PROTOBUF_TYPE = HttpSupport.PROTOBUF;
    /** Request attribute: answer with a protobuf {@code mesos.v1.agent.Response}. */
    private static final String PROTOBUF_OUT = "io.pangaea.agent.operator.protobuf";

    /** 200 with the JSON response, or the same as protobuf when Accept asked for it. */
    private static void reply(Response response, Callback callback, byte[] json) {
        if (Boolean.TRUE.equals(response.getRequest().getAttribute(PROTOBUF_OUT))) {
            HttpSupport.ok(response, callback, PROTOBUF_TYPE,
                    ProtobufCodec.toProtobuf(ProtobufCodec.Api.AGENT_OPERATOR, json));
        } else {
            HttpSupport.json(response, callback, json);
        }
    }
    private final Agent agent;
    private final SandboxFiles files;

    private final AgentAuthorization authorization;

    AgentOperatorApi(Agent agent, SandboxFiles files, AgentAuthorization authorization) {
        this.agent = agent;
        this.files = files;
        this.authorization = authorization;
    }

    private static Request request(Response response) {
        return response.getRequest();
    }

    void handle(Request request, Response response, Callback callback) throws IOException {
        if (!HttpSupport.isPost(request, response, callback) || !HttpSupport.isCallType(request, response, callback)) {
            return;
        }
        String out = HttpSupport.responseType(request, response, callback);
        if (out == null) {
            return;
        }
        byte[] body = HttpSupport.callBody(request, response, callback,
                b -> ProtobufCodec.callToJson(ProtobufCodec.Api.AGENT_OPERATOR, b));
        if (body == null) {
            return;
        }
        request.setAttribute(PROTOBUF_OUT, out.equals(PROTOBUF_TYPE));
        JsonNode call;
        try {
            call = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            HttpSupport.text(response, callback, 400, "Failed to parse the body as JSON: " + e.getOriginalMessage());
            return;
        } catch (java.io.IOException e) {
            // bytes that are no Unicode text at all (Jackson's encoding detection gives up)
            HttpSupport.text(response, callback, 400, "Failed to parse the body as JSON: it is not UTF-8 text");
            return;
        }
        if (call == null || !call.isObject()) {
            HttpSupport.text(response, callback, 400, "Expecting a JSON object with 'type'");
            return;
        }
        String callType = call.path("type").asText("");
        if (callType.isEmpty()) {
            HttpSupport.text(response, callback, 400, "Expecting 'type' to be present");
            return;
        }
        if (!CALLS.contains(callType)) {
            HttpSupport.text(response, callback, 400, "Unknown 'type': '" + callType + "'");
            return;
        }
        dispatch(callType, call, response, callback);
    }

    /** Answers a call of a known type. */
    private void dispatch(String callType, JsonNode call, Response response, Callback callback) {
        switch (callType) {
            case "GET_HEALTH" -> {
                ObjectNode r = JSON.createObjectNode().put("type", "GET_HEALTH");
                r.putObject("get_health").put("healthy", true);
                reply(response, callback, MesosJson.write(r));
            }
            case "GET_VERSION" -> {
                ObjectNode r = JSON.createObjectNode().put("type", "GET_VERSION");
                r.putObject("get_version").set("version_info", io.pangaea.http.MesosVersion.json());
                reply(response, callback, MesosJson.write(r));
            }
            case "GET_LOGGING_LEVEL" -> loggingLevel(callType, call, response, callback);
            case "SET_LOGGING_LEVEL" -> {
                if (authorization.permits(request(response), "set_log_level", null, response, callback)) {
                    loggingLevel(callType, call, response, callback);
                }
            }
            case "GET_OPERATIONS", "GET_RESOURCE_PROVIDERS" -> {
                // This agent has no resource providers and does not advertise RESOURCE_PROVIDER or
                // AGENT_OPERATION_FEEDBACK, so the master applies operations on its resources itself and none are
                // ever sent here: both lists are empty, as a Mesos agent with these capabilities answers.
                boolean ops = callType.equals("GET_OPERATIONS");
                ObjectNode r = JSON.createObjectNode().put("type", callType);
                r.putObject(ops ? "get_operations" : "get_resource_providers")
                        .putArray(ops ? "operations" : "resource_providers");
                reply(response, callback, MesosJson.write(r));
            }
            case "GET_CONTAINERS" -> agent.containers().whenComplete((list, err) -> {
                if (err != null) {
                    HttpSupport.text(response, callback, 503, "Agent is not available");
                } else {
                    reply(response, callback, MesosJson.write(AgentView.getContainers(list)));
                }
            });
            case "GET_FLAGS" -> {
                if (authorization.permits(request(response), "view_flags", null, response, callback)) {
                    readView(callType, response, callback);
                }
            }
            case "GET_METRICS" -> {
                if (authorization.permits(request(response), "get_endpoints", "/metrics/snapshot", response,
                        callback)) {
                    readView(callType, response, callback);
                }
            }
            case "GET_STATE", "GET_AGENT", "GET_FRAMEWORKS", "GET_EXECUTORS", "GET_TASKS" ->
                    readView(callType, response, callback);
            case "LIST_FILES" -> authorization.files(request(response), call.at("/list_files/path").asText(null),
                    () -> {
                        try {
                            ObjectNode r = JSON.createObjectNode().put("type", "LIST_FILES");
                            r.set("list_files", files.listFiles(call.at("/list_files/path").asText(null)));
                            reply(response, callback, MesosJson.write(r));
                        } catch (SandboxFiles.FileException e) {
                            HttpSupport.text(response, callback, e.status, e.getMessage());
                        }
                    }, response, callback);
            case "READ_FILE" -> authorization.files(request(response), call.at("/read_file/path").asText(null),
                    () -> readFile(call.path("read_file"), response, callback), response, callback);
            default -> HttpSupport.text(response, callback, 501, "Call '" + callType
                    + "' is not served by this Pangaea agent yet");
        }
    }

    /** The read calls (GET_STATE, GET_AGENT, ...): a view of the agent's state, taken on its state thread. */
    private void readView(String callType, Response response, Callback callback) {
        agent.read(v -> switch (callType) {
            case "GET_STATE" -> v.getState();
            case "GET_AGENT" -> v.getAgent();
            case "GET_FRAMEWORKS" -> v.getFrameworks();
            case "GET_EXECUTORS" -> v.getExecutors();
            case "GET_TASKS" -> v.getTasks();
            case "GET_METRICS" -> v.getMetrics();
            default -> v.getFlags();
        }).whenComplete((view, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Agent is not available");
            } else {
                ObjectNode r = JSON.createObjectNode().put("type", callType);
                r.set(callType.toLowerCase(java.util.Locale.ROOT), view);
                reply(response, callback, MesosJson.write(r));
            }
        });
    }

    /** READ_FILE: a chunk of a sandbox file, with the file's size. */
    private void readFile(JsonNode rf, Response response, Callback callback) {
        try {
            if (!rf.path("offset").canConvertToLong() && !rf.path("offset").isMissingNode()
                    || rf.has("length") && !rf.path("length").canConvertToLong()) {
                throw new SandboxFiles.FileException(400, "Expecting 'read_file.offset' and"
                        + " 'read_file.length' to be numbers");
            }
            if (!rf.has("offset")) {
                throw new SandboxFiles.FileException(400, "Expecting 'read_file.offset' to be present");
            }
            SandboxFiles.Chunk c = files.read(rf.path("path").asText(null), rf.path("offset").asLong(),
                    rf.has("length") ? rf.path("length").asLong() : SandboxFiles.MAX_READ);
            ObjectNode r = JSON.createObjectNode().put("type", "READ_FILE");
            r.putObject("read_file").put("size", c.size())
                    .put("data", java.util.Base64.getEncoder().encodeToString(c.data()));
            reply(response, callback, MesosJson.write(r));
        } catch (SandboxFiles.FileException e) {
            HttpSupport.text(response, callback, e.status, e.getMessage());
        }
    }

    /**
     * GET_LOGGING_LEVEL and SET_LOGGING_LEVEL: the level of the agent's {@code io.pangaea} loggers (Mesos's glog
     * verbosity: 0 INFO, 1 DEBUG, 2 and more TRACE), set for a duration after which the level before returns.
     */
    private void loggingLevel(String callType, JsonNode call, Response response, Callback callback) {
        io.pangaea.http.LoggingLevel.serve(agent.loggingLevel(), "agent", callType.equals("GET_LOGGING_LEVEL"),
                integer(call.at("/set_logging_level/level")),
                integer(call.at("/set_logging_level/duration/nanoseconds")),
                response, callback, r -> reply(response, callback, MesosJson.write(r)));
    }

    /** An integer field, also when it comes as a string (64-bit integers do in Mesos JSON); null when absent. */
    private static Long integer(JsonNode n) {
        if (n.canConvertToLong()) {
            return n.asLong();
        }
        return n.isTextual() && n.asText().matches("-?\\d{1,18}") ? Long.valueOf(n.asText()) : null;
    }
}
