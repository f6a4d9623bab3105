package io.pangaea.master.internal.http;

import io.pangaea.http.Acls;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.http.HttpSupport;
import io.pangaea.master.internal.AclObjects;
import io.pangaea.model.Resource;
import io.pangaea.model.maintenance.MachineId;
import io.pangaea.model.operator.OperatorCall;
import io.pangaea.model.operator.QuotaConfig;
import io.pangaea.model.operator.WeightInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Which ACL action an operator request needs, and on which objects, as Mesos's local authorizer asks: the roles of
 * weights, quotas, reservations and volumes; the principal that made a reservation or a volume; the machines of a
 * maintenance call; the implicit object of the agent, logging and allocator calls. Stateless; any thread.
 */
final class Authorization {

    private Authorization() {
    }

    /** The principal the request authenticated as, or null. */
    static String principal(Request request) {
        return request.getAttribute(HttpAuthentication.PRINCIPAL) instanceof String p ? p : null;
    }

    /**
     * Whether {@code principal} may {@code action} every one of {@code objects} (none: the implicit object); when it
     * may not, 403 has been answered with what was refused.
     */
    static boolean permits(Acls acls, String action, String principal, Collection<String> objects, Response response,
                           Callback callback) {
        if (acls.approvesAll(action, principal, objects)) {
            return true;
        }
        forbid(action, principal, objects, response, callback);
        return false;
    }

    static void forbid(String action, String principal, Collection<String> objects, Response response,
                       Callback callback) {
        HttpSupport.text(response, callback, 403, "Forbidden: " + (principal == null ? "an unauthenticated caller"
                : "principal '" + principal + "'") + " is not authorized to " + action
                + (objects.isEmpty() ? "" : " " + String.join(", ", objects)) + " (ACL '" + action + "')");
    }

    /** The action and objects an operator call needs, or null when it needs none (reads filter what they show). */
    static Check of(OperatorCall call) {
        return switch (call.type()) {
            // a malformed call (a list or a role missing) is checked on what it names; its validation refuses it next
            case UPDATE_WEIGHTS -> new Check("update_weights", call.updateWeights() == null ? List.of()
                    : names(call.updateWeights().weightInfos(), WeightInfo::role));
            case UPDATE_QUOTA -> new Check("update_quotas", call.updateQuota() == null ? List.of()
                    : names(call.updateQuota().quotaConfigs(), QuotaConfig::role));
            case SET_QUOTA -> new Check("update_quotas", call.setQuota() == null
                    || call.setQuota().quotaRequest() == null ? List.of()
                    : names(List.of(call.setQuota().quotaRequest()), OperatorCall.QuotaRequest::role));
            case REMOVE_QUOTA -> new Check("update_quotas", call.removeQuota() == null ? List.of()
                    : names(List.of(call.removeQuota()), OperatorCall.RemoveQuota::role));
            case RESERVE_RESOURCES -> new Check("reserve_resources", call.reserveResources() == null ? List.of()
                    : AclObjects.reservationRoles(call.reserveResources().resources()));
            case UNRESERVE_RESOURCES -> new Check("unreserve_resources", call.unreserveResources() == null
                    ? List.of() : AclObjects.reserverPrincipals(call.unreserveResources().resources()));
            case CREATE_VOLUMES -> new Check("create_volumes", call.createVolumes() == null ? List.of()
                    : AclObjects.reservationRoles(call.createVolumes().volumes()));
            case DESTROY_VOLUMES -> new Check("destroy_volumes", call.destroyVolumes() == null ? List.of()
                    : AclObjects.creatorPrincipals(call.destroyVolumes().volumes()));
            case GROW_VOLUME -> new Check("resize_volumes", call.growVolume() == null ? List.of()
                    : AclObjects.reservationRoles(java.util.Arrays.asList(call.growVolume().volume())));
            case SHRINK_VOLUME -> new Check("resize_volumes", call.shrinkVolume() == null ? List.of()
                    : AclObjects.reservationRoles(java.util.Arrays.asList(call.shrinkVolume().volume())));
            case SET_LOGGING_LEVEL -> new Check("set_log_level", List.of());
            case DEACTIVATE_AGENT -> new Check("deactivate_agents", List.of());
            case REACTIVATE_AGENT -> new Check("reactivate_agents", List.of());
            case DRAIN_AGENT -> new Check("drain_agents", List.of());
            case MARK_AGENT_GONE -> new Check("mark_agents_gone", List.of());
            case UPDATE_MAINTENANCE_SCHEDULE -> new Check("update_maintenance_schedules",
                    call.updateMaintenanceSchedule() == null || call.updateMaintenanceSchedule().schedule() == null
                            ? List.of() : scheduleMachines(call.updateMaintenanceSchedule().schedule()));
            case START_MAINTENANCE -> new Check("start_maintenances", call.startMaintenance() == null ? List.of()
                    : machines(call.startMaintenance().machines()));
            case STOP_MAINTENANCE -> new Check("stop_maintenances", call.stopMaintenance() == null ? List.of()
                    : machines(call.stopMaintenance().machines()));
            case GET_MAINTENANCE_SCHEDULE -> new Check("get_maintenance_schedules", List.of());
            case GET_MAINTENANCE_STATUS -> new Check("get_maintenance_statuses", List.of());
            case GET_FLAGS -> new Check("view_flags", List.of());
            case GET_METRICS -> new Check("get_endpoints", List.of("/metrics/snapshot"));
            case EXPLAIN_ALLOCATION -> new Check("explain_allocations", List.of());
            case LIST_FILES, READ_FILE -> new Check("access_mesos_logs", List.of());
            default -> null;
        };
    }

    /** An action and its objects. */
    record Check(String action, List<String> objects) {
        boolean permits(Acls acls, String principal, Response response, Callback callback) {
            return Authorization.permits(acls, action, principal, objects, response, callback);
        }
    }

    /** What {@code name} gives of each element of a list that may be null or hold nulls, without the nulls. */
    static <T> List<String> names(List<T> list, java.util.function.Function<T, String> name) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (T t : list) {
                String n = t == null ? null : name.apply(t);
                if (n != null) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    static List<String> machines(List<MachineId> ids) {
        Set<String> out = new LinkedHashSet<>();
        for (MachineId m : ids == null ? List.<MachineId>of() : ids) {
            if (m != null) {
                out.add(m.hostname() != null && !m.hostname().isEmpty() ? m.hostname() : m.ip());
            }
        }
        return new ArrayList<>(out);
    }

    static List<String> scheduleMachines(io.pangaea.model.maintenance.Schedule s) {
        List<MachineId> all = new ArrayList<>();
        if (s.windows() != null) {
            s.windows().forEach(w -> {
                if (w != null && w.machineIds() != null) {
                    all.addAll(w.machineIds());
                }
            });
        }
        return machines(all);
    }
}
