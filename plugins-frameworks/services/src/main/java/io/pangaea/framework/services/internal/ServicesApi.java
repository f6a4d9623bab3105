package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.Acls;
import io.pangaea.http.Forwarder;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.http.HttpSupport;
import io.pangaea.http.JettyEventStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marathon's REST API v2 on the adapter's own port. The acting instance answers; a standing-by one forwards each
 * request to the acting one (and redirects the event stream there). Credentials (realm
 * {@value #REALM}) and the ACL actions {@code view_services} / {@code update_services} (objects: app ids) apply when
 * set.
 */
final class ServicesApi extends Handler.Abstract {

    static final String REALM = "pangaea-framework-services";
    private static final Logger LOG = LoggerFactory.getLogger(ServicesApi.class);
    private static final Pattern APP_TASK = Pattern.compile("(/.+)/tasks/([^/]+)");
    private static final Pattern APP_TASKS = Pattern.compile("(/.+)/tasks");
    private static final Pattern APP_VERSION = Pattern.compile("(/.+)/versions/([^/]+)");
    private static final Pattern APP_VERSIONS = Pattern.compile("(/.+)/versions");
    private static final Pattern APP_RESTART = Pattern.compile("(/.+)/restart");

    /** What the API needs of the adapter around it. */
    interface Host {
        boolean acting();

        /** The acting instance's API URL, or null. */
        String actingUrl();

        String frameworkId();

        String master();

        void abdicate();

        Map<String, Object> config();
    }

    private final ObjectMapper json;
    private final ServiceScheduler s;
    private final Apps apps;
    private final Events events;
    private final Host host;
    private final HttpAuthentication auth;
    private final Acls acls;
    private final Forwarder forwarder;
    private final ServicesViews views;

    ServicesApi(ObjectMapper json, ServiceScheduler s, Apps apps, Events events, Host host, HttpAuthentication auth,
                Acls acls, javax.net.ssl.SSLContext clientTls) {
        this.json = json;
        this.s = s;
        this.apps = apps;
        this.events = events;
        this.host = host;
        this.auth = auth;
        this.acls = acls;
        this.forwarder = new Forwarder(clientTls);
        this.views = new ServicesViews(json, s, apps, events, host, acls);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpSupport.Gate gate = HttpSupport.gate(request);
        try {
            serve(request, response, callback);
        } catch (RuntimeException e) {
            // logged here, never shown: the client gets a message, not a trace
            LOG.warn("Services API {} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
            write(response, callback, apps.message(500, "Internal error"));
        } finally {
            gate.open();
        }
        return true;
    }

    private void serve(Request request, Response response, Callback callback) throws IOException {
        if (!auth.admits(REALM, request, response, callback)) {
            return;
        }
        String principal = request.getAttribute(HttpAuthentication.PRINCIPAL) instanceof String p ? p : null;
        String method = request.getMethod();
        String path = Request.getPathInContext(request);
        if (path.equals("/ping")) {
            HttpSupport.ok(response, callback, "text/plain; charset=utf-8", "pong\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Fields query = Request.extractQueryParameters(request);
        if (path.equals("/v2/leader")) {
            leader(method, response, callback);
            return;
        }
        // every instance answers for itself here (elected or not); the rest is the acting instance's to answer
        boolean local = path.equals("/v2/info") || path.equals("/metrics");
        if (!host.acting() && !local) {
            forward(request, response, callback, path);
            return;
        }
        if (path.equals("/v2/events")) {
            events(request, response, callback, query);
            return;
        }
        byte[] body = new byte[0];
        if (!method.equals("GET") && !method.equals("HEAD") && request.getLength() != 0) {
            body = HttpSupport.body(request, response, callback);
            if (body == null) {
                return;
            }
        }
        Apps.Answer a;
        try {
            a = route(method, path, query, body, principal, Request.getRemoteAddr(request));
        } catch (Apps.Refusal r) {
            a = r.answer;
        } catch (IllegalStateException | IOException e) {
            LOG.warn("Services API {} {} failed", method, path, e);
            a = apps.message(503, "The services adapter cannot serve this now: " + e.getMessage());
        }
        write(response, callback, a);
    }

    private void write(Response response, Callback callback, Apps.Answer a) {
        byte[] bytes;
        try {
            bytes = a.body() == null ? new byte[0] : json.writeValueAsBytes(a.body());
        } catch (JsonProcessingException e) {
            bytes = "{\"message\":\"unwritable answer\"}".getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = bytes;
        HttpSupport.later(response, () -> {
            response.setStatus(a.status());
            a.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            if (a.status() == 204) {
                response.write(true, ByteBuffer.allocate(0), callback);
                return;
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) out.length);
            response.write(true, ByteBuffer.wrap(out), callback);
        });
    }

    // ---- leader, forwarding, events ------------------------------------------------------------------------

    private void leader(String method, Response response, Callback callback) {
        String acting = host.actingUrl();
        if (method.equals("DELETE")) {
            if (!host.acting()) {
                write(response, callback, apps.message(404, "There is no leader"));
                return;
            }
            host.abdicate();
            write(response, callback, apps.message(200, "Leadership abdicated"));
            return;
        }
        if (acting == null) {
            write(response, callback, apps.message(404, "There is no leader"));
            return;
        }
        URI u = URI.create(acting);
        write(response, callback, Apps.Answer.of(200, json.createObjectNode().put("leader", u.getHost() + ":"
                + u.getPort())));
    }

    private void forward(Request request, Response response, Callback callback, String path) throws IOException {
        String acting = host.actingUrl();
        if (acting == null) {
            write(response, callback, apps.message(503, "Could not determine the current leader"));
            return;
        }
        String query = request.getHttpURI().getQuery();
        URI target = URI.create(acting + path + (query == null ? "" : "?" + query));
        if (path.equals("/v2/events")) {
            HttpSupport.later(response, () -> {
                response.setStatus(307);
                response.getHeaders().put(HttpHeader.LOCATION, target.toString());
                response.write(true, ByteBuffer.allocate(0), callback);
            });
            return;
        }
        forwarder.forward(acting, request, response, callback);
    }

    private void events(Request request, Response response, Callback callback, Fields query) {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        if (accept == null || !accept.contains("text/event-stream")) {
            write(response, callback, apps.message(405, "The event stream needs 'Accept: text/event-stream'"));
            return;
        }
        Set<String> types = new HashSet<>(values(query, "event_type"));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        JettyEventStream sink = new JettyEventStream(request, response, callback);
        events.subscribe(sink, types, Request.getRemoteAddr(request));
    }

    // ---- routes --------------------------------------------------------------------------------------------

    private static boolean flag(Fields q, String name) {
        String v = q.getValue(name);
        return v != null && (v.isEmpty() || v.equalsIgnoreCase("true"));
    }

    private JsonNode parse(byte[] body) throws Apps.Refusal {
        try {
            return body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            throw new Apps.Refusal(apps.message(400, "Invalid JSON: " + e.getMessage().split("\n")[0]));
        }
    }

    private boolean may(String action, String principal, String appId) {
        return acls.approves(action, principal, appId);
    }

    private Apps.Answer forbidden() {
        return apps.message(403, "Not Authorized to perform this action!");
    }

    private Apps.Answer route(String method, String path, Fields q, byte[] body, String principal, String clientIp)
            throws Apps.Refusal, IOException {
        boolean force = flag(q, "force");
        switch (path) {
            case "/v2/info":
                return onLoop(() -> Apps.Answer.of(200, views.info()));
            case "/metrics":
                return onLoop(() -> Apps.Answer.of(200, views.metrics()));
            case "/v2/apps":
                if (method.equals("GET")) {
                    return onLoop(() -> Apps.Answer.of(200, views.appList(q, principal)));
                }
                if (method.equals("POST")) {
                    JsonNode app = parse(body);
                    String id = app != null && app.hasNonNull("id") ? AppDefinition.canonicalId(app.get("id")
                            .asText()) : null;
                    if (id != null && !may("update_services", principal, id)) {
                        return forbidden();
                    }
                    Apps.Answer a = call(() -> apps.create(app, force));
                    if (a.status() == 201) {
                        apiPost(clientIp, path, a.body());
                    }
                    return a;
                }
                return notAllowed();
            case "/v2/tasks":
                return onLoop(() -> Apps.Answer.of(200, views.tasks(q, principal)));
            case "/v2/tasks/delete":
                if (!method.equals("POST")) {
                    return notAllowed();
                }
                return killTasks(parse(body), flag(q, "scale"), flag(q, "wipe"), force, principal);
            case "/v2/deployments":
                return onLoop(() -> {
                    ArrayNode list = json.createArrayNode();
                    for (Deployment d : s.deployments.values()) {
                        if (d.affectedApps().stream().anyMatch(id -> may("view_services", principal, id))) {
                            list.add(MarathonJson.deployment(json, d));
                        }
                    }
                    return Apps.Answer.of(200, list);
                });
            case "/v2/queue":
                return onLoop(() -> Apps.Answer.of(200, MarathonJson.queue(json, s)));
            default:
                break;
        }
        if (path.startsWith("/v2/deployments/") && method.equals("DELETE")) {
            String id = path.substring("/v2/deployments/".length());
            return call(() -> {
                Deployment d = s.deployments.get(id);
                if (d != null && d.affectedApps().stream().anyMatch(a -> !may("update_services", principal, a))) {
                    return forbidden();
                }
                return apps.cancel(id, force);
            });
        }
        if (path.startsWith("/v2/queue/") && path.endsWith("/delay") && method.equals("DELETE")) {
            String id = AppDefinition.canonicalId(path.substring("/v2/queue".length(), path.length() - 6));
            if (!may("update_services", principal, id)) {
                return forbidden();
            }
            return onLoop(() -> {
                if (!s.apps.containsKey(id)) {
                    return apps.notFound(id);
                }
                s.backoffs.remove(id);
                s.step();
                return new Apps.Answer(204, null, Map.of());
            });
        }
        if (path.equals("/v2/groups") || path.startsWith("/v2/groups/")) {
            String id = AppDefinition.canonicalId(path.length() <= "/v2/groups".length() ? "/"
                    : path.substring("/v2/groups".length()));
            return onLoop(() -> views.group(id.isEmpty() ? "/" : id, principal));
        }
        if (path.startsWith("/v2/apps/")) {
            return app(method, path.substring("/v2/apps".length()), q, body, principal, clientIp, force);
        }
        return apps.message(404, "Not found: " + path);
    }

    private Apps.Answer notAllowed() {
        return apps.message(405, "Method not allowed");
    }

    private Apps.Answer app(String method, String rest, Fields q, byte[] body, String principal, String clientIp,
                            boolean force) throws Apps.Refusal, IOException {
        Matcher m;
        if ((m = APP_TASK.matcher(rest)).matches() && method.equals("DELETE")) {
            String id = AppDefinition.canonicalId(m.group(1));
            String task = m.group(2);
            if (!may("update_services", principal, id)) {
                return forbidden();
            }
            Apps.Answer a = call(() -> apps.kill(Map.of(id, List.of(task)), flag(q, "scale"), flag(q, "wipe"),
                    force));
            if (a.status() == 200 && a.body().has("tasks")) {
                if (a.body().get("tasks").isEmpty()) {
                    return apps.message(404, "Task '" + task + "' does not exist");
                }
                return Apps.Answer.of(200, json.createObjectNode().set("task", a.body().get("tasks").get(0)));
            }
            return a;
        }
        if ((m = APP_TASKS.matcher(rest)).matches() && (method.equals("GET") || method.equals("DELETE"))) {
            String id = AppDefinition.canonicalId(m.group(1));
            if (method.equals("GET")) {
                return onLoop(() -> {
                    AppDefinition app = s.apps.get(id);
                    if (app == null || !may("view_services", principal, id)) {
                        return app == null ? apps.notFound(id) : forbidden();
                    }
                    ArrayNode tasks = json.createArrayNode();
                    for (Instance i : s.instancesOf(id)) {
                        tasks.add(MarathonJson.task(json, i, app.hasHealthChecks()));
                    }
                    return Apps.Answer.of(200, json.createObjectNode().set("tasks", tasks));
                });
            }
            if (!may("update_services", principal, id)) {
                return forbidden();
            }
            String hostFilter = q.getValue("host");
            return call(() -> {
                List<String> ids = null;
                if (hostFilter != null && s.apps.containsKey(id)) {
                    ids = new ArrayList<>();
                    for (Instance i : s.instancesOf(id)) {
                        if (i.placement.host().equals(hostFilter)) {
                            ids.add(i.taskId());
                        }
                    }
                }
                Map<String, List<String>> which = new LinkedHashMap<>();
                which.put(id, ids);
                return apps.kill(which, flag(q, "scale"), flag(q, "wipe"), force);
            });
        }
        if ((m = APP_VERSION.matcher(rest)).matches() && method.equals("GET")) {
            String id = AppDefinition.canonicalId(m.group(1));
            String version = m.group(2);
            return onLoop(() -> {
                if (!may("view_services", principal, id)) {
                    return forbidden();
                }
                for (AppDefinition v : s.versions.getOrDefault(id, List.of())) {
                    if (v.version().equals(version)) {
                        return Apps.Answer.of(200, json.valueToTree(v));
                    }
                }
                return apps.message(404, "App '" + id + "' does not exist in version " + version);
            });
        }
        if ((m = APP_VERSIONS.matcher(rest)).matches() && method.equals("GET")) {
            String id = AppDefinition.canonicalId(m.group(1));
            return onLoop(() -> {
                if (!s.apps.containsKey(id)) {
                    return apps.notFound(id);
                }
                if (!may("view_services", principal, id)) {
                    return forbidden();
                }
                ArrayNode list = json.createArrayNode();
                List<AppDefinition> history = s.versions.getOrDefault(id, List.of());
                for (int i = history.size() - 1; i >= 0; i--) {
                    list.add(history.get(i).version());
                }
                return Apps.Answer.of(200, json.createObjectNode().set("versions", list));
            });
        }
        if ((m = APP_RESTART.matcher(rest)).matches() && method.equals("POST")) {
            String id = AppDefinition.canonicalId(m.group(1));
            if (!may("update_services", principal, id)) {
                return forbidden();
            }
            return call(() -> apps.restart(id, force));
        }
        String id = AppDefinition.canonicalId(rest);
        switch (method) {
            case "GET": {
                Set<String> embed = embeds(q, "app.");
                embed.add("tasks");
                embed.add("lastTaskFailure");
                return onLoop(() -> {
                    AppDefinition app = s.apps.get(id);
                    if (app == null) {
                        return apps.notFound(id);
                    }
                    if (!may("view_services", principal, id)) {
                        return forbidden();
                    }
                    return Apps.Answer.of(200, json.createObjectNode().set("app", MarathonJson.app(json, s, app,
                            embed)));
                });
            }
            case "PUT":
            case "PATCH": {
                if (!may("update_services", principal, id)) {
                    return forbidden();
                }
                JsonNode patch = parse(body);
                Apps.Answer a = call(() -> apps.update(id, patch, force));
                if (a.status() < 300) {
                    apiPost(clientIp, "/v2/apps" + id, patch);
                }
                return a;
            }
            case "DELETE":
                if (!may("update_services", principal, id)) {
                    return forbidden();
                }
                return call(() -> apps.delete(id, force));
            default:
                return notAllowed();
        }
    }

    private void apiPost(String clientIp, String uri, JsonNode def) {
        ObjectNode e = events.event("api_post_event");
        e.put("clientIp", clientIp);
        e.put("uri", uri);
        e.set("appDefinition", def);
        events.publish(e);
    }

    private Apps.Answer killTasks(JsonNode body, boolean scale, boolean wipe, boolean force, String principal)
            throws Apps.Refusal, IOException {
        if (body == null || !body.path("ids").isArray()) {
            return apps.invalid(List.of(new AppValidator.Violation("/ids", List.of("error.path.missing"))));
        }
        List<String> ids = new ArrayList<>();
        body.get("ids").forEach(n -> ids.add(n.asText()));
        return call(() -> {
            Map<String, List<String>> byApp = new LinkedHashMap<>();
            for (String taskId : ids) {
                Instance i = s.instances.get(taskId);
                if (i == null) {
                    continue; // Marathon ignores unknown ids here
                }
                if (!may("update_services", principal, i.placement.appId())) {
                    return forbidden();
                }
                byApp.computeIfAbsent(i.placement.appId(), k -> new ArrayList<>()).add(taskId);
            }
            if (byApp.isEmpty()) {
                return Apps.Answer.of(200, json.createObjectNode().set("tasks", json.createArrayNode()));
            }
            return apps.kill(byApp, scale, wipe, force);
        });
    }

    static List<String> values(Fields q, String name) {
        List<String> v = q.getValues(name);
        return v == null ? List.of() : v;
    }

    /** {@code embed=apps.tasks&embed=apps.counts}: the parts named, without their prefix. */
    static Set<String> embeds(Fields q, String prefix) {
        Set<String> out = new HashSet<>();
        for (String e : values(q, "embed")) {
            if (e.startsWith(prefix)) {
                out.add(e.substring(prefix.length()));
            }
        }
        return out;
    }

    // ---- on the loop ---------------------------------------------------------------------------------------

    /** A change that may be refused. */
    private interface Change {
        Apps.Answer run() throws Apps.Refusal, IOException;
    }

    private Apps.Answer call(Change c) throws Apps.Refusal, IOException {
        Object out = s.onLoop(() -> {
            try {
                return c.run();
            } catch (Apps.Refusal r) {
                return r;
            }
        });
        if (out instanceof Apps.Refusal r) {
            throw r;
        }
        return (Apps.Answer) out;
    }

    private Apps.Answer onLoop(Supplier<Object> read) throws IOException {
        Object out = s.onLoop(read::get);
        return out instanceof Apps.Answer a ? a : Apps.Answer.of(200, (JsonNode) out);
    }
}
