package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The JSON of Marathon's resources, from the scheduler's state (called on its loop). */
final class MarathonJson {

    private MarathonJson() {}

    /** Marathon's instance condition for a Mesos task state: {@code TASK_RUNNING} is {@code Running}. */
    static String condition(String state) {
        String s = state.startsWith("TASK_") ? state.substring(5) : state;
        StringBuilder b = new StringBuilder();
        for (String part : s.toLowerCase(Locale.ROOT).split("_")) {
            b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return b.toString();
    }

    static ObjectNode task(ObjectMapper json, Instance i, boolean checked) {
        ObjectNode t = json.createObjectNode();
        t.put("id", i.taskId());
        t.put("appId", i.placement.appId());
        t.put("host", i.placement.host());
        t.putArray("ipAddresses");
        ArrayNode ports = t.putArray("ports");
        i.placement.ports().forEach(ports::add);
        t.putArray("servicePorts");
        t.put("slaveId", i.placement.agentId());
        t.put("stagedAt", i.placement.stagedAt());
        if (i.startedAt != null) {
            t.put("startedAt", i.startedAt);
        } else {
            t.putNull("startedAt");
        }
        t.put("state", i.killRequested && !Instance.terminal(i.state) ? "TASK_KILLING" : i.state);
        t.put("version", i.placement.version());
        t.putArray("localVolumes");
        ArrayNode hc = t.putArray("healthCheckResults");
        if (checked && i.healthy != null) {
            ObjectNode r = hc.addObject();
            r.put("alive", i.healthy);
            r.put("consecutiveFailures", i.healthy ? 0 : 1);
            r.put("instanceId", i.instanceId());
            r.put("taskId", i.taskId());
        }
        return t;
    }

    /**
     * An app with what {@code embed} asks for: {@code tasks}, {@code counts}, {@code deployments},
     * {@code lastTaskFailure} (counts and deployments are always given, as Marathon's default embed does).
     */
    static ObjectNode app(ObjectMapper json, ServiceScheduler s, AppDefinition app, Set<String> embed) {
        ObjectNode a = json.valueToTree(app);
        boolean checked = app.hasHealthChecks();
        List<Instance> mine = s.instancesOf(app.id());
        int staged = 0;
        int running = 0;
        int healthy = 0;
        int unhealthy = 0;
        for (Instance i : mine) {
            if (i.running()) {
                running++;
                if (checked && Boolean.TRUE.equals(i.healthy)) {
                    healthy++;
                } else if (checked && Boolean.FALSE.equals(i.healthy)) {
                    unhealthy++;
                }
            } else if (!Instance.terminal(i.state)) {
                staged++;
            }
        }
        a.put("tasksStaged", staged);
        a.put("tasksRunning", running);
        a.put("tasksHealthy", healthy);
        a.put("tasksUnhealthy", unhealthy);
        ArrayNode deps = a.putArray("deployments");
        Deployment d = s.deploymentOf(app.id());
        if (d != null) {
            deps.addObject().put("id", d.id);
        }
        if (embed.contains("tasks")) {
            ArrayNode tasks = a.putArray("tasks");
            for (Instance i : mine) {
                tasks.add(task(json, i, checked));
            }
        }
        if (embed.contains("lastTaskFailure")) {
            JsonNode f = s.lastFailures.get(app.id());
            if (f != null) {
                a.set("lastTaskFailure", f);
            }
        }
        return a;
    }

    /** An app's {@code lastTaskFailure}: the instance that ended, and how. */
    static ObjectNode failure(ObjectMapper json, Instance i, io.pangaea.model.TaskStatus s) {
        ObjectNode f = json.createObjectNode();
        f.put("appId", i.placement.appId());
        f.put("host", i.placement.host());
        f.put("message", s.message() == null ? "" : s.message());
        f.put("state", s.state().name());
        f.put("taskId", i.taskId());
        f.put("timestamp", Instant.now().toString());
        f.put("version", i.placement.version());
        f.put("slaveId", i.placement.agentId());
        return f;
    }

    static ObjectNode step(ObjectMapper json, List<Deployment.Action> actions) {
        ObjectNode step = json.createObjectNode();
        ArrayNode a = step.putArray("actions");
        for (Deployment.Action x : actions) {
            a.addObject().put("action", x.action()).put("app", x.app());
        }
        return step;
    }

    /** A deployment as {@code /v2/deployments} lists it. */
    static ObjectNode deployment(ObjectMapper json, Deployment d) {
        ObjectNode o = json.createObjectNode();
        o.put("id", d.id);
        o.put("version", d.version);
        ArrayNode affected = o.putArray("affectedApps");
        d.affectedApps().forEach(affected::add);
        o.putArray("affectedPods");
        ArrayNode steps = o.putArray("steps");
        for (List<Deployment.Action> s : d.steps) {
            steps.add(step(json, s));
        }
        ArrayNode current = o.putArray("currentActions");
        for (Deployment.Action x : d.currentActions()) {
            current.addObject().put("action", x.action()).put("app", x.app()).putArray("readinessCheckResults");
        }
        o.put("currentStep", Math.min(d.currentStep, d.steps.size()));
        o.put("totalSteps", d.steps.size());
        return o;
    }

    /** A deployment plan, as the deployment events carry it. */
    static ObjectNode plan(ObjectMapper json, Deployment d) {
        ObjectNode p = json.createObjectNode();
        p.put("id", d.id);
        p.put("version", d.version);
        ArrayNode steps = p.putArray("steps");
        for (List<Deployment.Action> s : d.steps) {
            steps.add(step(json, s));
        }
        ObjectNode original = p.putObject("original");
        original.put("id", "/");
        ArrayNode oa = original.putArray("apps");
        d.original.values().forEach(a -> oa.add(json.valueToTree(a)));
        ObjectNode target = p.putObject("target");
        target.put("id", "/");
        ArrayNode ta = target.putArray("apps");
        d.target.values().forEach(a -> ta.add(json.valueToTree(a)));
        return p;
    }

    /** {@code /v2/queue}: the apps waiting for instances, with their delay and why offers did not fit. */
    static ObjectNode queue(ObjectMapper json, ServiceScheduler s) {
        ObjectNode q = json.createObjectNode();
        ArrayNode items = q.putArray("queue");
        long now = s.clock.millis();
        for (AppDefinition app : s.apps.values()) {
            int active = 0;
            for (Instance i : s.instancesOf(app.id())) {
                if (!i.killRequested && !Instance.terminal(i.state) && i.unreachableSince == 0
                        && i.placement.version().equals(app.configVersion())) {
                    active++;
                }
            }
            int waiting = Math.max(s.demand().getOrDefault(app.id(), 0), app.instances() - active);
            Backoff b = s.backoffs.get(app.id());
            long left = b == null ? 0 : Math.max(0, b.until - now);
            if (waiting <= 0) {
                continue;
            }
            ObjectNode item = items.addObject();
            item.put("count", waiting);
            ObjectNode delay = item.putObject("delay");
            delay.put("timeLeftSeconds", (int) Math.ceil(left / 1000.0));
            delay.put("overdue", left == 0);
            OfferStats st = s.offerStats.get(app.id());
            item.put("since", st == null ? Instant.now().toString() : st.since);
            item.set("app", app(json, s, app, Set.of()));
            ObjectNode summary = item.putObject("processedOffersSummary");
            summary.put("processedOffersCount", st == null ? 0 : st.processed);
            summary.put("unusedOffersCount", st == null ? 0 : st.unused);
            if (st != null && st.lastUnusedAt != null) {
                summary.put("lastUnusedOfferAt", st.lastUnusedAt);
            }
            if (st != null && st.lastUsedAt != null) {
                summary.put("lastUsedOfferAt", st.lastUsedAt);
            }
            ArrayNode reasons = summary.putArray("rejectSummaryLastOffers");
            for (OfferBudget.Reason r : OfferBudget.Reason.values()) {
                long n = st == null ? 0 : st.reasons.getOrDefault(r, 0L);
                reasons.addObject().put("reason", r.name()).put("declined", n)
                        .put("processed", st == null ? 0 : st.processed);
            }
            ArrayNode unused = item.putArray("lastUnusedOffers");
            if (st != null) {
                st.lastUnused.forEach(unused::add);
            }
        }
        return q;
    }
}
