package io.pangaea.master.internal.http;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pangaea.http.FileInfos;
import io.pangaea.http.HttpSupport;
import io.pangaea.master.internal.AclObjects;
import io.pangaea.master.internal.CallResult;
import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.OperatorValidator;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resource;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.operator.OperatorCall;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The master's pre-v1 endpoints that Mesos users script against, with Mesos's form bodies and answers:
 * {@code /master/teardown} ({@code frameworkId}), {@code /master/reserve} and {@code /master/unreserve}
 * ({@code slaveId}, {@code resources} as a JSON array), {@code /master/create-volumes} and
 * {@code /master/destroy-volumes} ({@code slaveId}, {@code volumes}), {@code POST /master/quota} (a JSON
 * QuotaRequest) and {@code DELETE /master/quota/<role>}, and {@code /files/browse} and {@code /files/read} for the
 * master's log. Each does what the operator API call of the same name does.
 */
final class LegacyEndpoints {

    private final Master master;
    private final MasterFiles files;

    LegacyEndpoints(Master master) {
        this.master = master;
        this.files = new MasterFiles(master);
    }

    /** True when {@code path} is one of these endpoints (and it was answered). */
    boolean handle(String path, Request request, Response response, Callback callback) throws Exception {
        switch (path) {
            case "/master/teardown", "/teardown" -> teardown(request, response, callback);
            case "/master/reserve", "/reserve" -> reserve(request, response, callback, true);
            case "/master/unreserve", "/unreserve" -> reserve(request, response, callback, false);
            case "/master/create-volumes", "/create-volumes" -> volumes(request, response, callback, true);
            case "/master/destroy-volumes", "/destroy-volumes" -> volumes(request, response, callback, false);
            case "/files/browse", "/files/browse.json" -> {
                if (Authorization.permits(master.acls(), "access_mesos_logs", Authorization.principal(request),
                        List.of(), response, callback)) {
                    browse(request, response, callback);
                }
            }
            case "/files/read", "/files/read.json" -> {
                if (Authorization.permits(master.acls(), "access_mesos_logs", Authorization.principal(request),
                        List.of(), response, callback)) {
                    read(request, response, callback);
                }
            }
            case "/master/maintenance/schedule", "/maintenance/schedule" -> schedule(request, response, callback);
            case "/master/maintenance/status", "/maintenance/status" -> {
                if (Authorization.permits(master.acls(), "get_maintenance_statuses", Authorization.principal(request),
                        List.of(), response, callback)) {
                    reply(master.maintenanceStatus(), response, callback);
                }
            }
            case "/master/machine/down", "/machine/down" -> machines(request, response, callback, true);
            case "/master/machine/up", "/machine/up" -> machines(request, response, callback, false);
            default -> {
                if (path.startsWith("/master/quota") || path.startsWith("/quota")) {
                    return quota(path, request, response, callback);
                }
                return false;
            }
        }
        return true;
    }

    /** The form fields of a POST body (application/x-www-form-urlencoded), or null when it was answered. */
    private static Map<String, String> form(Request request, Response response, Callback callback) throws Exception {
        if (!"POST".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            HttpSupport.text(response, callback, 405, "Expecting 'POST', received '" + request.getMethod() + "'");
            return null;
        }
        byte[] body = HttpSupport.body(request, response, callback);
        if (body == null) {
            return null;
        }
        Map<String, String> out = new HashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                HttpSupport.text(response, callback, 400, "Unable to decode query string: " + e.getMessage());
                return null;
            }
        }
        return out;
    }

    private static String required(Map<String, String> form, String name, Response response, Callback callback) {
        String v = form.get(name);
        if (v == null || v.isBlank()) {
            HttpSupport.text(response, callback, 400, "Missing '" + name + "' query parameter in the request body");
            return null;
        }
        return v;
    }

    private void teardown(Request request, Response response, Callback callback) throws Exception {
        Map<String, String> form = form(request, response, callback);
        String id = form == null ? null : required(form, "frameworkId", response, callback);
        if (id == null) {
            return;
        }
        OperatorApi.status(master.teardown(FrameworkId.of(id), Authorization.principal(request)), response,
                callback);
    }

    /** {@code slaveId} and a JSON array of resources named {@code field}; null when it was answered. */
    private static List<Resource> resources(Map<String, String> form, String field, Response response,
                                            Callback callback) {
        String json = required(form, field, response, callback);
        if (json == null) {
            return null;
        }
        try {
            List<Resource> list = MesosJson.mapper().readValue(json, new TypeReference<List<Resource>>() { });
            if (list == null || list.isEmpty() || list.contains(null)) {
                HttpSupport.text(response, callback, 400, "Expecting '" + field + "' to hold at least one resource");
                return null;
            }
            return list;
        } catch (Exception e) {
            HttpSupport.text(response, callback, 400, "Error in parsing '" + field + "' query parameter: "
                    + e.getMessage().split("\n")[0]);
            return null;
        }
    }

    private void reserve(Request request, Response response, Callback callback, boolean reserve) throws Exception {
        Map<String, String> form = form(request, response, callback);
        String agent = form == null ? null : required(form, "slaveId", response, callback);
        List<Resource> res = agent == null ? null : resources(form, "resources", response, callback);
        if (res != null && Authorization.permits(master.acls(), reserve ? "reserve_resources"
                : "unreserve_resources", Authorization.principal(request), reserve
                ? AclObjects.reservationRoles(res) : AclObjects.reserverPrincipals(res), response, callback)) {
            OperatorApi.status(master.operatorReservation(agent, res, reserve), response, callback);
        }
    }

    private void volumes(Request request, Response response, Callback callback, boolean create) throws Exception {
        Map<String, String> form = form(request, response, callback);
        String agent = form == null ? null : required(form, "slaveId", response, callback);
        List<Resource> volumes = agent == null ? null : resources(form, "volumes", response, callback);
        if (volumes != null && Authorization.permits(master.acls(), create ? "create_volumes" : "destroy_volumes",
                Authorization.principal(request), create ? AclObjects.reservationRoles(volumes)
                : AclObjects.creatorPrincipals(volumes), response, callback)) {
            OperatorApi.status(master.operatorVolumes(agent, volumes, create), response, callback);
        }
    }

    private boolean quota(String path, Request request, Response response, Callback callback) throws Exception {
        String rest = path.substring(path.indexOf("quota") + "quota".length());
        switch (request.getMethod()) {
            case "POST" -> {
                if (!rest.isEmpty()) {
                    return false;
                }
                byte[] body = HttpSupport.body(request, response, callback);
                if (body == null) {
                    return true;
                }
                OperatorCall.QuotaRequest q;
                try {
                    q = MesosJson.read(body, OperatorCall.QuotaRequest.class);
                } catch (Exception e) {
                    HttpSupport.text(response, callback, 400, "Failed to parse set quota request JSON: "
                            + e.getMessage().split("\n")[0]);
                    return true;
                }
                String bad = OperatorValidator.setQuota(new OperatorCall.SetQuota(q));
                if (bad != null) {
                    HttpSupport.text(response, callback, 400, bad.replace("set_quota.quota_request.", ""));
                    return true;
                }
                if (!Authorization.permits(master.acls(), "update_quotas", Authorization.principal(request),
                        List.of(q.role()), response, callback)) {
                    return true;
                }
                OperatorApi.status(master.setQuota(q.role(), OperatorValidator.guarantee(q)), response, callback);
            }
            case "DELETE" -> {
                String role = rest.startsWith("/") ? URLDecoder.decode(rest.substring(1), StandardCharsets.UTF_8)
                        : "";
                String bad = OperatorValidator.validateRole("role", role);
                if (bad != null) {
                    HttpSupport.text(response, callback, 400, "Failed to parse remove quota request: " + bad);
                    return true;
                }
                if (!Authorization.permits(master.acls(), "update_quotas", Authorization.principal(request),
                        List.of(role), response, callback)) {
                    return true;
                }
                OperatorApi.status(master.removeQuota(role), response, callback);
            }
            default -> {
                return false; // GET: the quota status, served with /quota
            }
        }
        return true;
    }

    /** GET: the schedule in force; POST: a new one (Mesos's {@code maintenance.Schedule} as JSON). */
    private void schedule(Request request, Response response, Callback callback) throws Exception {
        if ("GET".equals(request.getMethod())) {
            if (Authorization.permits(master.acls(), "get_maintenance_schedules", Authorization.principal(request),
                    List.of(), response, callback)) {
                reply(master.maintenanceSchedule(), response, callback);
            }
            return;
        }
        byte[] body = post(request, response, callback);
        if (body == null) {
            return;
        }
        io.pangaea.model.maintenance.Schedule s;
        try {
            s = MesosJson.read(body, io.pangaea.model.maintenance.Schedule.class);
        } catch (Exception e) {
            HttpSupport.text(response, callback, 400, "Failed to parse the maintenance schedule: "
                    + e.getMessage().split("\n")[0]);
            return;
        }
        if (Authorization.permits(master.acls(), "update_maintenance_schedules", Authorization.principal(request),
                s.windows() == null ? List.of() : Authorization.scheduleMachines(s), response, callback)) {
            OperatorApi.status(master.updateMaintenanceSchedule(s), response, callback);
        }
    }

    /** POST a JSON array of machines ({@code hostname}, {@code ip}) to take down or bring up. */
    private void machines(Request request, Response response, Callback callback, boolean down) throws Exception {
        byte[] body = post(request, response, callback);
        if (body == null) {
            return;
        }
        List<io.pangaea.model.maintenance.MachineId> machines;
        try {
            machines = MesosJson.mapper().readValue(body,
                    new TypeReference<List<io.pangaea.model.maintenance.MachineId>>() { });
        } catch (Exception e) {
            HttpSupport.text(response, callback, 400, "Failed to parse the list of machines: "
                    + e.getMessage().split("\n")[0]);
            return;
        }
        if (Authorization.permits(master.acls(), down ? "start_maintenances" : "stop_maintenances",
                Authorization.principal(request), Authorization.machines(machines), response, callback)) {
            OperatorApi.status(master.maintenance(machines, down), response, callback);
        }
    }

    /** The body of a POST, or null when the request was answered (another method: 405). */
    private static byte[] post(Request request, Response response, Callback callback) throws Exception {
        if (!"POST".equals(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            HttpSupport.text(response, callback, 405, "Expecting 'POST', received '" + request.getMethod() + "'");
            return null;
        }
        return HttpSupport.body(request, response, callback);
    }

    private static void reply(CompletableFuture<?> f, Response response, Callback callback) {
        f.whenComplete((v, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Master is not available: " + err.getMessage());
            } else {
                HttpSupport.json(response, callback, MesosJson.write(MesosJson.tree(v)));
            }
        });
    }

    private void browse(Request request, Response response, Callback callback) {
        String path = query(request, "path");
        try {
            files.list(path); // the log is the one file there is
            java.nio.file.Path log = master.logFile();
            HttpSupport.json(response, callback, MesosJson.write(MesosJson.mapper().createArrayNode()
                    .add(FileInfos.legacy(MasterFiles.LOG, log, FileInfos.attributes(log)))));
        } catch (MasterFiles.FileException e) {
            HttpSupport.text(response, callback, e.status, e.getMessage());
        } catch (java.io.IOException e) {
            HttpSupport.text(response, callback, 404, "No such file or directory: '" + path + "'");
        }
    }

    private void read(Request request, Response response, Callback callback) {
        String path = query(request, "path");
        try {
            long offset = Long.parseLong(query(request, "offset") == null ? "-1" : query(request, "offset"));
            String length = query(request, "length");
            if (offset < 0) {
                // as Mesos: without an offset, the file's size
                FileInfos.Chunk c = files.read(path, 0, 0L);
                HttpSupport.json(response, callback, MesosJson.write(MesosJson.mapper().createObjectNode()
                        .put("data", "").put("offset", c.size())));
                return;
            }
            FileInfos.Chunk c = files.read(path, offset, length == null ? null : Long.parseLong(length));
            HttpSupport.json(response, callback, MesosJson.write(MesosJson.mapper().createObjectNode()
                    .put("data", new String(c.data(), StandardCharsets.UTF_8)).put("offset", offset)));
        } catch (NumberFormatException e) {
            HttpSupport.text(response, callback, 400, "Failed to parse offset or length: " + e.getMessage());
        } catch (MasterFiles.FileException e) {
            HttpSupport.text(response, callback, e.status, e.getMessage());
        }
    }

    private static String query(Request request, String name) {
        var fields = Request.extractQueryParameters(request);
        return fields.getValue(name);
    }
}
