package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.ExecutorEntry;
import io.pangaea.master.internal.MasterState.ExecutorKey;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks a launch passes before anything is booked, as Mesos makes them: task ids, the agent, command or
 * executor, resources and their form, executors (type, command, compatibility with the one running) and
 * persistent volumes. Pure functions of the entries they are given; they change nothing.
 * Must not touch: anything; it has no state and changes nothing.
 */
final class LaunchValidator {

    private LaunchValidator() {
    }

    static String validateTask(FrameworkEntry fw, AgentEntry agent, TaskInfo task, Resources remaining, String role,
                                Set<TaskId> inThisCall) {
        String error = validateTaskAlone(fw, agent, task, inThisCall);
        if (error != null) {
            return error;
        }
        if ((task.command() == null) == (task.executor() == null)) {
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
        }
        Resources wanted = Resources.allocated(task.resources(), role);
        if (task.executor() != null) {
            error = validateExecutor(fw, agent, task.executor(), false);
            if (error != null) {
                return error;
            }
            wanted = wanted.plus(Executors.executorCost(agent, task.executor().withFrameworkId(fw.id), role));
        }
        if (!remaining.contains(wanted)) {
            return "Task uses more resources " + wanted.unallocated() + " than available " + remaining.unallocated();
        }
        return null;
    }

    /** An executor a task names: well formed, of the right type, and the same as the one running, if any. */
    static String validateExecutor(FrameworkEntry fw, AgentEntry agent, ExecutorInfo executor, boolean group) {
        if (executor.executorId() == null || executor.executorId().value() == null
                || executor.executorId().value().isEmpty()) {
            return "'ExecutorInfo.executor_id' must be set";
        }
        String eid = executor.executorId().value();
        if (eid.contains("/") || eid.chars().anyMatch(Character::isWhitespace) || eid.equals(".")
                || eid.equals("..")) {
            return "'ExecutorID.value' '" + eid + "' contains invalid characters";
        }
        if (executor.frameworkId() != null && !fw.id.equals(executor.frameworkId())) {
            return "ExecutorInfo has an invalid FrameworkID (Actual: " + executor.frameworkId().value()
                    + " vs Expected: " + fw.id.value() + ")";
        }
        if (group && (executor.type() == null || executor.type() == ExecutorInfo.Type.UNKNOWN)) {
            return "'ExecutorInfo.type' must be set (CUSTOM or DEFAULT) for a task group";
        }
        if (!group && executor.type() == ExecutorInfo.Type.DEFAULT) {
            return "The DEFAULT executor runs task groups only (LAUNCH_GROUP); a task needs a CUSTOM executor";
        }
        if (executor.type() == ExecutorInfo.Type.DEFAULT && executor.command() != null) {
            return "'ExecutorInfo.command' must not be set for the DEFAULT executor";
        }
        if (executor.type() != ExecutorInfo.Type.DEFAULT && (executor.command() == null
                || executor.command().value() == null || executor.command().value().isEmpty())) {
            return "'ExecutorInfo.command' must be set for a CUSTOM executor";
        }
        if (executor.resources() != null) {
            String bad = invalidResources("Executor", executor.resources());
            if (bad != null) {
                return bad;
            }
        }
        ExecutorEntry running = agent.executors.get(new ExecutorKey(fw.id, executor.executorId()));
        if (running != null && !running.info.equals(executor.withFrameworkId(fw.id))) {
            return "ExecutorInfo is not compatible with the ExecutorInfo of the running executor '" + eid + "'";
        }
        return null;
    }

    /** What can be checked of a task on its own: id, agent, command and the form of its resources. */
    static String validateTaskAlone(FrameworkEntry fw, AgentEntry agent, TaskInfo task, Set<TaskId> inThisCall) {
        if (task.taskId() == null || task.taskId().value() == null || task.taskId().value().isEmpty()) {
            return "Task ID must not be empty";
        }
        String tid = task.taskId().value();
        if (tid.contains("/") || tid.chars().anyMatch(Character::isWhitespace)) {
            return "'TaskID.value' '" + tid + "' contains invalid characters";
        }
        if (fw.tasks.containsKey(task.taskId()) || inThisCall.contains(task.taskId())) {
            return "Task has duplicate ID: " + tid;
        }
        if (task.agentId() != null && !agent.id.equals(task.agentId())) {
            return "Task uses invalid agent: " + task.agentId();
        }
        if (task.command() == null && task.executor() == null) {
            return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
        }
        if (task.command() != null && task.command().isShell() && (task.command().value() == null || task.command().value().isEmpty())) {
            return "'CommandInfo.value' must be set for a shell command";
        }
        if (task.command() != null && !task.command().isShell() && (task.command().value() == null || task.command().value().isEmpty())) {
            return "'CommandInfo.value' must name the executable when 'shell' is false";
        }
        if (task.resources() == null || task.resources().isEmpty()) {
            return "Task uses no resources";
        }
        String check = invalidHealthCheck(task.healthCheck());
        if (check != null) {
            return check;
        }
        return invalidResources("Task", task.resources());
    }

    /** Why a task's health check cannot run, as Mesos's validation says it, or null. */
    static String invalidHealthCheck(io.pangaea.model.HealthCheck h) {
        if (h == null) {
            return null;
        }
        switch (h.kind()) {
            case HTTP -> {
                if (h.http() == null || h.http().port() == null || h.http().port() < 1 || h.http().port() > 65535) {
                    return "'HealthCheck.http.port' must be a port (1 to 65535)";
                }
                if (h.http().scheme() != null && !List.of("http", "https").contains(h.http().scheme())) {
                    return "'HealthCheck.http.scheme' must be 'http' or 'https'";
                }
                if (h.http().path() != null && !h.http().path().startsWith("/")) {
                    return "'HealthCheck.http.path' must start with '/'";
                }
            }
            case TCP -> {
                if (h.tcp() == null || h.tcp().port() == null || h.tcp().port() < 1 || h.tcp().port() > 65535) {
                    return "'HealthCheck.tcp.port' must be a port (1 to 65535)";
                }
            }
            case COMMAND -> {
                if (h.command() == null || h.command().value() == null || h.command().value().isBlank()) {
                    return "'HealthCheck.command.value' must be set for a COMMAND health check";
                }
            }
            default -> {
                return "'HealthCheck.type' must be COMMAND, HTTP or TCP";
            }
        }
        if (h.delay() < 0 || h.gracePeriod() < 0 || h.interval() <= 0 || h.timeout() <= 0 || h.failuresToKill() < 1) {
            return "'HealthCheck' needs delay_seconds and grace_period_seconds of 0 or more, positive"
                    + " interval_seconds and timeout_seconds, and consecutive_failures of 1 or more";
        }
        return null;
    }

    /** Why {@code who}'s (a task's or an executor's) resources are not well formed, or null. */
    static String invalidResources(String who, List<io.pangaea.model.Resource> resources) {
        try {
            Resources.of(resources);
        } catch (RuntimeException e) {
            return who + " uses invalid resources: " + e.getMessage();
        }
        for (io.pangaea.model.Resource r : resources) {
            if (r.name() == null || r.type() == null) {
                return who + " uses invalid resources: each resource needs 'name' and 'type'";
            }
            if (r.type() == io.pangaea.model.ValueType.SCALAR && (r.scalar() == null || r.scalar().value() < 0
                    || Double.isNaN(r.scalar().value()))) {
                return who + " uses invalid resources: '" + r.name() + "' needs a non-negative 'scalar.value'";
            }
        }
        return null;
    }

    /**
     * Why persistent volumes cannot be created (or destroyed), or null. A volume is {@code disk} reserved for the
     * framework's role, with a persistence id not in use on the agent and a relative {@code container_path}; it is
     * made out of reserved disk in the offer. A volume to destroy must be one in the offer.
     */
    static String invalidVolumes(AgentEntry agent, List<io.pangaea.model.Resource> volumes, String role,
                                         boolean create, Resources offered) {
        if (volumes == null || volumes.isEmpty()) {
            return "no volumes";
        }
        Set<String> ids = new HashSet<>();
        for (io.pangaea.model.Resource v : volumes) {
            if (!"disk".equals(v.name()) || v.type() != io.pangaea.model.ValueType.SCALAR || v.scalar() == null
                    || !(v.scalar().value() > 0)) {
                return "a persistent volume must be a positive scalar 'disk' resource";
            }
            if (!v.isPersistentVolume()) {
                return "'disk.persistence.id' must be set on every volume";
            }
            String id = v.disk().persistence().id();
            if (id.contains("/") || id.equals(".") || id.equals("..") || id.chars().anyMatch(Character::isWhitespace)) {
                return "persistence id '" + id + "' contains invalid characters";
            }
            if (!ids.add(id)) {
                return "persistence id '" + id + "' is used twice";
            }
            String path = v.disk().volume() == null ? null : v.disk().volume().containerPath();
            if (path == null || path.isEmpty() || path.startsWith("/") || List.of(path.split("/")).contains("..")) {
                return "'disk.volume.container_path' of volume '" + id + "' must be a relative path inside the"
                        + " sandbox";
            }
            if (!v.isReserved()) {
                return "persistent volumes cannot be made from unreserved disk ('" + id + "')";
            }
            if (!Resources.isSelfOrAncestor(v.reservationRole(), role)) {
                return "volume '" + id + "' is reserved for '" + v.reservationRole() + "', not for the offer's role '"
                        + role + "'";
            }
            if (create && agent.total().toList().stream().anyMatch(r -> r.isPersistentVolume()
                    && r.disk().persistence().id().equals(id) && r.reservationRole().equals(v.reservationRole()))) {
                return "persistence id '" + id + "' already exists on agent " + agent.id.value();
            }
        }
        Resources needed = create
                ? Resources.allocated(volumes.stream().map(v -> v.withDisk(null)).toList(), role)
                : Resources.allocated(volumes, role);
        if (!offered.contains(needed)) {
            return (create ? "the reserved disk " : "the volumes ") + needed.unallocated() + " are not in the offer ("
                    + offered.unallocated() + ")";
        }
        return null;
    }
}
