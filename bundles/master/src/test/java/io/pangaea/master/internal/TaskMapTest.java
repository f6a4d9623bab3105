package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/** A framework's count of live tasks, kept as tasks come, change state and go, is what a count of them gives. */
public class TaskMapTest {

    private static TaskEntry task(FrameworkEntry fw, String id) {
        Resources r = Resources.parse("cpus:0.1;mem:32");
        AgentId agent = AgentId.of("a1");
        return new TaskEntry(new TaskInfo("t", TaskId.of(id), agent, r.toList(), null, CommandInfo.shell("true"),
                null, null, null, null), fw.id, agent, "*", r);
    }

    private static int counted(FrameworkEntry fw) {
        return (int) fw.tasks.values().stream().filter(t -> !t.state().isTerminal()).count();
    }

    @Test
    public void tasksThatComeChangeAndGoAreCounted() {
        FrameworkEntry fw = new FrameworkEntry(FrameworkId.of("fw1"));
        TaskEntry a = task(fw, "a");
        TaskEntry b = task(fw, "b");
        fw.tasks.put(a.info.taskId(), a);
        fw.tasks.put(b.info.taskId(), b);
        assertEquals("staging counts", 2, fw.liveTasks());
        a.setState(TaskState.TASK_RUNNING);
        assertEquals(2, fw.liveTasks());
        a.setState(TaskState.TASK_FINISHED);
        assertEquals(1, fw.liveTasks());
        fw.tasks.put(a.info.taskId(), a);
        assertEquals("the same task put again", 1, fw.liveTasks());
        fw.tasks.remove(a.info.taskId());
        assertEquals("an ended task going", 1, fw.liveTasks());
        a.setState(TaskState.TASK_RUNNING);
        assertEquals("a task no longer the framework's", 1, fw.liveTasks());
        fw.tasks.remove(b.info.taskId());
        assertEquals("a live task going", 0, fw.liveTasks());
        fw.tasks.remove(TaskId.of("none"));
        assertEquals(0, fw.liveTasks());
    }

    @Test
    public void aTaskCountsForOneFrameworkAndTheMapIsChangedOnlyThroughPutAndRemove() {
        FrameworkEntry fw = new FrameworkEntry(FrameworkId.of("fw1"));
        FrameworkEntry other = new FrameworkEntry(FrameworkId.of("fw2"));
        TaskEntry a = task(fw, "a");
        fw.tasks.put(a.info.taskId(), a);
        other.tasks.put(a.info.taskId(), a);
        assertEquals("a task counts for the framework it was put in last", 1, other.liveTasks());
        assertEquals(0, fw.liveTasks());
        fw.tasks.remove(a.info.taskId());
        assertEquals(0, fw.liveTasks());
        assertEquals(1, other.liveTasks());
        fw.tasks.put(a.info.taskId(), a);
        assertThrows(UnsupportedOperationException.class, fw.tasks::clear);
        assertThrows(UnsupportedOperationException.class, () -> fw.tasks.values().remove(a));
        assertThrows(UnsupportedOperationException.class, () -> fw.tasks.keySet().clear());
        assertThrows(UnsupportedOperationException.class, () -> fw.tasks.entrySet().clear());
        assertThrows(UnsupportedOperationException.class, () -> fw.tasks.remove(a.info.taskId(), a));
        assertEquals(1, fw.liveTasks());
    }

    @Test
    public void anyOrderOfChangesKeepsTheCountRight() {
        FrameworkEntry fw = new FrameworkEntry(FrameworkId.of("fw1"));
        Random random = new Random(16);
        List<TaskEntry> all = new ArrayList<>();
        TaskState[] states = TaskState.values();
        for (int i = 0; i < 5_000; i++) {
            int what = random.nextInt(3);
            if (what == 0 || all.isEmpty()) {
                TaskEntry t = task(fw, "t" + i);
                t.setState(states[random.nextInt(states.length)]);
                all.add(t);
                fw.tasks.put(t.info.taskId(), t);
            } else if (what == 1) {
                all.get(random.nextInt(all.size())).setState(states[random.nextInt(states.length)]);
            } else {
                fw.tasks.remove(all.remove(random.nextInt(all.size())).info.taskId());
            }
            assertEquals("after change " + i, counted(fw), fw.liveTasks());
        }
    }
}
