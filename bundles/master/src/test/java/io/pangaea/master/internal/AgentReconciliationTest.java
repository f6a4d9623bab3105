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
        return new AgentCall.Subscribe(new AgentInfo("h", 5051, a.total.toList(), List.of(), a.id), tasks,
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
            assertEquals(TaskState.TASK_RUNNING, t.state);
            assertEquals(Resources.parse("cpus:1;mem:64"), fw.allocatedTotal().unallocated());
            assertEquals(Resources.parse("cpus:1;mem:448"), a.available);
        });
    }

    @Test
    public void aTaskTheAgentNoLongerHasIsLostAndAnUnknownFrameworkIsShutDown() {
        AgentEntry a = f.agent("a1", "cpus:2;mem:512");
        FrameworkEntry fw = f.framework("fw1", "*");
        f.run(() -> {
            Resources r = Resources.parse("cpus:1;mem:64").allocatedTo("*");
            TaskEntry t = new TaskEntry(new TaskInfo("t", TaskId.of("gone-task"), a.id, r.toList(), null,
                    CommandInfo.shell("true"), null, null, null, null), fw.id, a.id, "*", r);
            t.state = TaskState.TASK_RUNNING;
            fw.tasks.put(t.info.taskId(), t);
            a.tasks.put(t.key(), t);
            fw.allocate("*", r);
            f.ctx.reconciliation.reconcileAgentTasks(a, subscribe(a, List.of(reported("stray",
                    FrameworkId.of("nobody"), TaskState.TASK_RUNNING)), List.of()));
        });
        f.run(() -> {
            assertTrue(fw.tasks.isEmpty());
            assertEquals(TaskState.TASK_LOST, fw.completedTasks.newest().state);
            assertEquals(a.total, a.available);
        });
        Event lost = PartsFixture.sink(fw.stream).read(Event.class).get(0);
        assertEquals(TaskState.TASK_LOST, lost.update().status().state());
        assertEquals(io.pangaea.model.TaskStatus.Reason.REASON_AGENT_RESTARTED, lost.update().status().reason());
        AgentEvent shutdown = PartsFixture.sink(a.stream).read(AgentEvent.class).get(0);
        assertEquals(AgentEvent.Type.SHUTDOWN_FRAMEWORK, shutdown.type());
        assertEquals(FrameworkId.of("nobody"), shutdown.shutdownFramework().frameworkId());
    }
}
