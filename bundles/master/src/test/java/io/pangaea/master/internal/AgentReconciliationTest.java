package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.scheduler.Event;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/** What a re-registering agent reports, reconciled against the master's book. */
public class AgentReconciliationTest {

    private final PartsFixture f = new PartsFixture();

    @After
    public void close() {
        f.close();
    }

    private static Task reported(String id, FrameworkId fw, TaskState s) {
        return new Task("t", TaskId.of(id), fw, null, null, s, Resources.parse("cpus:1;mem:64").allocatedTo("*")
                .toList(), List.of(), null, null, null, null, null);
    }

    private static AgentCall.Subscribe subscribe(AgentEntry a, List<Task> tasks, List<FrameworkInfo> frameworks) {
        return new AgentCall.Subscribe(new AgentInfo("h", 5051, a.total().toList(), List.of(), a.id), tasks,
                frameworks, List.of(), "t", List.of());
    }

    @Test
    public void aTaskOfAFrameworkKnownOnlyThroughTheAgentIsAdoptedWithItsFramework() {
        AgentEntry a = f.agent("a1", "cpus:2;mem:512");
        FrameworkId id = FrameworkId.of("old-fw");
        FrameworkInfo info = new FrameworkInfo("root", "old", id, null, null, null, List.of("*"), null, null, null,
                List.of(), null);
        f.run(() -> f.ctx.reconciliation.reconcileAgentTasks(a, subscribe(a, List.of(reported("t1", id,
                TaskState.TASK_RUNNING)), List.of(info))));
        f.run(() -> {
            FrameworkEntry fw = f.state.frameworks.get(id);
            TaskEntry t = fw.tasks.get(TaskId.of("t1"));
            assertEquals(TaskState.TASK_RUNNING, t.state());
            assertEquals(Resources.parse("cpus:1;mem:64"), fw.allocatedTotal().unallocated());
            assertEquals(Resources.parse("cpus:1;mem:448"), a.available());
        });
    }

    /**
     * After a failover, agents report more completed tasks of a framework than it keeps: the most recently ended
     * are kept, whatever order the agents come back in, and none is told to the framework.
     */
    @Test
    public void reportedCompletedTasksKeepTheMostRecentlyEnded() {
        try (PartsFixture small = new PartsFixture(new MasterConfig("127.0.0.1", 5050, "localhost",
                MasterConfig.defaults().allocationInterval(), MasterConfig.defaults().heartbeatInterval(), "drf",
                List.of(), 50, 3))) {
            FrameworkId id = FrameworkId.of("fw-done");
            FrameworkInfo info = new FrameworkInfo("root", "done", id, null, null, null, List.of("*"), null, null,
                    null, List.of(), null);
            double[][] byAgent = {{50, 10}, {70, 20}, {30, 60}};
            for (int i = 0; i < byAgent.length; i++) {
                AgentEntry a = small.agent("a" + i, "cpus:2;mem:512");
                List<Task> done = new java.util.ArrayList<>();
                for (double at : byAgent[i]) {
                    TaskId tid = TaskId.of("t" + (int) at);
                    done.add(new Task("t", tid, id, null, a.id, TaskState.TASK_FINISHED,
                            Resources.parse("cpus:1;mem:64").allocatedTo("*").toList(), List.of(new io.pangaea.model
                            .TaskStatus(tid, TaskState.TASK_FINISHED, null, null, null, null, a.id, null, at, null,
                            null, null, null)), TaskState.TASK_FINISHED, null, null, null, null));
                }
                AgentCall.Subscribe sub = new AgentCall.Subscribe(new AgentInfo("h" + i, 5051, a.total().toList(),
                        List.of(), a.id), List.of(), List.of(info), List.of(), "t", List.of(), null, done);
                small.run(() -> small.ctx.reconciliation.reconcileAgentTasks(a, sub));
            }
            List<String> kept = small.on(() -> small.state.frameworks.get(id).completedTasks.stream()
                    .map(t -> t.info.taskId().value()).toList());
            assertEquals(List.of("t50", "t60", "t70"), kept);
            assertTrue(small.on(() -> small.state.frameworks.get(id).tasks.isEmpty()));
        }
    }

    @Test
    public void aTaskTheAgentNoLongerHasIsLostAndAnUnknownFrameworkIsShutDown() {
        AgentEntry a = f.agent("a1", "cpus:2;mem:512");
        FrameworkEntry fw = f.framework("fw1", "*");
        f.run(() -> {
            Resources r = Resources.parse("cpus:1;mem:64").allocatedTo("*");
            TaskEntry t = new TaskEntry(new TaskInfo("t", TaskId.of("gone-task"), a.id, r.toList(), null,
                    CommandInfo.shell("true"), null, null, null, null), fw.id, a.id, "*", r);
            t.setState(TaskState.TASK_RUNNING);
            fw.tasks.put(t.info.taskId(), t);
            a.tasks.put(t.key(), t);
            fw.allocate("*", r);
            f.ctx.reconciliation.reconcileAgentTasks(a, subscribe(a, List.of(reported("stray",
                    FrameworkId.of("nobody"), TaskState.TASK_RUNNING)), List.of()));
        });
        f.run(() -> {
            assertTrue(fw.tasks.isEmpty());
            assertEquals(TaskState.TASK_LOST, fw.completedTasks.newest().state());
            assertEquals(a.total(), a.available());
        });
        Event lost = PartsFixture.sink(fw.stream).read(Event.class).get(0);
        assertEquals(TaskState.TASK_LOST, lost.update().status().state());
        assertEquals(io.pangaea.model.TaskStatus.Reason.REASON_AGENT_RESTARTED, lost.update().status().reason());
        AgentEvent shutdown = PartsFixture.sink(a.stream).read(AgentEvent.class).get(0);
        assertEquals(AgentEvent.Type.SHUTDOWN_FRAMEWORK, shutdown.type());
        assertEquals(FrameworkId.of("nobody"), shutdown.shutdownFramework().frameworkId());
    }
}
