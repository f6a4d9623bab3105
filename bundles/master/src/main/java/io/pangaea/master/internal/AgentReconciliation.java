package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.ExecutorEntry;
import io.pangaea.master.internal.MasterState.ExecutorKey;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.master.internal.MasterState.TaskKey;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a (re-)registering agent reports, against what the master knows: known tasks stay (unreachable ones come
 * back), unknown ones are adopted (after a master failover), tasks it no longer has are lost, tasks the master
 * already gave up on are killed, frameworks that are gone are shut down, and its executors are adopted. Changes
 * task and executor entries of that one agent only.
 * Must not touch: other agents, offers, or frameworks beyond adopting one an agent reports.
 */
final class AgentReconciliation extends MasterPart {

    AgentReconciliation(MasterContext ctx) {
        super(ctx);
    }

    private boolean isCompletedTask(FrameworkId fid, TaskId tid) {
        FrameworkEntry fw = state.frameworks.get(fid);
        TaskEntry done = fw == null ? null : fw.completedTasks.get(tid);
        return done != null && done.state() == TaskState.TASK_LOST;
    }

    /** Adopts the tasks an agent reports; tasks the master had there and the agent no longer has are lost. */
    void reconcileAgentTasks(AgentEntry agent, AgentCall.Subscribe sub) {
        Map<FrameworkId, FrameworkInfo> infos = new HashMap<>();
        if (sub.frameworks() != null) {
            sub.frameworks().forEach(f -> infos.put(f.id(), f));
        }
        Set<TaskKey> reported = new HashSet<>();
        Set<FrameworkId> toShutDown = new HashSet<>();
        Set<FrameworkId> ended = new HashSet<>();
        state.completedFrameworks.forEach(c -> ended.add(c.id));
        for (Task task : sub.tasks() == null ? List.<Task>of() : sub.tasks()) {
            TaskKey key = new TaskKey(task.frameworkId(), task.taskId());
            reported.add(key);
            TaskEntry known = agent.tasks.get(key);
            if (known != null) {
                backWithAgent(known, task);
            } else if (isCompletedTask(task.frameworkId(), task.taskId()) && !task.state().isTerminal()) {
                // marked lost while its agent was away, and its framework was told: it must not run on
                ctx.agents.sendToAgent(agent, AgentEvent.kill(new AgentEvent.Kill(task.frameworkId(), task.taskId(),
                        null)));
            } else if (ended.contains(task.frameworkId())) {
                toShutDown.add(task.frameworkId());
            } else if (!adoptTask(agent, sub, task, infos.get(task.frameworkId()))) {
                toShutDown.add(task.frameworkId());
            }
        }
        for (TaskEntry t : List.copyOf(agent.tasks.values())) {
            if (!reported.contains(t.key()) && !t.state().isTerminal()) {
                FrameworkEntry fw = state.frameworks.get(t.frameworkId);
                t.setState(TaskState.TASK_LOST);
                TaskStatus lost = ctx.tasks.masterStatus(t, TaskState.TASK_LOST, "Task is unknown to the agent",
                        TaskStatus.Reason.REASON_AGENT_RESTARTED);
                t.statuses.add(lost);
                t.latestStatus = lost;
                ctx.tasks.recoverTaskResources(t);
                if (fw != null) {
                    ctx.tasks.sendUpdate(fw, lost);
                    ctx.tasks.completeTask(fw, t);
                }
            }
        }
        adoptCompleted(agent, sub.completedTasks(), infos);
        adoptExecutors(agent, sub, toShutDown);
        Resources used = agent.used().unallocated();
        agent.setAvailable(agent.total().minus(used));
        for (FrameworkId f : toShutDown) {
            ctx.agents.sendToAgent(agent, AgentEvent.shutdownFramework(f));
        }
    }

    /** A task the master knew as unreachable is back with its agent: a partition-aware framework learns its state. */
    private void backWithAgent(TaskEntry known, Task task) {
        if (known.state() != TaskState.TASK_UNREACHABLE || task.state().isTerminal()) {
            return;
        }
        FrameworkEntry fw = state.frameworks.get(known.frameworkId);
        known.setState(task.state());
        known.resourcesRecovered = false;
        TaskStatus back = ctx.tasks.masterStatus(known, task.state(), "Agent reregistered",
                TaskStatus.Reason.REASON_AGENT_REREGISTERED);
        known.statuses.add(back);
        known.latestStatus = back;
        if (fw != null) {
            fw.allocate(known.role, known.resources);
            ctx.tasks.sendUpdate(fw, back);
        }
    }

    /**
     * Adopts a task the master did not know (after a master failover), with its framework if that is known only
     * through the agent ({@code info}). False when the framework is unknown altogether: it is to be shut down.
     */
    private boolean adoptTask(AgentEntry agent, AgentCall.Subscribe sub, Task task, FrameworkInfo info) {
        FrameworkEntry fw = state.frameworks.get(task.frameworkId());
        if (fw == null) {
            if (info == null) {
                return false;
            }
            // Known only through its agent (e.g. after a master failover) until it subscribes again.
            fw = new FrameworkEntry(task.frameworkId());
            fw.info = info;
            fw.registeredTime = Master.now();
            state.frameworks.put(fw.id, fw);
        }
        String role = task.resources() == null || task.resources().isEmpty()
                || task.resources().get(0).allocationInfo() == null
                ? fw.roles().isEmpty() ? "*" : fw.roles().get(0)
                : task.resources().get(0).allocationInfo().role();
        Resources res = Resources.allocated(task.resources(), role);
        TaskInfo ti = new TaskInfo(task.name(), task.taskId(), agent.id, task.resources(), null, null,
                task.container(), null, null, task.labels());
        TaskEntry t = new TaskEntry(ti, fw.id, agent.id, role, res);
        if (task.executorId() != null && sub.executors() != null && sub.executors().stream().anyMatch(
                e -> e != null && task.executorId().equals(e.executorId())
                        && task.frameworkId().equals(e.frameworkId()))) {
            t.executorId = task.executorId();
        }
        t.setState(task.state());
        t.statusUpdateState = task.statusUpdateState();
        t.statusUpdateUuid = task.statusUpdateUuid();
        if (task.statuses() != null) {
            t.statuses.addAll(task.statuses());
        }
        fw.tasks.put(task.taskId(), t);
        agent.tasks.put(t.key(), t);
        if (task.state().isTerminal()) {
            t.resourcesRecovered = true;
        } else {
            fw.allocate(role, res);
        }
        return true;
    }

    /**
     * The tasks that ended on a (re-)registering agent, of frameworks the master knows (or learns of from the
     * agent): those it has no record of (a new leader after a failover) join their framework's completed tasks,
     * within {@code max_completed_tasks_per_framework}, the most recently ended kept ({@link CompletedTasks#adopt}).
     * Nothing is sent to frameworks: these ended before.
     */
    private void adoptCompleted(AgentEntry agent, List<Task> completed, Map<FrameworkId, FrameworkInfo> infos) {
        if (completed == null) {
            return;
        }
        int max = config().maxCompletedTasksPerFramework();
        // read from the body without being decoded: each is decoded only if it is kept
        io.pangaea.model.agentproto.ReportedTasks reported = completed instanceof
                io.pangaea.model.agentproto.ReportedTasks r ? r : null;
        int undecodable = 0;
        for (int i = 0; i < completed.size(); i++) {
            Task task = null;
            FrameworkId fid;
            double endedAt;
            if (reported != null) {
                String id = reported.frameworkId(i);
                if (id == null) {
                    continue;
                }
                fid = FrameworkId.of(id);
                endedAt = reported.endedAt(i);
            } else {
                task = completed.get(i);
                if (task == null || task.frameworkId() == null) {
                    continue;
                }
                fid = task.frameworkId();
                TaskStatus last = task.statuses() == null || task.statuses().isEmpty() ? null
                        : task.statuses().get(task.statuses().size() - 1);
                endedAt = last == null || last.timestamp() == null ? 0 : last.timestamp();
            }
            FrameworkEntry fw = state.frameworks.get(fid);
            if (fw != null && !fw.completedTasks.admits(endedAt, max)) {
                // ended before all of those kept: nothing is decoded, built or looked up for it (hashing a
                // million new ids was a sixth of the loop's time in a failover)
                continue;
            }
            if (task == null) {
                try {
                    task = reported.get(i);
                } catch (IllegalArgumentException e) {
                    undecodable++;
                    continue;
                }
            }
            if (task == null || task.taskId() == null || task.state() == null || !task.state().isTerminal()
                    || !fid.equals(task.frameworkId())) {
                continue;
            }
            if (fw == null) {
                FrameworkInfo info = infos.get(task.frameworkId());
                if (info == null) {
                    continue;
                }
                fw = new FrameworkEntry(task.frameworkId());
                fw.info = info;
                fw.registeredTime = Master.now();
                state.frameworks.put(fw.id, fw);
                if (!fw.completedTasks.admits(endedAt, max)) {
                    continue;
                }
            }
            if (fw.tasks.containsKey(task.taskId()) || fw.completedTasks.get(task.taskId()) != null) {
                continue;
            }
            String role = task.resources() == null || task.resources().isEmpty()
                    || task.resources().get(0).allocationInfo() == null
                    ? fw.roles().isEmpty() ? "*" : fw.roles().get(0)
                    : task.resources().get(0).allocationInfo().role();
            TaskInfo ti = new TaskInfo(task.name(), task.taskId(), agent.id, task.resources(), null, null,
                    task.container(), null, null, task.labels());
            TaskEntry t = new TaskEntry(ti, fw.id, agent.id, role,
                    Resources.allocated(task.resources(), role));
            t.setState(task.state());
            t.statusUpdateState = task.statusUpdateState();
            t.statusUpdateUuid = task.statusUpdateUuid();
            if (task.statuses() != null && !task.statuses().isEmpty()) {
                t.statuses.addAll(task.statuses());
                t.latestStatus = task.statuses().get(task.statuses().size() - 1);
            }
            t.resourcesRecovered = true;
            fw.completedTasks.adopt(t, endedAt, max);
            state.completedKeptAfter.put(fw.id.value(), fw.completedTasks.keptAfter(max));
        }
        if (undecodable > 0) {
            org.slf4j.LoggerFactory.getLogger(AgentReconciliation.class).warn(
                    "Agent {} reported {} completed tasks that are not valid tasks; they are left out", agent.id,
                    undecodable);
        }
    }

    /**
     * The executors a (re-)registering agent runs become the master's record of its executors: known ones stay,
     * new ones (after a master failover or a partition) are adopted with their resources, and those the agent no
     * longer runs are forgotten.
     */
    void adoptExecutors(AgentEntry agent, AgentCall.Subscribe sub, Set<FrameworkId> toShutDown) {
        Set<ExecutorKey> reported = new HashSet<>();
        for (ExecutorInfo e : sub.executors() == null ? List.<ExecutorInfo>of() : sub.executors()) {
            if (e == null || e.frameworkId() == null || e.executorId() == null) {
                continue;
            }
            ExecutorKey key = new ExecutorKey(e.frameworkId(), e.executorId());
            reported.add(key);
            FrameworkEntry fw = state.frameworks.get(e.frameworkId());
            if (fw == null) {
                toShutDown.add(e.frameworkId());
                continue;
            }
            if (agent.executors.containsKey(key)) {
                continue;
            }
            List<io.pangaea.model.Resource> rs = e.resources() == null ? List.of() : e.resources();
            String role = rs.isEmpty() || rs.get(0).allocationInfo() == null
                    ? fw.roles().isEmpty() ? "*" : fw.roles().get(0) : rs.get(0).allocationInfo().role();
            Resources res = Resources.allocated(rs, role);
            agent.executors.put(key, new ExecutorEntry(e, agent.id, role, res));
            fw.allocate(role, res);
        }
        for (ExecutorEntry e : List.copyOf(agent.executors.values())) {
            if (!reported.contains(e.key())) {
                ctx.executors.removeExecutor(agent, e);
            }
        }
    }
}
