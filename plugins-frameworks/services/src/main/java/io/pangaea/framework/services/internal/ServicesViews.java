package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.Acls;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jetty.util.Fields;

/**
 * The services API's reads, on the scheduler's loop: the app list with its filters and embeds, the tasks, the group
 * tree, {@code /v2/info} and {@code /metrics}. What a principal may not view ({@code view_services}) is left out.
 */
final class ServicesViews {

    private final ObjectMapper json;
    private final ServiceScheduler s;
    private final Apps apps;
    private final Events events;
    private final ServicesApi.Host host;
    private final Acls acls;

    ServicesViews(ObjectMapper json, ServiceScheduler s, Apps apps, Events events, ServicesApi.Host host, Acls acls) {
        this.json = json;
        this.s = s;
        this.apps = apps;
        this.events = events;
        this.host = host;
        this.acls = acls;
    }

    private boolean may(String action, String principal, String appId) {
        return acls.approves(action, principal, appId);
    }

    JsonNode appList(Fields q, String principal) {
        Set<String> embed = ServicesApi.embeds(q, "apps.");
        String cmd = q.getValue("cmd");
        String idPart = q.getValue("id");
        String label = q.getValue("label");
        ArrayNode list = json.createArrayNode();
        for (AppDefinition app : s.apps.values()) {
            if (!may("view_services", principal, app.id())) {
                continue;
            }
            if (cmd != null && (app.cmd() == null || !app.cmd().contains(cmd))) {
                continue;
            }
            if (idPart != null && !app.id().contains(idPart)) {
                continue;
            }
            if (label != null) {
                String[] kv = label.split("==", 2);
                String v = app.labels().get(kv[0].trim());
                if (v == null || (kv.length == 2 && !v.equals(kv[1].trim()))) {
                    continue;
                }
            }
            list.add(MarathonJson.app(json, s, app, embed));
        }
        return json.createObjectNode().set("apps", list);
    }

    JsonNode tasks(Fields q, String principal) {
        List<String> states = ServicesApi.values(q, "status").stream().map(v -> "TASK_" + v.toUpperCase(
                java.util.Locale.ROOT)).toList();
        ArrayNode list = json.createArrayNode();
        for (Instance i : s.instances.values()) {
            AppDefinition app = s.apps.get(i.placement.appId());
            if (!may("view_services", principal, i.placement.appId())) {
                continue;
            }
            if (!states.isEmpty() && !states.contains(i.state)) {
                continue;
            }
            list.add(MarathonJson.task(json, i, app != null && app.hasHealthChecks()));
        }
        return json.createObjectNode().set("tasks", list);
    }

    /** {@code /v2/groups[/id]}: the app tree, groups by the ids' paths. */
    Apps.Answer group(String id, String principal) {
        Map<String, List<AppDefinition>> byGroup = new TreeMap<>();
        boolean found = id.equals("/");
        for (AppDefinition app : s.apps.values()) {
            if (!may("view_services", principal, app.id())) {
                continue;
            }
            String parent = app.id().substring(0, app.id().lastIndexOf('/'));
            byGroup.computeIfAbsent(parent.isEmpty() ? "/" : parent, k -> new ArrayList<>()).add(app);
            found |= app.id().startsWith(id + "/");
        }
        if (!found) {
            return apps.message(404, "Group '" + id + "' does not exist");
        }
        return Apps.Answer.of(200, groupNode(id, byGroup));
    }

    private ObjectNode groupNode(String id, Map<String, List<AppDefinition>> byGroup) {
        ObjectNode g = json.createObjectNode();
        g.put("id", id);
        ArrayNode list = g.putArray("apps");
        for (AppDefinition app : byGroup.getOrDefault(id, List.of())) {
            list.add(MarathonJson.app(json, s, app, Set.of()));
        }
        ArrayNode groups = g.putArray("groups");
        Set<String> children = new java.util.TreeSet<>();
        String prefix = id.equals("/") ? "/" : id + "/";
        for (String group : byGroup.keySet()) {
            if (group.startsWith(prefix) && !group.equals(id)) {
                String rest = group.substring(prefix.length());
                children.add(prefix + rest.split("/")[0]);
            }
        }
        children.forEach(c -> groups.add(groupNode(c, byGroup)));
        g.putArray("pods");
        g.putArray("dependencies");
        return g;
    }

    JsonNode info() {
        ObjectNode i = json.createObjectNode();
        i.put("name", "marathon");
        i.put("version", "1.11.0");
        i.put("buildref", "pangaea");
        i.put("elected", host.acting());
        String acting = host.actingUrl();
        if (acting != null) {
            URI u = URI.create(acting);
            i.put("leader", u.getHost() + ":" + u.getPort());
        } else {
            i.putNull("leader");
        }
        i.put("frameworkId", host.frameworkId());
        ObjectNode config = i.putObject("marathon_config");
        host.config().forEach((k, v) -> config.putPOJO(k, v));
        config.put("master", host.master());
        i.putObject("http_config").put("http_port", String.valueOf(host.config().get("http_port")));
        i.putObject("event_subscriber").put("type", "sse");
        return i;
    }

    JsonNode metrics() {
        ObjectNode m = json.createObjectNode();
        m.put("version", "4.0.0");
        ObjectNode counters = m.putObject("counters");
        counters.putObject("marathon.tasks.launched.counter").put("count", s.launched);
        counters.putObject("marathon.tasks.failed.counter").put("count", s.failed);
        counters.putObject("marathon.tasks.killed.counter").put("count", s.killed);
        counters.putObject("marathon.mesos.offers.processed.counter").put("count", s.offersProcessed);
        counters.putObject("marathon.mesos.offers.declined.counter").put("count", s.offersDeclined);
        ObjectNode gauges = m.putObject("gauges");
        int running = 0;
        int staged = 0;
        for (Instance i : s.instances.values()) {
            if (i.running()) {
                running++;
            } else if (!Instance.terminal(i.state)) {
                staged++;
            }
        }
        gauges.putObject("marathon.apps.active.gauge").put("value", s.apps.size());
        gauges.putObject("marathon.instances.running.gauge").put("value", running);
        gauges.putObject("marathon.instances.staged.gauge").put("value", staged);
        gauges.putObject("marathon.deployments.active.gauge").put("value", s.deployments.size());
        gauges.putObject("marathon.http.event-streams.active.gauge").put("value", events.subscribers());
        gauges.putObject("marathon.instances.launch-overdue.gauge").put("value",
                s.demand().values().stream().mapToInt(Integer::intValue).sum());
        return m;
    }
}
