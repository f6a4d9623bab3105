package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/** The task table on its own: status updates, acknowledgements, and reconciliation of tasks the master lost. */
public class TasksPartTest {

    private final PartsFixture f = new PartsFixture();

    @After
    public void close() {
        f.close();
    }

    /** A running task of {@code fw} on {@code a}, using cpus:1;mem:128 of it. */
    private TaskEntry running(FrameworkEntry fw, AgentEntry a, String id) {
        return f.on(() -> {
            Resources r = Resources.parse("cpus:1;mem:128").allocatedTo("*");
            TaskInfo info = new TaskInfo("t", TaskId.of(id), a.id, r.toList(), null, CommandInfo.shell("sleep 9"),
                    null, null, null, null);
            TaskEntry t = new TaskEntry(info, fw.id, a.id, "*", r);
            t.setState(TaskState.TASK_RUNNING);
            fw.tasks.put(t.info.taskId(), t);
            a.tasks.put(t.key(), t);
            fw.allocate("*", r);
            a.setAvailable(a.available().minus(r.unallocated()));
            return t;
        });
    }

    private static TaskStatus status(String task, TaskState s, String uuid) {
        return new TaskStatus(TaskId.of(task), s, null, TaskStatus.Source.SOURCE_EXECUTOR, null, null, null, null,
                1.0, uuid, null, null, null);
    }

    @Test
    public void aTerminalUpdateGivesTheResourcesBackAndItsAcknowledgementCompletesTheTask() {
        AgentEntry a = f.agent("a1", "cpus:2;mem:512");
        FrameworkEntry fw = f.framework("fw1", "*");
        TaskEntry t = running(fw, a, "t1");
        f.run(() -> f.ctx.tasks.agentUpdate(new AgentCall.Update(fw.id, status("t1", TaskState.TASK_FINISHED, "u1"),
                null)));
        f.run(() -> {
            assertEquals(TaskState.TASK_FINISHED, t.state());
            assertEquals(Resources.parse("cpus:2;mem:512"), a.available());
            assertTrue(fw.allocated.isEmpty());
            assertTrue("kept until acknowledged", fw.tasks.containsKey(t.info.taskId()));
            assertEquals(1L, (long) f.ctx.metrics.counters().get("master/tasks_finished"));
        });
        Event update = PartsFixture.sink(fw.stream).read(Event.class).get(0);
        assertEquals(TaskState.TASK_FINISHED, update.update().status().state());
        f.run(() -> f.ctx.tasks.acknowledge(fw, new Call.Acknowledge(a.id, TaskId.of("t1"), "u1")));
        f.run(() -> {
            assertFalse(fw.tasks.containsKey(t.info.taskId()));
            assertEquals(t, fw.completedTasks.newest());
        });
        AgentEvent ack = PartsFixture.sink(a.stream).read(AgentEvent.class).get(0);
        assertEquals("u1", ack.acknowledge().uuid());
    }

    @Test
    public void anUpdateAfterATerminalOneDoesNotReviveTheTask() {
        AgentEntry a = f.agent("a1", "cpus:2;mem:512");
        FrameworkEntry fw = f.framework("fw1", "*");
        TaskEntry t = running(fw, a, "t1");
        f.run(() -> {
            f.ctx.tasks.agentUpdate(new AgentCall.Update(fw.id, status("t1", TaskState.TASK_KILLED, "u1"), null));
            f.ctx.tasks.agentUpdate(new AgentCall.Update(fw.id, status("t1", TaskState.TASK_RUNNING, "u0"), null));
        });
        f.run(() -> assertEquals(TaskState.TASK_KILLED, t.state()));
    }

    @Test
    public void reconcilingUnknownTasksAnswersWhatIsKnownOfTheirAgent() {
        AgentEntry a = f.agent("a1", "cpus:2;mem:512");
        FrameworkEntry fw = f.framework("fw1", "*");
        f.run(() -> {
            fw.info = new io.pangaea.model.FrameworkInfo("root", "t", fw.id, null, null, null, List.of("*"), null,
                    null, null, List.of(new io.pangaea.model.FrameworkInfo.Capability(
                    io.pangaea.model.FrameworkInfo.Capability.Type.PARTITION_AWARE)), null);
            f.state.goneAgents.add(AgentId.of("gone"));
            f.ctx.tasks.reconcile(fw, new Call.Reconcile(List.of(
                    new Call.Reconcile.ReconcileTask(TaskId.of("x"), a.id),
                    new Call.Reconcile.ReconcileTask(TaskId.of("y"), AgentId.of("gone")),
                    new Call.Reconcile.ReconcileTask(TaskId.of("z"), null))));
        });
        List<Event> updates = PartsFixture.sink(fw.stream).read(Event.class);
        assertEquals(List.of(TaskState.TASK_GONE, TaskState.TASK_GONE_BY_OPERATOR, TaskState.TASK_UNKNOWN),
                updates.stream().map(e -> e.update().status().state()).toList());
        assertTrue(updates.stream().allMatch(e -> e.update().status().reason()
                == TaskStatus.Reason.REASON_RECONCILIATION));
    }
}
