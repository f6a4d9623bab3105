package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;

/**
 * One instance of an app: a task the adapter launched. The durable part ({@link Placement}) is stored before the
 * launch is sent, so that no instance is ever unknown to the next acting adapter; the rest (state, health) is what
 * the master's status updates say, and is rebuilt by reconciliation.
 */
final class Instance {

    /**
     * Where and as what an instance was launched: stored under {@code instances/<taskId>}.
     *
     * @param attributes the agent's attributes as text, for the constraints of later placements
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Placement(String taskId, String appId, String version, String agentId, String host,
                     List<Integer> ports, Map<String, String> attributes, String stagedAt, long stagedMillis) {}

    final Placement placement;
    /** The last state the master reported (TASK_STAGING until then). */
    String state = "TASK_STAGING";
    /** The last health the agent reported; null before its first check. */
    Boolean healthy;
    String startedAt;
    /** The adapter asked for the kill: its end is not a failure. */
    boolean killRequested;
    long killSentMillis;
    /** When the instance became unreachable (TASK_UNREACHABLE), or 0. */
    long unreachableSince;
    String message;

    Instance(Placement placement) {
        this.placement = placement;
    }

    String taskId() {
        return placement.taskId();
    }

    String instanceId() {
        String id = placement.taskId();
        int app = id.lastIndexOf("._app.");
        return app < 0 ? id : id.substring(0, app);
    }

    /** Still counts towards the app: not ended and not being killed by the adapter. */
    boolean active() {
        return !killRequested && !terminal(state) && unreachableSince == 0;
    }

    boolean running() {
        return state.equals("TASK_RUNNING");
    }

    /** Ready for traffic: running and, when the app has health checks, reported healthy. */
    boolean ready(boolean checked) {
        return running() && (!checked || Boolean.TRUE.equals(healthy));
    }

    static boolean terminal(String state) {
        return switch (state) {
            case "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED",
                 "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN" -> true;
            default -> false;
        };
    }
}
