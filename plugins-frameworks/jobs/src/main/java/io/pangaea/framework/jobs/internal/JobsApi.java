package io.pangaea.framework.jobs.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.Acls;
import io.pangaea.http.Forwarder;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.http.HttpSupport;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chronos's REST API under {@code /scheduler} and {@code /v1/scheduler}, plus each job's occurrence history
 * ({@code GET /scheduler/job/{name}/history}). A standing-by instance forwards to the acting one. Credentials (realm
 * {@value #REALM}) and the ACL actions {@code view_jobs} / {@code update_jobs} (objects: job names) apply when set.
 */
final class JobsApi extends Handler.Abstract {

    static final String REALM = "pangaea-framework-jobs";
    private static final Logger LOG = LoggerFactory.getLogger(JobsApi.class);

    /** What the API needs of the adapter around it. */
    interface Host {
        boolean acting();

        String actingUrl();
    }

    /** An answer: status, content type and body. */
    private record Answer(int status, String type, byte[] body) {
        static Answer json(int status, Object body, ObjectMapper json) throws IOException {
            return new Answer(status, "application/json", json.writeValueAsBytes(body));
        }

        static Answer text(int status, String text) {
            return new Answer(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }

        static Answer none() {
            return new Answer(204, null, new byte[0]);
        }
    }

    private final ObjectMapper json;
    private final JobScheduler s;
    private final Jobs jobs;
    private final Host host;
    private final HttpAuthentication auth;
    private final Acls acls;
    private final Forwarder forwarder;

    JobsApi(ObjectMapper json, JobScheduler s, Jobs jobs, Host host, HttpAuthentication auth, Acls acls,
            javax.net.ssl.SSLContext clientTls) {
        this.json = json;
        this.s = s;
        this.jobs = jobs;
        this.host = host;
        this.auth = auth;
        this.acls = acls;
        this.forwarder = new Forwarder(clientTls);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpSupport.Gate gate = HttpSupport.gate(request);
        try {
            serve(request, response, callback);
        } catch (RuntimeException e) {
            LOG.warn("Jobs API {} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
            write(response, callback, Answer.text(500, "Internal error"));
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
        String path = Request.getPathInContext(request);
        String rest = path.startsWith("/v1/scheduler") ? path.substring("/v1/scheduler".length())
                : path.startsWith("/scheduler") ? path.substring("/scheduler".length()) : null;
        if (rest == null) {
            write(response, callback, Answer.text(404, "Not found: " + path));
            return;
        }
        if (rest.equals("/leader")) {
            String acting = host.actingUrl();
            if (acting == null) {
                write(response, callback, Answer.text(503, "There is no leader"));
                return;
            }
            URI u = URI.create(acting);
            write(response, callback, Answer.json(200, json.createObjectNode().put("leader", u.getHost() + ":"
                    + u.getPort()), json));
            return;
        }
        if (!host.acting()) {
            String acting = host.actingUrl();
            if (acting == null) {
                write(response, callback, Answer.text(503, "Could not determine the current leader"));
            } else {
                forwarder.forward(acting, request, response, callback);
            }
            return;
        }
        byte[] body = new byte[0];
        if (!request.getMethod().equals("GET") && request.getLength() != 0) {
            body = HttpSupport.body(request, response, callback);
            if (body == null) {
                return;
            }
        }
        Answer a;
        try {
            a = route(request.getMethod(), rest, Request.extractQueryParameters(request), body, principal);
        } catch (IOException | IllegalStateException e) {
            LOG.warn("Jobs API {} {} failed", request.getMethod(), path, e);
            a = Answer.text(503, "The jobs adapter cannot serve this now: " + e.getMessage());
        }
        write(response, callback, a);
    }

    private void write(Response response, Callback callback, Answer a) {
        HttpSupport.later(response, () -> {
            response.setStatus(a.status());
            if (a.type() != null) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, a.type());
            }
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) a.body().length);
            response.write(true, ByteBuffer.wrap(a.body()), callback);
        });
    }

    private boolean may(String action, String principal, String job) {
        return acls.approves(action, principal, job);
    }

    private static String param(Fields q, String name) {
        String v = q.getValue(name);
        return v == null ? "" : v;
    }

    private Answer route(String method, String rest, Fields q, byte[] body, String principal) throws IOException {
        if (method.equals("POST") && (rest.equals("/iso8601") || rest.equals("/dependency"))) {
            Object out = s.onLoop(() -> {
                try {
                    Job j = jobs.read(body);
                    if (!may("update_jobs", principal, j.name())) {
                        return Answer.text(403, "Not authorized to change job '" + j.name() + "'");
                    }
                    jobs.put(j, rest.equals("/dependency"));
                    return Answer.none();
                } catch (Jobs.Invalid e) {
                    return Answer.text(400, e.getMessage());
                }
            });
            return (Answer) out;
        }
        if (method.equals("GET") && rest.equals("/jobs")) {
            return s.onLoop(() -> Answer.json(200, visible(principal, null, null, null), json));
        }
        if (method.equals("GET") && rest.equals("/jobs/search")) {
            return s.onLoop(() -> Answer.json(200, visible(principal, param(q, "name"), param(q, "command"),
                    param(q, "any")), json));
        }
        if (method.equals("GET") && rest.equals("/jobs/summary")) {
            return s.onLoop(() -> {
                ArrayNode list = json.createArrayNode();
                for (Job j : jobs.all().values()) {
                    if (!may("view_jobs", principal, j.name())) {
                        continue;
                    }
                    ObjectNode n = list.addObject();
                    n.put("name", j.name());
                    String status = s.status(j.name()).path("status").asText();
                    n.put("status", j.lastSuccess().compareTo(j.lastError()) > 0 ? "success"
                            : j.lastError().isEmpty() ? "fresh" : "failure");
                    n.put("state", status);
                    n.put("schedule", j.cron() != null ? j.cron() : j.schedule());
                    ArrayNode parents = n.putArray("parents");
                    if (j.parents() != null) {
                        j.parents().forEach(parents::add);
                    }
                    n.put("disabled", j.disabled());
                }
                return Answer.json(200, json.createObjectNode().set("jobs", list), json);
            });
        }
        if (method.equals("GET") && rest.equals("/graph/dot")) {
            return s.onLoop(() -> Answer.text(200, jobs.dot()));
        }
        if (method.equals("GET") && rest.equals("/graph/csv")) {
            return s.onLoop(() -> Answer.text(200, jobs.csv()));
        }
        if (rest.startsWith("/job/stat/") && method.equals("GET")) {
            String name = rest.substring("/job/stat/".length());
            return s.onLoop(() -> stats(name, principal));
        }
        if (rest.startsWith("/task/kill/") && method.equals("DELETE")) {
            String name = rest.substring("/task/kill/".length());
            if (!may("update_jobs", principal, name)) {
                return Answer.text(403, "Not authorized to change job '" + name + "'");
            }
            return s.onLoop(() -> {
                if (!s.jobs.containsKey(name)) {
                    return Answer.text(400, "name: no job named '" + name + "'");
                }
                s.killTasks(name);
                return Answer.none();
            });
        }
        if (rest.startsWith("/job/")) {
            String name = rest.substring("/job/".length());
            if (name.endsWith("/history") && method.equals("GET")) {
                String job = name.substring(0, name.length() - "/history".length());
                return s.onLoop(() -> {
                    if (!s.jobs.containsKey(job)) {
                        return Answer.text(404, "No job named '" + job + "'");
                    }
                    if (!may("view_jobs", principal, job)) {
                        return Answer.text(403, "Not authorized to view job '" + job + "'");
                    }
                    return Answer.json(200, s.history.getOrDefault(job, List.of()), json);
                });
            }
            switch (method) {
                case "GET":
                    return s.onLoop(() -> {
                        Job j = s.jobs.get(name);
                        if (j == null || !may("view_jobs", principal, name)) {
                            return j == null ? Answer.text(404, "No job named '" + name + "'")
                                    : Answer.text(403, "Not authorized to view job '" + name + "'");
                        }
                        return Answer.json(200, j, json);
                    });
                case "PUT": {
                    if (!may("update_jobs", principal, name)) {
                        return Answer.text(403, "Not authorized to run job '" + name + "'");
                    }
                    String args = q.getValue("arguments");
                    List<String> arguments = args == null || args.isEmpty() ? null
                            : new ArrayList<>(Arrays.asList(args.split(",")));
                    return s.onLoop(() -> {
                        try {
                            return jobs.runNow(name, arguments) == null
                                    ? Answer.text(400, "name: no job named '" + name + "'") : Answer.none();
                        } catch (Jobs.Invalid e) {
                            return Answer.text(400, e.getMessage());
                        }
                    });
                }
                case "DELETE": {
                    if (!may("update_jobs", principal, name)) {
                        return Answer.text(403, "Not authorized to delete job '" + name + "'");
                    }
                    return s.onLoop(() -> {
                        try {
                            return jobs.delete(name) ? Answer.none()
                                    : Answer.text(400, "name: no job named '" + name + "'");
                        } catch (Jobs.Invalid e) {
                            return Answer.text(400, e.getMessage());
                        }
                    });
                }
                default:
                    break;
            }
        }
        return Answer.text(404, "Not found: " + rest);
    }

    private List<Job> visible(String principal, String name, String command, String any) {
        List<Job> out = new ArrayList<>();
        for (Job j : jobs.all().values()) {
            if (!may("view_jobs", principal, j.name())) {
                continue;
            }
            if (name != null && !name.isEmpty() && !j.name().toLowerCase(Locale.ROOT).contains(
                    name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (command != null && !command.isEmpty() && !j.command().toLowerCase(Locale.ROOT).contains(
                    command.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (any != null && !any.isEmpty()) {
                String a = any.toLowerCase(Locale.ROOT);
                if (!(j.name() + " " + j.command() + " " + j.description() + " " + j.owner())
                        .toLowerCase(Locale.ROOT).contains(a)) {
                    continue;
                }
            }
            out.add(j);
        }
        return out;
    }

    /** {@code /job/stat/{name}}: run times of the finished occurrences, and their tasks. */
    private Answer stats(String name, String principal) throws IOException {
        if (!s.jobs.containsKey(name)) {
            return Answer.text(400, "name: no job named '" + name + "'");
        }
        if (!may("view_jobs", principal, name)) {
            return Answer.text(403, "Not authorized to view job '" + name + "'");
        }
        List<Double> seconds = new ArrayList<>();
        ArrayNode tasks = json.createArrayNode();
        for (Occurrence o : s.history.getOrDefault(name, List.of())) {
            for (Occurrence.Attempt a : o.attempts) {
                ObjectNode t = tasks.addObject();
                t.put("taskId", a.taskId);
                t.put("jobName", name);
                t.put("slaveId", a.agentId);
                t.put("taskState", a.state);
                t.put("jobStart", a.startedAt);
                if (a.endedAt != null) {
                    t.put("jobEnd", a.endedAt);
                    seconds.add((java.time.Instant.parse(a.endedAt).toEpochMilli()
                            - java.time.Instant.parse(a.startedAt).toEpochMilli()) / 1000.0);
                }
            }
        }
        seconds.sort(Double::compare);
        ObjectNode out = json.createObjectNode();
        ObjectNode h = out.putObject("histogram");
        h.put("count", seconds.size());
        h.put("mean", seconds.stream().mapToDouble(Double::doubleValue).average().orElse(0));
        h.put("median", percentile(seconds, 0.5));
        h.put("75thPercentile", percentile(seconds, 0.75));
        h.put("95thPercentile", percentile(seconds, 0.95));
        h.put("98thPercentile", percentile(seconds, 0.98));
        h.put("99thPercentile", percentile(seconds, 0.99));
        out.set("taskStatHistory", tasks);
        return Answer.json(200, out, json);
    }

    private static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }
}
