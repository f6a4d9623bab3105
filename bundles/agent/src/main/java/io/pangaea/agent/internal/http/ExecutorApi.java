package io.pangaea.agent.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.agent.internal.Agent;
import io.pangaea.http.EventSink;
import io.pangaea.http.HttpSupport;
import io.pangaea.http.JettyEventStream;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.MesosJsonException;
import io.pangaea.protobuf.ProtobufCodec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The v1 executor API ({@code POST /api/v1/executor}) in JSON or protobuf. SUBSCRIBE opens the executor's event
 * stream (in the type its Accept asks for); UPDATE, MESSAGE and HEARTBEAT answer 202. A call is checked as Mesos
 * checks it (the Call message's required fields, then the rules of its type) before the agent looks at it, and a
 * refused one changes nothing.
 */
final class ExecutorApi {

    private static final ObjectMapper JSON = MesosJson.mapper();
    private static final String PROTOBUF_TYPE = HttpSupport.PROTOBUF;

    private final Agent agent;

    ExecutorApi(Agent agent) {
        this.agent = agent;
    }

    void handle(Request request, Response response, Callback callback) throws Exception {
        if (!HttpSupport.isPost(request, response, callback)) {
            return;
        }
        String type = HttpSupport.mediaType(request);
        if (type == null) {
            // the executor API, unlike the others, says 400 for a missing Content-Type (Mesos's NoContentType)
            HttpSupport.text(response, callback, 400, "Expecting 'Content-Type' to be present");
            return;
        }
        if (!HttpSupport.isCallType(request, response, callback)) {
            return;
        }
        byte[] body = HttpSupport.callBody(request, response, callback,
                b -> ProtobufCodec.callToJson(ProtobufCodec.Api.EXECUTOR, b));
        if (body == null) {
            return;
        }
        if (!type.equals(PROTOBUF_TYPE)) {
            String invalid = ProtobufCodec.invalidJsonCall(ProtobufCodec.Api.EXECUTOR, body);
            if (invalid != null) {
                HttpSupport.text(response, callback, 400, invalid);
                return;
            }
        }
        JsonNode call;
        try {
            call = JSON.readTree(body);
        } catch (java.io.IOException e) {
            HttpSupport.text(response, callback, 400, "Failed to parse the body as JSON"
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? ": " + j.getOriginalMessage()
                    : ": it is not UTF-8 text"));
            return;
        }
        if (call == null || !call.isObject()) {
            HttpSupport.text(response, callback, 400, "Expecting a JSON object with 'type'");
            return;
        }
        String callType = call.path("type").asText("");
        FrameworkId framework = FrameworkId.of(call.path("framework_id").path("value").asText());
        ExecutorId executor = ExecutorId.of(call.path("executor_id").path("value").asText());
        if (framework.value().isEmpty() || executor.value().isEmpty()) {
            HttpSupport.text(response, callback, 400, "Expecting 'framework_id.value' and 'executor_id.value'"
                    + " to be non-empty");
            return;
        }
        io.pangaea.http.ExecutorTokens tokens = agent.executorTokens();
        if (tokens != null) {
            io.pangaea.http.ExecutorTokens.Claims claims = tokens.verify(io.pangaea.http.ExecutorTokens.bearer(
                    request.getHeaders().get(HttpHeader.AUTHORIZATION)));
            if (claims == null) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\""
                        + io.pangaea.http.ExecutorTokens.REALM + "\"");
                HttpSupport.text(response, callback, 401, "Unauthorized: an executor call needs the token the agent"
                        + " gave the executor (" + io.pangaea.http.ExecutorTokens.ENVIRONMENT + ")");
                return;
            }
            if (!claims.frameworkId().equals(framework.value()) || !claims.executorId().equals(executor.value())) {
                HttpSupport.text(response, callback, 403, "Forbidden: the token is executor '" + claims.executorId()
                        + "' of framework '" + claims.frameworkId() + "', not executor '" + executor.value()
                        + "' of framework '" + framework.value() + "'");
                return;
            }
        }
        switch (callType) {
            case "SUBSCRIBE" -> subscribe(request, response, callback, call, framework, executor);
            case "UPDATE" -> {
                JsonNode update = call.get("update");
                if (update == null || !update.isObject() || !update.has("status")) {
                    HttpSupport.text(response, callback, 400, "Expecting 'update' with a 'status' to be present");
                    return;
                }
                TaskStatus status;
                try {
                    status = MesosJson.read(MesosJson.write(update.get("status")), TaskStatus.class);
                } catch (MesosJsonException e) {
                    HttpSupport.text(response, callback, 400, e.getMessage());
                    return;
                }
                String invalid = invalidUpdate(status, executor);
                if (invalid != null) {
                    HttpSupport.text(response, callback, 400, invalid);
                    return;
                }
                reply(agent.executorUpdate(framework, executor, status), response, callback);
            }
            case "MESSAGE" -> {
                JsonNode m = call.get("message");
                if (m == null || !m.isObject() || !m.hasNonNull("data")) {
                    HttpSupport.text(response, callback, 400, "Expecting 'message' with 'data' to be present");
                    return;
                }
                reply(agent.executorMessage(framework, executor, m.get("data").asText()), response, callback);
            }
            case "HEARTBEAT" -> reply(agent.executorHeartbeat(framework, executor), response, callback);
            default -> HttpSupport.text(response, callback, 400, "Expecting 'type' to be present");
        }
    }

    /** The rules of an executor's status update (Mesos's executor call validation). */
    static String invalidUpdate(TaskStatus status, ExecutorId executor) {
        if (status.taskId() == null || status.taskId().value() == null || status.taskId().value().isEmpty()) {
            return "Expecting 'update.status.task_id' to be present";
        }
        if (status.state() == null) {
            return "Expecting 'update.status.state' to be present";
        }
        if (status.uuid() == null || status.uuid().isEmpty()) {
            return "Expecting 'update.status.uuid' to be present";
        }
        byte[] uuid;
        try {
            uuid = Base64.getDecoder().decode(status.uuid());
        } catch (IllegalArgumentException e) {
            return "'update.status.uuid' is not base64";
        }
        if (uuid.length != 16) {
            return "'update.status.uuid' must be a 16-byte UUID, got " + uuid.length + " bytes";
        }
        if (status.executorId() != null && !executor.equals(status.executorId())) {
            return "'update.status.executor_id' (" + status.executorId().value() + ") is not the caller's executor ("
                    + executor.value() + ")";
        }
        if (status.source() != TaskStatus.Source.SOURCE_EXECUTOR) {
            return "'update.status.source' must be SOURCE_EXECUTOR, not " + status.source();
        }
        if (status.state() == TaskState.TASK_STAGING) {
            return "An executor may not send TASK_STAGING: the agent reports it";
        }
        return null;
    }

    private void subscribe(Request request, Response response, Callback callback, JsonNode call,
                           FrameworkId framework, ExecutorId executor) {
        JsonNode sub = call.get("subscribe");
        if (sub == null || !sub.isObject()) {
            HttpSupport.text(response, callback, 400, "Expecting 'subscribe' to be present");
            return;
        }
        String out = HttpSupport.responseType(request, response, callback);
        if (out == null) {
            return;
        }
        List<TaskId> tasks = new ArrayList<>();
        List<TaskStatus> updates = new ArrayList<>();
        for (JsonNode t : sub.path("unacknowledged_tasks")) {
            tasks.add(TaskId.of(t.path("task_id").path("value").asText()));
        }
        for (JsonNode u : sub.path("unacknowledged_updates")) {
            TaskStatus s;
            try {
                s = MesosJson.read(MesosJson.write(u.path("status")), TaskStatus.class);
            } catch (MesosJsonException e) {
                HttpSupport.text(response, callback, 400, e.getMessage());
                return;
            }
            String invalid = invalidUpdate(s, executor);
            if (invalid != null) {
                HttpSupport.text(response, callback, 400, "In 'subscribe.unacknowledged_updates': " + invalid);
                return;
            }
            updates.add(s);
        }
        boolean protobuf = out.equals(PROTOBUF_TYPE);
        agent.subscribeExecutor(framework, executor, tasks, updates, () -> {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, out);
            EventSink stream = new JettyEventStream(request, response, callback);
            return protobuf ? stream.encoded(r -> ProtobufCodec.toProtobuf(ProtobufCodec.Api.EXECUTOR, r)) : stream;
        }).whenComplete((r, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Agent is not available");
            } else if (r.status() != 200) {
                HttpSupport.text(response, callback, r.status(), r.message());
            }
        });
    }

    private static void reply(CompletableFuture<Agent.ExecutorReply> result, Response response, Callback callback) {
        result.whenComplete((r, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Agent is not available");
            } else {
                HttpSupport.text(response, callback, r.status(), r.message());
            }
        });
    }
}
