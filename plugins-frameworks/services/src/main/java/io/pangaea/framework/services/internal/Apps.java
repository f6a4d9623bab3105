package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The changes the API asks for, on the scheduler's loop: each validates, checks the deployment lock, stores the new
 * app version and starts a deployment, and answers as Marathon does. Nothing is changed when the answer is an error.
 */
final class Apps {

    /** An answer: status, JSON body, and extra headers. */
    record Answer(int status, JsonNode body, Map<String, String> headers) {
        static Answer of(int status, JsonNode body) {
            return new Answer(status, body, Map.of());
        }
    }

    /** The request failed validation or could not be read: answered 4xx as it stands. */
    static final class Refusal extends Exception {
        final Answer answer;

        Refusal(Answer answer) {
            super(answer.body().toString(), null, false, false);
            this.answer = answer;
        }
    }

    private final ObjectMapper json;
    private final ServiceScheduler s;
    private final Events events;

    Apps(ObjectMapper json, ServiceScheduler s, Events events) {
        this.json = json;
        this.s = s;
        this.events = events;
    }

    Answer message(int status, String message) {
        return Answer.of(status, json.createObjectNode().put("message", message));
    }

    Answer notFound(String id) {
        return message(404, "App '" + id + "' does not exist");
    }

    /** Reads an app definition from JSON, or refuses it with 400 (not JSON) or 422 (a field of the wrong type). */
    AppDefinition read(JsonNode node) throws Refusal {
        if (node == null || !node.isObject()) {
            throw new Refusal(message(400, "Invalid JSON: an app definition is an object"));
        }
        try {
            return json.treeToValue(node, AppDefinition.class);
        } catch (JsonMappingException e) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : e.getPath()) {
                path.append('/').append(r.getFieldName() != null ? r.getFieldName() : "(" + r.getIndex() + ")");
            }
            throw new Refusal(invalid(List.of(new AppValidator.Violation(path.length() == 0 ? "/" : path.toString(),
                    List.of("error.expected.jsvalue: " + e.getOriginalMessage().split("\n")[0])))));
        } catch (JsonProcessingException e) {
            throw new Refusal(message(400, "Invalid JSON: " + e.getOriginalMessage()));
        }
    }

    Answer invalid(List<AppValidator.Violation> violations) {
        ObjectNode body = json.createObjectNode();
        body.put("message", "Object is not valid");
        ArrayNode details = body.putArray("details");
        for (AppValidator.Violation v : violations) {
            ObjectNode d = details.addObject();
            d.put("path", v.path());
            ArrayNode errors = d.putArray("errors");
            v.errors().forEach(errors::add);
        }
        return Answer.of(422, body);
    }

    /** The deployment that locks {@code appId}, or null. */
    private Deployment lock(String appId) {
        return s.deploymentOf(appId);
    }

    /** Refuses with 409 when locked and not forced; with force, cancels the locking deployments. */
    private void unlock(List<String> appIds, boolean force) throws Refusal {
        List<Deployment> locking = new ArrayList<>();
        for (String id : appIds) {
            Deployment d = lock(id);
            if (d != null && !locking.contains(d)) {
                locking.add(d);
            }
        }
        if (locking.isEmpty()) {
            return;
        }
        if (!force) {
            ObjectNode body = json.createObjectNode();
            body.put("message", "App is locked by one or more deployments. Override with the option '?force=true'."
                    + " View details at '/v2/deployments/<DEPLOYMENT_ID>'.");
            ArrayNode ds = body.putArray("deployments");
            locking.forEach(d -> ds.addObject().put("id", d.id));
            throw new Refusal(Answer.of(409, body));
        }
        for (Deployment d : locking) {
            s.finish(d, "deployment_failed");
        }
    }

    private void store(AppDefinition app) throws IOException {
        s.apps.put(app.id(), app);
        List<AppDefinition> history = s.versions.computeIfAbsent(app.id(), k -> new ArrayList<>());
        history.removeIf(v -> v.version().equals(app.version()));
        history.add(app);
        while (history.size() > 50) {
            history.remove(0);
        }
        storeRaw(app, history);
    }

    private void storeRaw(AppDefinition app, List<AppDefinition> history) throws IOException {
        ServicesRecords.putApp(json, stateStore(), app, history);
    }

    private io.pangaea.framework.support.StateStore store;

    void store(io.pangaea.framework.support.StateStore st) {
        this.store = st;
    }

    private io.pangaea.framework.support.StateStore stateStore() {
        return store;
    }

    private Deployment deploy(Map<String, AppDefinition> original, Map<String, AppDefinition> target,
                              List<List<Deployment.Action>> steps, String version) {
        Deployment d = new Deployment();
        d.id = UUID.randomUUID().toString();
        d.version = version;
        d.original.putAll(original);
        d.target.putAll(target);
        d.steps.addAll(steps);
        s.deployments.put(d.id, d);
        s.save(d);
        events.deploymentStep("deployment_info", d);
        return d;
    }

    private Answer deployed(Deployment d) {
        ObjectNode body = json.createObjectNode();
        body.put("deploymentId", d.id);
        body.put("version", d.version);
        return new Answer(200, body, Map.of("Marathon-Deployment-Id", d.id));
    }

    /** {@code POST /v2/apps}. */
    Answer create(JsonNode body, boolean force) throws Refusal, IOException {
        AppDefinition raw = read(body);
        String version = s.newVersion();
        AppDefinition app = raw.withDefaults(version, new AppDefinition.VersionInfo(version, version));
        List<AppValidator.Violation> v = AppValidator.validate(app);
        if (!v.isEmpty()) {
            return invalid(v);
        }
        if (s.apps.containsKey(app.id())) {
            return message(409, "An app with id [" + app.id() + "] already exists.");
        }
        if (!groupFree(app.id())) {
            return message(409, "A group with id [" + app.id() + "] already exists.");
        }
        unlock(List.of(app.id()), force);
        store(app);
        s.backoffs.remove(app.id());
        List<List<Deployment.Action>> steps = new ArrayList<>();
        steps.add(List.of(new Deployment.Action("StartApplication", app.id())));
        if (app.instances() > 0) {
            steps.add(List.of(new Deployment.Action("ScaleApplication", app.id())));
        }
        Deployment d = deploy(Map.of(), Map.of(app.id(), app), steps, version);
        ObjectNode out = MarathonJson.app(json, s, app, Set.of("tasks"));
        s.step();
        return new Answer(201, out, Map.of("Marathon-Deployment-Id", d.id, "Location", "/v2/apps" + app.id()));
    }

    /** An app id may not be the parent group of another app ({@code /a} when {@code /a/b} exists), nor under one. */
    private boolean groupFree(String id) {
        for (String other : s.apps.keySet()) {
            if (other.startsWith(id + "/") || id.startsWith(other + "/")) {
                return false;
            }
        }
        return true;
    }

    /** {@code PUT} or {@code PATCH /v2/apps/{id}}: a partial update (a PUT of an unknown app creates it). */
    Answer update(String id, JsonNode patch, boolean force) throws Refusal, IOException {
        if (patch == null || !patch.isObject()) {
            return message(400, "Invalid JSON: an app definition is an object");
        }
        AppDefinition existing = s.apps.get(id);
        ObjectNode withId = patch.deepCopy();
        if (withId.hasNonNull("id") && !AppDefinition.canonicalId(withId.get("id").asText()).equals(id)) {
            return invalid(List.of(new AppValidator.Violation("/id", List.of("The id in the body ("
                    + withId.get("id").asText() + ") does not match the path (" + id + ")"))));
        }
        withId.put("id", id);
        if (existing == null) {
            Answer created = create(withId, force);
            if (created.status() != 201) {
                return created;
            }
            return new Answer(201, json.createObjectNode().put("deploymentId",
                    created.headers().get("Marathon-Deployment-Id")).put("version",
                    s.apps.get(id).version()), created.headers());
        }
        ObjectNode merged = json.valueToTree(existing);
        merged.remove("version");
        merged.remove("versionInfo");
        for (Iterator<Map.Entry<String, JsonNode>> it = withId.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
            } else {
                merged.set(e.getKey(), e.getValue());
            }
        }
        if (withId.has("ports") && !withId.has("portDefinitions")) {
            merged.remove("portDefinitions");
        }
        String version = s.newVersion();
        AppDefinition candidate = read(merged).withDefaults(version, null);
        List<AppValidator.Violation> v = AppValidator.validate(candidate);
        if (!v.isEmpty()) {
            return invalid(v);
        }
        boolean scaleOnly = candidate.sameConfig(existing);
        AppDefinition.VersionInfo info = scaleOnly
                ? new AppDefinition.VersionInfo(version, existing.configVersion())
                : new AppDefinition.VersionInfo(version, version);
        // a scale keeps the configuration's version (versionInfo.lastConfigChangeAt), which the instances carry:
        // only a new configuration replaces them
        AppDefinition app = scaleOnly ? existing.withInstances(candidate.instances(), version, info)
                : candidate.withVersion(version, info);
        unlock(List.of(id), force);
        if (!scaleOnly) {
            s.backoffs.remove(id); // a new version starts with no delay
        }
        store(app);
        Deployment d = deploy(Map.of(id, existing), Map.of(id, app), List.of(List.of(new Deployment.Action(
                scaleOnly ? "ScaleApplication" : "RestartApplication", id))), version);
        s.step();
        return deployed(d);
    }

    /** {@code DELETE /v2/apps/{id}}. */
    Answer delete(String id, boolean force) throws Refusal, IOException {
        AppDefinition existing = s.apps.get(id);
        if (existing == null) {
            return notFound(id);
        }
        unlock(List.of(id), force);
        s.apps.remove(id);
        s.versions.remove(id);
        s.backoffs.remove(id);
        s.offerStats.remove(id);
        s.lastFailures.remove(id);
        ServicesRecords.deleteApp(stateStore(), id);
        for (Instance i : s.instancesOf(id)) {
            s.kill(i);
        }
        Deployment d = deploy(Map.of(id, existing), Map.of(),
                List.of(List.of(new Deployment.Action("StopApplication", id))), s.newVersion());
        ObjectNode terminated = events.event("app_terminated_event");
        terminated.put("appId", id);
        events.publish(terminated);
        s.step();
        return deployed(d);
    }

    /** {@code POST /v2/apps/{id}/restart}: every instance replaced, under the upgrade strategy. */
    Answer restart(String id, boolean force) throws Refusal, IOException {
        AppDefinition existing = s.apps.get(id);
        if (existing == null) {
            return notFound(id);
        }
        unlock(List.of(id), force);
        String version = s.newVersion();
        AppDefinition app = existing.withVersion(version, new AppDefinition.VersionInfo(version, version));
        store(app);
        s.backoffs.remove(id);
        Deployment d = deploy(Map.of(id, existing), Map.of(id, app),
                List.of(List.of(new Deployment.Action("RestartApplication", id))), version);
        s.step();
        return deployed(d);
    }

    /**
     * Kills tasks ({@code DELETE /v2/apps/{id}/tasks} and {@code POST /v2/tasks/delete}). With {@code scale} the
     * apps are scaled down by the tasks killed (a deployment); else they are replaced. With {@code wipe} the
     * instances are forgotten at once, as well as killed.
     */
    Answer kill(Map<String, List<String>> taskIdsByApp, boolean scale, boolean wipe, boolean force)
            throws Refusal, IOException {
        Map<String, List<Instance>> found = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : taskIdsByApp.entrySet()) {
            if (!s.apps.containsKey(e.getKey())) {
                return notFound(e.getKey());
            }
            List<Instance> list = new ArrayList<>();
            for (Instance i : s.instancesOf(e.getKey())) {
                if (e.getValue() == null || e.getValue().contains(i.taskId())) {
                    list.add(i);
                }
            }
            found.put(e.getKey(), list);
        }
        if (scale) {
            unlock(new ArrayList<>(found.keySet()), force);
        }
        ArrayNode killed = json.createArrayNode();
        for (Map.Entry<String, List<Instance>> e : found.entrySet()) {
            AppDefinition app = s.apps.get(e.getKey());
            for (Instance i : e.getValue()) {
                killed.add(MarathonJson.task(json, i, app.hasHealthChecks()));
                s.kill(i);
                if (wipe) {
                    s.instances.remove(i.taskId());
                    stateStore().delete("instances/" + i.taskId());
                }
            }
        }
        if (!scale) {
            s.step();
            ObjectNode body = json.createObjectNode();
            body.set("tasks", killed);
            return Answer.of(200, body);
        }
        String version = s.newVersion();
        Map<String, AppDefinition> original = new LinkedHashMap<>();
        Map<String, AppDefinition> target = new LinkedHashMap<>();
        List<Deployment.Action> actions = new ArrayList<>();
        for (Map.Entry<String, List<Instance>> e : found.entrySet()) {
            AppDefinition before = s.apps.get(e.getKey());
            AppDefinition info = before.withInstances(Math.max(0, before.instances() - e.getValue().size()),
                    version, new AppDefinition.VersionInfo(version, before.configVersion()));
            store(info);
            original.put(e.getKey(), before);
            target.put(e.getKey(), info);
            actions.add(new Deployment.Action("ScaleApplication", e.getKey()));
        }
        Deployment d = deploy(original, target, List.of(actions), version);
        s.step();
        return deployed(d);
    }

    /**
     * {@code DELETE /v2/deployments/{id}}: rolled back (a new deployment to the apps as they were), or with
     * {@code force} only stopped where it stands.
     */
    Answer cancel(String deploymentId, boolean force) throws IOException {
        Deployment d = s.deployments.get(deploymentId);
        if (d == null) {
            return message(404, "DeploymentPlan " + deploymentId + " does not exist");
        }
        s.finish(d, "deployment_failed");
        if (force) {
            return new Answer(202, json.createObjectNode(), Map.of());
        }
        String version = s.newVersion();
        Map<String, AppDefinition> original = new LinkedHashMap<>();
        Map<String, AppDefinition> target = new LinkedHashMap<>();
        List<List<Deployment.Action>> steps = new ArrayList<>();
        List<Deployment.Action> start = new ArrayList<>();
        List<Deployment.Action> change = new ArrayList<>();
        for (String id : d.affectedApps()) {
            AppDefinition now = s.apps.get(id);
            AppDefinition back = d.original.get(id);
            if (now != null) {
                original.put(id, now);
            }
            if (back == null) {
                if (now != null) {
                    s.apps.remove(id);
                    s.versions.remove(id);
                    ServicesRecords.deleteApp(stateStore(), id);
                    for (Instance i : s.instancesOf(id)) {
                        s.kill(i);
                    }
                    change.add(new Deployment.Action("StopApplication", id));
                }
                continue;
            }
            store(back);
            s.backoffs.remove(id);
            target.put(id, back);
            if (now == null) {
                start.add(new Deployment.Action("StartApplication", id));
                change.add(new Deployment.Action("ScaleApplication", id));
            } else {
                change.add(new Deployment.Action(back.configVersion().equals(now.configVersion())
                        ? "ScaleApplication" : "RestartApplication", id));
            }
        }
        if (!start.isEmpty()) {
            steps.add(start);
        }
        if (!change.isEmpty()) {
            steps.add(change);
        }
        Deployment rollback = deploy(original, target, steps, version);
        s.step();
        return deployed(rollback);
    }
}
