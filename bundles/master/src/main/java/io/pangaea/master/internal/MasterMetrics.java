package io.pangaea.master.internal;

import io.pangaea.model.TaskState;
import io.pangaea.model.scheduler.Call;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The master's counters, with Mesos's metric names ({@code master/messages_launch_tasks},
 * {@code master/tasks_finished}, ...). Changed on the master's event loop only; the gauges (agents, frameworks,
 * resources, ...) are computed from the state when {@code /metrics/snapshot} is read.
 */
final class MasterMetrics {

    private final Map<String, Long> counters = new TreeMap<>();

    MasterMetrics() {
        for (String name : new String[] {"messages_register_framework", "messages_reregister_framework",
                "messages_unregister_framework", "messages_launch_tasks", "messages_decline_offers",
                "messages_revive_offers", "messages_suppress_offers", "messages_kill_task",
                "messages_status_update_acknowledgement", "messages_reconcile_tasks", "messages_framework_to_executor",
                "messages_resource_request", "messages_reconcile_operations",
                "messages_operation_status_update_acknowledgement", "messages_register_slave",
                "messages_reregister_slave", "messages_status_update", "messages_update_slave",
                "messages_executor_to_framework", "messages_exited_executor", "valid_framework_to_executor_messages",
                "invalid_framework_to_executor_messages", "valid_executor_to_framework_messages",
                "invalid_executor_to_framework_messages",
                "valid_status_updates", "invalid_status_updates", "valid_status_update_acknowledgements",
                "invalid_status_update_acknowledgements", "slave_registrations", "slave_reregistrations",
                "slave_removals", "recovery_slave_removals", "slave_unreachable_scheduled",
                "slave_unreachable_completed", "slave_unreachable_canceled", "tasks_finished", "tasks_failed",
                "tasks_killed", "tasks_lost", "tasks_error", "tasks_dropped", "tasks_gone", "tasks_gone_by_operator"}) {
            counters.put("master/" + name, 0L);
        }
        counters.put("master/valid_operation_status_update_acknowledgements", 0L);
        counters.put("master/invalid_operation_status_update_acknowledgements", 0L);
        counters.put("master/operations/total", 0L);
        for (String state : OPERATION_STATES) {
            counters.put("master/operations/" + state, 0L);
        }
        for (String type : OPERATION_TYPES) {
            counters.put("master/operations/" + type + "/total", 0L);
            for (String state : OPERATION_STATES) {
                counters.put("master/operations/" + type + "/" + state, 0L);
            }
        }
    }

    /** The operations Mesos counts, by type, and the states it counts them in. */
    static final String[] OPERATION_TYPES = {"reserve", "unreserve", "create", "destroy", "grow_volume",
        "shrink_volume", "create_disk", "destroy_disk"};
    static final String[] OPERATION_STATES = {"pending", "recovering", "finished", "failed", "error", "dropped",
        "gone_by_operator", "unreachable"};

    /** An offer operation that ended in {@code state} ({@code finished}, {@code error}, ...). */
    void operation(Call.Operation.Type type, String state) {
        String t = type.name().toLowerCase(Locale.ROOT);
        if (!java.util.Arrays.asList(OPERATION_TYPES).contains(t)) {
            return; // LAUNCH and LAUNCH_GROUP are counted as tasks
        }
        inc("operations/total");
        inc("operations/" + state);
        inc("operations/" + t + "/total");
        inc("operations/" + t + "/" + state);
    }

    /** Every per-framework counter Mesos has, at zero: calls, events, offers, operations, terminal tasks. */
    static Map<String, Long> frameworkCounters() {
        Map<String, Long> m = new TreeMap<>();
        m.put("calls", 0L);
        for (String c : new String[] {"accept", "accept_inverse_offers", "acknowledge", "acknowledge_operation_status",
                "decline", "decline_inverse_offers", "kill", "message", "reconcile", "reconcile_operations", "request",
                "revive", "shutdown", "subscribe", "suppress", "teardown", "update_framework"}) {
            m.put("calls/" + c, 0L);
        }
        m.put("events", 0L);
        for (String e : new String[] {"error", "failure", "heartbeat", "inverse_offers", "message", "offers",
                "rescind", "rescind_inverse_offer", "subscribed", "update", "update_operation_status"}) {
            m.put("events/" + e, 0L);
        }
        for (String o : new String[] {"accepted", "declined", "rescinded", "sent"}) {
            m.put("offers/" + o, 0L);
        }
        m.put("operations", 0L);
        for (String o : new String[] {"create", "create_disk", "destroy", "destroy_disk", "grow_volume", "launch",
                "launch_group", "reserve", "shrink_volume", "unreserve"}) {
            m.put("operations/" + o, 0L);
        }
        for (String t : new String[] {"task_dropped", "task_error", "task_failed", "task_finished", "task_gone",
                "task_gone_by_operator", "task_killed", "task_lost"}) {
            m.put("tasks/terminal/" + t, 0L);
        }
        return m;
    }

    /** Counts {@code name} for a framework, and its total ({@code calls}, {@code events}, {@code operations}). */
    static void inc(Map<String, Long> counters, String name) {
        counters.merge(name, 1L, Long::sum);
        int slash = name.indexOf('/');
        String group = slash < 0 ? null : name.substring(0, slash);
        if ("calls".equals(group) || "events".equals(group) || "operations".equals(group)) {
            counters.merge(group, 1L, Long::sum);
        }
    }

    void inc(String name) {
        counters.merge("master/" + name, 1L, Long::sum);
    }

    /** A scheduler call, counted under the name of the Mesos message it replaced. */
    void call(Call.Type type) {
        String m = switch (type) {
            case TEARDOWN -> "unregister_framework";
            case ACCEPT -> "launch_tasks";
            case DECLINE -> "decline_offers";
            case REVIVE -> "revive_offers";
            case SUPPRESS -> "suppress_offers";
            case KILL -> "kill_task";
            case ACKNOWLEDGE -> "status_update_acknowledgement";
            case RECONCILE -> "reconcile_tasks";
            case MESSAGE -> "framework_to_executor";
            case REQUEST -> "resource_request";
            case RECONCILE_OPERATIONS -> "reconcile_operations";
            case ACKNOWLEDGE_OPERATION_STATUS -> "operation_status_update_acknowledgement";
            default -> null;
        };
        if (m != null) {
            inc("messages_" + m);
        }
    }

    /** A task reached a terminal state (counted once per task). */
    void terminal(TaskState state) {
        inc("tasks_" + state.name().substring("TASK_".length()).toLowerCase(Locale.ROOT));
    }

    Map<String, Long> counters() {
        return counters;
    }
}
