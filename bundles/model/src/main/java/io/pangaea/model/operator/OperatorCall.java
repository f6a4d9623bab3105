package io.pangaea.model.operator;

import java.util.List;

/** A call to the operator API. Only the calls Pangaea serves have their messages here. */
public record OperatorCall(Type type, UpdateWeights updateWeights, UpdateQuota updateQuota, Explain explain,
                           ReserveResources reserveResources, UnreserveResources unreserveResources,
                           MarkAgentGone markAgentGone, Teardown teardown, AgentRef deactivateAgent,
                           AgentRef reactivateAgent, DrainAgent drainAgent, SetLoggingLevel setLoggingLevel,
                           SetQuota setQuota, RemoveQuota removeQuota, Volumes createVolumes, Volumes destroyVolumes,
                           ListFiles listFiles, ReadFile readFile,
                           UpdateMaintenanceSchedule updateMaintenanceSchedule, Machines startMaintenance,
                           Machines stopMaintenance, GrowVolume growVolume, ShrinkVolume shrinkVolume) {

    public enum Type {
        UNKNOWN, GET_HEALTH, GET_FLAGS, GET_VERSION, GET_METRICS, GET_LOGGING_LEVEL, SET_LOGGING_LEVEL, LIST_FILES,
        READ_FILE, GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_EXECUTORS, GET_OPERATIONS, GET_TASKS, GET_ROLES,
        GET_WEIGHTS, UPDATE_WEIGHTS, GET_MASTER, SUBSCRIBE, RESERVE_RESOURCES, UNRESERVE_RESOURCES, CREATE_VOLUMES,
        DESTROY_VOLUMES, GROW_VOLUME, SHRINK_VOLUME, GET_MAINTENANCE_STATUS, GET_MAINTENANCE_SCHEDULE,
        UPDATE_MAINTENANCE_SCHEDULE, START_MAINTENANCE, STOP_MAINTENANCE, DRAIN_AGENT, DEACTIVATE_AGENT,
        REACTIVATE_AGENT, GET_QUOTA, UPDATE_QUOTA, SET_QUOTA, REMOVE_QUOTA, TEARDOWN, MARK_AGENT_GONE,
        /** Pangaea's own: why a role or framework got no offers lately. */
        EXPLAIN_ALLOCATION
    }

    public record UpdateWeights(List<WeightInfo> weightInfos) {}

    /** SET_LOGGING_LEVEL: the verbosity and for how long. */
    public record SetLoggingLevel(Integer level, io.pangaea.model.DurationInfo duration) {}

    /** DEACTIVATE_AGENT and REACTIVATE_AGENT: the agent they are about. */
    public record AgentRef(io.pangaea.model.AgentId agentId) {}

    /**
     * DRAIN_AGENT: no more offers from the agent, its tasks killed (within {@code maxGracePeriod} if given); with
     * {@code markGone}, the agent is marked gone once drained.
     */
    public record DrainAgent(io.pangaea.model.AgentId agentId, ProtoDuration maxGracePeriod, Boolean markGone) {}

    /**
     * A {@code google.protobuf.Duration} as Mesos writes it in JSON, {@code {"seconds": 2, "nanos": 0}}, or as
     * protobuf's JSON mapping does, {@code "2.5s"} (what a protobuf call becomes on its way in).
     */
    public record ProtoDuration(Long seconds, Integer nanos) {

        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.PROPERTIES)
        public ProtoDuration(@com.fasterxml.jackson.annotation.JsonProperty("seconds") Long seconds,
                             @com.fasterxml.jackson.annotation.JsonProperty("nanos") Integer nanos) {
            this.seconds = seconds;
            this.nanos = nanos;
        }

        /** Parses {@code "<seconds>[.<fraction>]s"}. */
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        public static ProtoDuration parse(String text) {
            String t = text == null ? "" : text.trim();
            if (!t.matches("-?\\d+(\\.\\d{1,9})?s")) {
                throw new IllegalArgumentException("Expecting a duration such as \"2.5s\", got \"" + text + "\"");
            }
            java.math.BigDecimal d = new java.math.BigDecimal(t.substring(0, t.length() - 1));
            long secs = d.longValue();
            int nanos = d.subtract(java.math.BigDecimal.valueOf(secs)).movePointRight(9).intValue();
            return new ProtoDuration(secs, nanos);
        }

        public long toNanos() {
            return (seconds == null ? 0 : seconds) * 1_000_000_000L + (nanos == null ? 0 : nanos);
        }
    }

    /** Tear a framework down, as if it had sent TEARDOWN itself. */
    public record Teardown(io.pangaea.model.FrameworkId frameworkId) {}

    /** The agent is known to be gone for good (its machine is decommissioned): its tasks are gone too. */
    public record MarkAgentGone(io.pangaea.model.AgentId agentId) {}

    /** Reserve {@code resources} (with their new reservation) on an agent; {@code source} is accepted and unused. */
    public record ReserveResources(io.pangaea.model.AgentId agentId, List<io.pangaea.model.Resource> source,
                                   List<io.pangaea.model.Resource> resources) {}

    public record UnreserveResources(io.pangaea.model.AgentId agentId, List<io.pangaea.model.Resource> resources) {}

    public record UpdateQuota(Boolean force, List<QuotaConfig> quotaConfigs) {}

    /** {@code role} or {@code framework_id} (a framework id's value). */
    public record Explain(String role, String frameworkId) {}

    /** Mesos's deprecated SET_QUOTA: a role's guarantee, which is also its limit. */
    public record SetQuota(QuotaRequest quotaRequest) {}

    public record QuotaRequest(Boolean force, String role, List<io.pangaea.model.Resource> guarantee) {}

    /** Mesos's deprecated REMOVE_QUOTA: the role has no quota from now on. */
    public record RemoveQuota(String role) {}

    /** CREATE_VOLUMES or DESTROY_VOLUMES: persistent volumes on an agent, out of (or back into) reserved disk. */
    public record Volumes(io.pangaea.model.AgentId agentId, List<io.pangaea.model.Resource> volumes) {}

    public record ListFiles(String path) {}

    public record ReadFile(String path, Long offset, Long length) {}

    /** GROW_VOLUME: a persistent volume on an agent made bigger by {@code addition} (reserved disk). */
    public record GrowVolume(io.pangaea.model.AgentId agentId, io.pangaea.model.Resource volume,
                             io.pangaea.model.Resource addition) {}

    /** SHRINK_VOLUME: a persistent volume made smaller by {@code subtract}, which becomes reserved disk again. */
    public record ShrinkVolume(io.pangaea.model.AgentId agentId, io.pangaea.model.Resource volume,
                               io.pangaea.model.Scalar subtract) {}

    public record UpdateMaintenanceSchedule(io.pangaea.model.maintenance.Schedule schedule) {}

    /** START_MAINTENANCE or STOP_MAINTENANCE: machines going down, or coming back up. */
    public record Machines(List<io.pangaea.model.maintenance.MachineId> machines) {}
}
