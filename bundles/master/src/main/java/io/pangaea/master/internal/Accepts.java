package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.OfferEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.OperationState;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.scheduler.Call;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACCEPT: checks the offers, applies the operations in order to what they hold, launches tasks and task groups
 * (validated by {@link LaunchValidator}) and gives back what is left with a filter. Owns nothing of its own: it
 * moves resources from offers to tasks and executors, and hands RESERVE, UNRESERVE, CREATE and DESTROY to
 * {@link Operations}.
 * Must not touch: the framework table, decline filters (it asks {@link Offers}) or the registry (it asks {@link
 * Operations}).
 */
final class Accepts extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Accepts.class);

    Accepts(MasterContext ctx) {
        super(ctx);
    }

    /**
     * ACCEPT: the offers named must be outstanding, this framework's, of one agent and one role. Their resources
     * stay allocated to the framework while the operations apply in order, each to what the previous ones left
     * (Mesos semantics); what no operation used goes back to the agent, filtered for the framework as a decline.
     */
    void accept(FrameworkEntry fw, Call.Accept accept) {
        List<Call.Operation> operations = accept.operations() == null ? List.of() : accept.operations();
        List<OfferEntry> used = new ArrayList<>();
        String invalid = takeOffers(fw, accept.offerIds(), used);
        fw.counters.merge("offers/accepted", (long) used.size(), Long::sum);
        for (Call.Operation op : operations) {
            if (op.type() != null && op.type() != Call.Operation.Type.UNKNOWN) {
                MasterMetrics.inc(fw.counters, "operations/" + op.type().name().toLowerCase(Locale.ROOT));
            }
        }
        if (invalid != null || used.isEmpty()) {
            refuse(fw, used, operations, "Task launched with invalid offers: " + (invalid == null ? "no offers"
                    : invalid));
            return;
        }
        AgentEntry agent = state.agents.get(used.get(0).agentId);
        String role = used.get(0).role;
        Resources remaining = Resources.EMPTY;
        for (OfferEntry o : used) {
            remaining = remaining.plus(o.resources);
            state.offers.remove(o.offer.id());
            if (o.timeout != null) {
                o.timeout.cancel(false);
            }
            fw.offers.remove(o.offer.id());
            agent.offers.remove(o.offer.id());
        }
        Set<TaskId> inThisCall = new HashSet<>();
        for (Call.Operation op : operations) {
            remaining = apply(fw, agent, op, remaining, role, inThisCall);
        }
        if (!remaining.isEmpty()) {
            fw.release(role, remaining);
            agent.setAvailable(agent.available().plus(remaining.unallocated()));
            ctx.offers.addFilter(fw, agent.id, remaining.unallocated(), accept.filters() == null
                    ? io.pangaea.model.Filters.DEFAULT_REFUSE_SECONDS
                    : accept.filters().refuseSecondsOrDefault());
            ctx.allocation.requestAllocation();
        }
    }

    /** Collects the offers an ACCEPT names into {@code used}; returns why they cannot be used together, or null. */
    private String takeOffers(FrameworkEntry fw, List<OfferId> ids, List<OfferEntry> used) {
        String invalid = null;
        for (OfferId id : ids) {
            OfferEntry o = state.offers.get(id);
            if (o == null) {
                invalid = "Offer " + id + " is no longer valid";
            } else if (!o.frameworkId.equals(fw.id)) {
                invalid = "Offer " + id + " is not for this framework";
            } else if (!used.isEmpty() && !used.get(0).agentId.equals(o.agentId)) {
                invalid = "Aggregated offers must belong to one single agent";
            } else if (!used.isEmpty() && !used.get(0).role.equals(o.role)) {
                invalid = "Aggregated offers must be allocated to the same role";
            } else if (used.stream().anyMatch(u -> u.offer.id().equals(id))) {
                invalid = "Offer " + id + " is used more than once";
            } else {
                used.add(o);
            }
        }
        return invalid;
    }

    /**
     * An ACCEPT with invalid offers: the valid ones among them go back, its tasks are lost (dropped for
     * partition-aware frameworks) and its other operations dropped.
     */
    private void refuse(FrameworkEntry fw, List<OfferEntry> used, List<Call.Operation> operations, String msg) {
        for (OfferEntry o : used) {
            ctx.offers.removeOffer(o.offer.id(), false, false);
        }
        TaskState lost = fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE)
                ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
        for (Call.Operation op : operations) {
            for (TaskInfo t : tasksOf(op)) {
                ctx.tasks.sendUpdate(fw, Tasks.masterStatusFor(t.taskId(), null, lost, msg,
                        TaskStatus.Reason.REASON_INVALID_OFFERS));
            }
        }
        for (Call.Operation op : operations) {
            if (op.type() != Call.Operation.Type.LAUNCH && op.type() != Call.Operation.Type.LAUNCH_GROUP) {
                ctx.operations.dropOperation(fw, null, op, OperationState.OPERATION_DROPPED, msg);
            }
        }
    }

    /** Applies one operation of an ACCEPT to {@code remaining}; returns what is left of the offers. */
    private Resources apply(FrameworkEntry fw, AgentEntry agent, Call.Operation op, Resources remaining, String role,
                            Set<TaskId> inThisCall) {
        String idError = ctx.operations.operationIdError(fw, op);
        if (idError != null) {
            ctx.operations.dropOperation(fw, agent, op, OperationState.OPERATION_ERROR, idError);
            for (TaskInfo t : tasksOf(op)) {
                ctx.tasks.sendUpdate(fw, Tasks.masterStatusFor(t.taskId(), agent.id, TaskState.TASK_ERROR, idError,
                        TaskStatus.Reason.REASON_TASK_INVALID));
            }
            return remaining;
        }
        switch (op.type()) {
            case LAUNCH -> {
                Resources left = remaining;
                for (TaskInfo task : op.launch().taskInfos() == null ? List.<TaskInfo>of()
                        : op.launch().taskInfos()) {
                    left = launchTask(fw, agent, task, left, role, inThisCall);
                }
                return left;
            }
            case LAUNCH_GROUP -> {
                return launchGroup(fw, agent, op.launchGroup(), remaining, role, inThisCall);
            }
            case RESERVE, UNRESERVE -> {
                return ctx.operations.reserve(fw, agent, op, remaining, role);
            }
            case CREATE, DESTROY -> {
                return ctx.operations.volumes(fw, agent, op, remaining, role);
            }
            case GROW_VOLUME, SHRINK_VOLUME -> {
                return ctx.operations.resizeVolume(fw, agent, op, remaining, role);
            }
            default -> {
                ctx.operations.dropOperation(fw, agent, op, OperationState.OPERATION_ERROR,
                        "Offer operation '" + op.type() + "' is not supported by this Pangaea version");
                return remaining;
            }
        }
    }

    /**
     * Why the framework may not run {@code task} as its user ({@code run_tasks}: the framework's principal on the
     * task's user, else its executor's, else the framework's), or null when it may.
     */
    private String unauthorized(FrameworkEntry fw, TaskInfo task, ExecutorInfo groupExecutor) {
        io.pangaea.http.Acls acls = ctx.acls();
        if (!acls.configured()) {
            return null;
        }
        ExecutorInfo executor = task.executor() != null ? task.executor() : groupExecutor;
        String user = task.command() != null && task.command().user() != null ? task.command().user()
                : executor != null && executor.command() != null && executor.command().user() != null
                ? executor.command().user() : fw.info.user();
        String principal = fw.info.principal();
        if (acls.approves("run_tasks", principal, user)) {
            return null;
        }
        return "Not authorized to launch as user '" + user + "'" + (principal == null ? "" : " (principal '"
                + principal + "')") + " by the 'run_tasks' ACL";
    }

    static List<TaskInfo> tasksOf(Call.Operation op) {
        if (op.type() == Call.Operation.Type.LAUNCH && op.launch() != null && op.launch().taskInfos() != null) {
            return op.launch().taskInfos();
        }
        if (op.type() == Call.Operation.Type.LAUNCH_GROUP && op.launchGroup() != null
                && op.launchGroup().taskGroup() != null && op.launchGroup().taskGroup().tasks() != null) {
            return op.launchGroup().taskGroup().tasks();
        }
        return List.of();
    }

    /** Launches one task out of {@code remaining}; returns what is left. */
    Resources launchTask(FrameworkEntry fw, AgentEntry agent, TaskInfo task, Resources remaining, String role,
                                 Set<TaskId> inThisCall) {
        String error = LaunchValidator.validateTask(fw, agent, task, remaining, role, inThisCall);
        if (error != null) {
            ctx.tasks.sendUpdate(fw, Tasks.masterStatusFor(task.taskId(), agent.id, TaskState.TASK_ERROR, error,
                    TaskStatus.Reason.REASON_TASK_INVALID));
            return remaining;
        }
        String unauthorized = unauthorized(fw, task, null);
        if (unauthorized != null) {
            ctx.tasks.sendUpdate(fw, Tasks.masterStatusFor(task.taskId(), agent.id, TaskState.TASK_ERROR,
                    unauthorized, TaskStatus.Reason.REASON_TASK_UNAUTHORIZED));
            return remaining;
        }
        Resources taskResources = Resources.allocated(task.resources(), role);
        inThisCall.add(task.taskId());
        TaskInfo launched = task.withAgentId(agent.id);
        Resources left = remaining.minus(taskResources);
        if (task.executor() != null) {
            ExecutorInfo executor = task.executor().withFrameworkId(fw.id);
            launched = new TaskInfo(task.name(), task.taskId(), agent.id, task.resources(), executor, null,
                    task.container(), task.killPolicy(), task.data(), task.labels(), task.healthCheck());
            left = left.minus(ctx.executors.addExecutor(agent, executor, role));
        }
        TaskEntry entry = new TaskEntry(launched, fw.id, agent.id, role, taskResources);
        entry.executorId = task.executor() == null ? null : task.executor().executorId();
        fw.tasks.put(task.taskId(), entry);
        agent.tasks.put(entry.key(), entry);
        ctx.events.publish("TASK_ADDED", "task", () -> V1Views.task(entry), v -> v.task(fw.info, entry.info));
        // the framework's info is encoded once for all its launches; only the task goes through the generic serializer
        ctx.agents.sendToAgent(agent, io.pangaea.model.json.AgentEventsJson.launch(
                fw.launchInfo.get(fw.info, io.pangaea.model.json.AgentEventsJson::frameworkInfo), launched));
        return left;
    }

    /**
     * LAUNCH_GROUP: the tasks run together under the DEFAULT executor, all or none. An invalid group (or one that
     * does not fit in the offer) ends every one of its tasks in TASK_ERROR.
     */
    Resources launchGroup(FrameworkEntry fw, AgentEntry agent, Call.Operation.LaunchGroup group,
                                  Resources remaining, String role, Set<TaskId> inThisCall) {
        List<TaskInfo> tasks = group == null || group.taskGroup() == null || group.taskGroup().tasks() == null
                ? List.of() : group.taskGroup().tasks();
        String error = null;
        if (group == null || group.executor() == null) {
            error = "'LaunchGroup.executor' must be set";
        } else if (tasks.isEmpty()) {
            error = "'LaunchGroup.task_group' must contain at least one task";
        } else {
            error = LaunchValidator.validateExecutor(fw, agent, group.executor(), true);
        }
        Set<TaskId> seen = new HashSet<>(inThisCall);
        Resources wanted = Resources.EMPTY;
        ExecutorInfo executor = null;
        if (error == null) {
            executor = group.executor().withFrameworkId(fw.id);
            wanted = Executors.executorCost(agent, executor, role);
            for (TaskInfo task : tasks) {
                if (task.executor() != null) {
                    error = "Task '" + task.taskId().value() + "' of a task group must not set 'executor'";
                } else {
                    error = LaunchValidator.validateTaskAlone(fw, agent, task, seen);
                }
                if (error != null) {
                    break;
                }
                seen.add(task.taskId());
                wanted = wanted.plus(Resources.allocated(task.resources(), role));
            }
        }
        if (error == null && !remaining.contains(wanted)) {
            error = "Task group uses more resources " + wanted.unallocated() + " than available "
                    + remaining.unallocated();
        }
        if (error == null) {
            for (TaskInfo task : tasks) {
                String unauthorized = unauthorized(fw, task, group.executor());
                if (unauthorized != null) {
                    for (TaskInfo t : tasks) {
                        ctx.tasks.sendUpdate(fw, Tasks.masterStatusFor(t.taskId(), agent.id, TaskState.TASK_ERROR,
                                unauthorized, TaskStatus.Reason.REASON_TASK_UNAUTHORIZED));
                    }
                    return remaining;
                }
            }
        }
        if (error != null) {
            for (TaskInfo task : tasks) {
                if (task.taskId() != null) {
                    ctx.tasks.sendUpdate(fw, Tasks.masterStatusFor(task.taskId(), agent.id, TaskState.TASK_ERROR, error,
                            TaskStatus.Reason.REASON_TASK_GROUP_INVALID));
                }
            }
            return remaining;
        }
        ctx.executors.addExecutor(agent, executor, role);
        List<TaskInfo> launched = new ArrayList<>();
        for (TaskInfo task : tasks) {
            inThisCall.add(task.taskId());
            TaskInfo t = task.withAgentId(agent.id);
            launched.add(t);
            TaskEntry entry = new TaskEntry(t, fw.id, agent.id, role,
                    Resources.allocated(task.resources(), role));
            entry.executorId = executor.executorId();
            fw.tasks.put(task.taskId(), entry);
            agent.tasks.put(entry.key(), entry);
            ctx.events.publish("TASK_ADDED", "task", () -> V1Views.task(entry), v -> v.task(fw.info, entry.info));
        }
        ctx.agents.sendToAgent(agent, AgentEvent.launchGroup(new AgentEvent.LaunchGroup(fw.info, executor,
                new TaskGroupInfo(launched))));
        return remaining.minus(wanted);
    }
}
