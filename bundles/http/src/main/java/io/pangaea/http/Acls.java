package io.pangaea.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Mesos's local authorizer: its ACL JSON ({@code {"permissive": true, "register_frameworks": [{"principals":
 * {"values": ["a"]}, "roles": {"values": ["web"]}}], ...}}) and its rules. For an action, the rules are tried in
 * order; the first whose subjects and objects both match the request decides, and when none matches
 * {@code permissive} (true by default) does. An entity is {@code {"values": [...]}}, {@code {"type": "ANY"}} or
 * {@code {"type": "NONE"}}; a request without a principal, or without an object, stands for ANY, as in Mesos. A role
 * value ending in {@code /%} stands for every role below it ({@code eng/%} covers {@code eng/web}).
 *
 * <p>Besides Mesos's actions, Pangaea's own surfaces have actions in the same style: {@code view_allocators},
 * {@code update_allocators} (objects: {@code allocators}, the allocator names) and {@code explain_allocations}
 * (objects: {@code allocations}, ANY or NONE). Immutable; any thread.
 */
public final class Acls {

    /** Each action and the name of its objects' field. */
    public static final Map<String, String> ACTIONS = actions();

    /** Mesos's actions about nested and standalone containers, which Pangaea does not serve: accepted, unused. */
    private static final Set<String> UNUSED = Set.of("launch_nested_containers_as_user",
            "launch_nested_containers_under_parent_with_user", "kill_nested_containers", "wait_nested_containers",
            "launch_nested_container_sessions_as_user", "launch_nested_container_sessions_under_parent_with_user",
            "attach_containers_input", "attach_containers_output", "view_containers", "remove_nested_containers",
            "launch_standalone_containers", "kill_standalone_containers", "wait_standalone_containers",
            "remove_standalone_containers", "view_standalone_containers", "modify_resource_provider_configs",
            "view_resource_providers", "prune_images", "mark_resource_providers_gone");

    private static final Acls PERMISSIVE = new Acls(true, Map.of(), false);

    private final boolean permissive;
    private final Map<String, List<Rule>> rules;
    private final boolean configured;

    private Acls(boolean permissive, Map<String, List<Rule>> rules, boolean configured) {
        this.permissive = permissive;
        this.rules = rules;
        this.configured = configured;
    }

    private static Map<String, String> actions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("register_frameworks", "roles");
        m.put("run_tasks", "users");
        m.put("teardown_frameworks", "framework_principals");
        m.put("reserve_resources", "roles");
        m.put("unreserve_resources", "reserver_principals");
        m.put("create_volumes", "roles");
        m.put("destroy_volumes", "creator_principals");
        m.put("resize_volumes", "roles");
        m.put("get_quotas", "roles");
        m.put("update_quotas", "roles");
        m.put("view_roles", "roles");
        m.put("update_weights", "roles");
        m.put("get_endpoints", "paths");
        m.put("view_frameworks", "users");
        m.put("view_tasks", "users");
        m.put("view_executors", "users");
        m.put("access_sandboxes", "users");
        m.put("access_mesos_logs", "logs");
        m.put("view_flags", "flags");
        m.put("set_log_level", "level");
        m.put("register_agents", "agents");
        m.put("mark_agents_gone", "agents");
        m.put("drain_agents", "agents");
        m.put("deactivate_agents", "agents");
        m.put("reactivate_agents", "agents");
        m.put("update_maintenance_schedules", "machines");
        m.put("get_maintenance_schedules", "machines");
        m.put("start_maintenances", "machines");
        m.put("stop_maintenances", "machines");
        m.put("get_maintenance_statuses", "machines");
        m.put("view_allocators", "allocators");
        m.put("update_allocators", "allocators");
        m.put("explain_allocations", "allocations");
        // the framework adapters' APIs: the services adapter's apps (Marathon API), by app id
        m.put("view_services", "apps");
        m.put("update_services", "apps");
        // the jobs adapter's jobs (Chronos API), by job name
        m.put("view_jobs", "jobs");
        m.put("update_jobs", "jobs");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** No ACLs: everything is allowed. */
    public static Acls permissive() {
        return PERMISSIVE;
    }

    /** Whether an {@code acls} setting was given; without one every check passes at once. */
    public boolean configured() {
        return configured;
    }

    /**
     * Reads the {@code acls} setting: the JSON itself, or a file path (optionally {@code file://}). Empty means no
     * ACLs. Fails with a message naming the field that is wrong.
     */
    public static Acls parse(String fileOrJson) throws IOException {
        if (fileOrJson == null || fileOrJson.isBlank()) {
            return PERMISSIVE;
        }
        JsonNode root = SettingText.object("acls", fileOrJson);
        boolean permissive = true;
        Map<String, List<Rule>> rules = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.equals("permissive")) {
                if (!e.getValue().isBoolean()) {
                    throw new IOException("acls.permissive: expecting true or false");
                }
                permissive = e.getValue().booleanValue();
                continue;
            }
            if (UNUSED.contains(key)) {
                continue;
            }
            String objects = ACTIONS.get(key);
            if (objects == null) {
                throw new IOException("acls." + key + ": unknown action (known: " + String.join(", ",
                        ACTIONS.keySet()) + ")");
            }
            if (!e.getValue().isArray()) {
                throw new IOException("acls." + key + ": expecting an array of rules");
            }
            List<Rule> list = new ArrayList<>();
            int i = 0;
            for (JsonNode r : e.getValue()) {
                String where = "acls." + key + "[" + i++ + "]";
                if (!r.isObject()) {
                    throw new IOException(where + ": expecting {\"principals\": ..., \"" + objects + "\": ...}");
                }
                for (Iterator<String> names = r.fieldNames(); names.hasNext(); ) {
                    String n = names.next();
                    if (!n.equals("principals") && !n.equals(objects)) {
                        throw new IOException(where + "." + n + ": unknown field (expecting 'principals' and '"
                                + objects + "')");
                    }
                }
                list.add(new Rule(entity(r.get("principals"), where + ".principals"),
                        entity(r.get(objects), where + "." + objects), objects.equals("roles")));
            }
            rules.put(key, List.copyOf(list));
        }
        return new Acls(permissive, Map.copyOf(rules), true);
    }

    private static Entity entity(JsonNode n, String where) throws IOException {
        if (n == null) {
            throw new IOException(where + ": expecting to be present");
        }
        if (!n.isObject()) {
            throw new IOException(where + ": expecting {\"values\": [...]} or {\"type\": \"ANY\" | \"NONE\"}");
        }
        Type type = Type.SOME;
        if (n.has("type")) {
            try {
                type = Type.valueOf(n.get("type").asText());
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ".type: expecting SOME, ANY or NONE, not '" + n.get("type").asText()
                        + "'");
            }
        }
        List<String> values = new ArrayList<>();
        if (n.has("values")) {
            if (!n.get("values").isArray()) {
                throw new IOException(where + ".values: expecting an array of strings");
            }
            for (JsonNode v : n.get("values")) {
                if (!v.isTextual()) {
                    throw new IOException(where + ".values: expecting strings");
                }
                values.add(v.asText());
            }
        }
        return new Entity(type, List.copyOf(values));
    }

    /**
     * Whether {@code principal} (null: an unauthenticated request) may do {@code action} on {@code object} (null:
     * on anything, as for actions whose object is implicit).
     */
    public boolean approves(String action, String principal, String object) {
        if (!configured) {
            return true;
        }
        if (!ACTIONS.containsKey(action)) {
            throw new IllegalArgumentException("Unknown action " + action);
        }
        List<Rule> list = rules.get(action);
        if (list == null) {
            return permissive;
        }
        for (Rule r : list) {
            if (matches(principal, r.principals, false) && matches(object, r.objects, r.roles)) {
                return allows(principal, r.principals, false) && allows(object, r.objects, r.roles);
            }
        }
        return permissive;
    }

    /** Whether every one of {@code objects} is approved (an empty collection: the implicit object, ANY). */
    public boolean approvesAll(String action, String principal, Collection<String> objects) {
        if (objects.isEmpty()) {
            return approves(action, principal, null);
        }
        for (String o : objects) {
            if (!approves(action, principal, o)) {
                return false;
            }
        }
        return true;
    }

    // A request entity is SOME (one value) or ANY (null); an ACL entity is SOME, ANY or NONE.
    // Matching: a request value matches an ACL of ANY or NONE, or of SOME listing it; an ANY request matches ANY
    // or NONE. Allowing: a request value is allowed by ANY, or by SOME listing it; an ANY request only by ANY.

    private static boolean matches(String value, Entity acl, boolean roles) {
        if (acl.type != Type.SOME) {
            return true;
        }
        return value != null && acl.lists(value, roles);
    }

    private static boolean allows(String value, Entity acl, boolean roles) {
        return switch (acl.type) {
            case ANY -> true;
            case NONE -> false;
            case SOME -> value != null && acl.lists(value, roles);
        };
    }

    private enum Type { SOME, ANY, NONE }

    private record Entity(Type type, List<String> values) {
        boolean lists(String value, boolean roles) {
            for (String v : values) {
                if (v.equals(value)) {
                    return true;
                }
                if (roles && v.endsWith("/%") && value.startsWith(v.substring(0, v.length() - 1))
                        && value.length() > v.length() - 1) {
                    return true;
                }
            }
            return false;
        }
    }

    private record Rule(Entity principals, Entity objects, boolean roles) {
    }
}
