package io.pangaea.master.internal.osgi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.HttpRoute;
import io.pangaea.master.internal.AllocatorControl;
import io.pangaea.master.internal.Master;
import io.pangaea.model.json.MesosJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Pangaea's allocator calls over HTTP, served on the master's port through {@link HttpRoute} (what the shell's
 * {@code allocator:*} commands do, for the Web UI and any client):
 * <ul>
 *   <li>{@code GET /allocator}: {@code {"active", "configured", "installed": [{"name", "bundle"}]}};</li>
 *   <li>{@code POST /allocator} with {@code {"use": "<name>"}}: switches the policy (persisted, as
 *       {@code allocator:use}); 400 naming the field, or the installed policies, when it cannot;</li>
 *   <li>{@code GET /allocator/explain?subject=<framework id or role>}: why those frameworks get offers or not, as
 *       {@code allocator:explain --json}.</li>
 * </ul>
 * Only the leading master answers; on the others the route declines and the request is redirected to the leader.
 */
final class AllocatorRoute implements HttpRoute {

    private static final String JSON = "application/json";
    private final AllocatorControl control;
    private final Supplier<Master> master;

    AllocatorRoute(AllocatorControl control, Supplier<Master> master) {
        this.control = control;
        this.master = master;
    }

    private static Reply json(int status, JsonNode body) {
        return Reply.of(status, JSON, MesosJson.write(body));
    }

    private static Reply error(int status, String message) {
        return Reply.of(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Reply handle(Request request) throws IOException {
        Master m = master.get();
        if (m == null) {
            return null; // not leading: redirected to the leader
        }
        io.pangaea.http.Acls acls = m.acls();
        switch (request.path()) {
            case "/allocator" -> {
                if (request.method().equals("GET")) {
                    return acls.approves("view_allocators", request.principal(), null) ? json(200, state())
                            : forbidden(request, "view_allocators", null);
                }
                if (request.method().equals("POST")) {
                    return use(request, acls);
                }
                return new Reply(405, "text/plain; charset=utf-8", "Expecting GET or POST"
                        .getBytes(StandardCharsets.UTF_8), Map.of("Allow", "GET, POST"));
            }
            case "/allocator/explain" -> {
                if (!request.method().equals("GET")) {
                    return new Reply(405, "text/plain; charset=utf-8", "Expecting GET"
                            .getBytes(StandardCharsets.UTF_8), Map.of("Allow", "GET"));
                }
                String subject = query(request.query(), "subject");
                if (subject == null || subject.isBlank()) {
                    return error(400, "Expecting 'subject' (a framework id or a role) to be present");
                }
                if (!acls.approves("explain_allocations", request.principal(), null)) {
                    return forbidden(request, "explain_allocations", null);
                }
                try {
                    return Reply.of(200, JSON, MesosJson.write(m.explain(subject).get(10, TimeUnit.SECONDS)));
                } catch (Exception e) {
                    return error(503, "The master could not explain: " + e.getMessage());
                }
            }
            default -> {
                return error(404, "No such endpoint: " + request.path());
            }
        }
    }

    private ObjectNode state() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("active", control.active());
        n.put("configured", control.configured());
        ArrayNode installed = n.putArray("installed");
        control.installed().forEach((name, bundle) -> installed.addObject().put("name", name).put("bundle", bundle));
        return n;
    }

    private static Reply forbidden(Request request, String action, String object) {
        return error(403, "Forbidden: " + (request.principal() == null ? "an unauthenticated caller"
                : "principal '" + request.principal() + "'") + " is not authorized to " + action
                + (object == null ? "" : " " + object) + " (ACL '" + action + "')");
    }

    private Reply use(Request request, io.pangaea.http.Acls acls) {
        JsonNode call;
        try {
            call = MesosJson.mapper().readTree(request.body());
        } catch (IOException e) {
            return error(400, "The body is not JSON: " + e.getMessage());
        }
        if (call == null || !call.path("use").isTextual() || call.path("use").asText().isBlank()) {
            return error(400, "Expecting 'use' (the name of an installed allocator) to be present");
        }
        if (!acls.approves("update_allocators", request.principal(), call.path("use").asText())) {
            return forbidden(request, "update_allocators", call.path("use").asText());
        }
        try {
            control.use(call.path("use").asText());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        } catch (Exception e) {
            return error(500, "Cannot switch the allocator: " + e.getMessage());
        }
        return json(200, state());
    }

    private static String query(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            if (k.equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
