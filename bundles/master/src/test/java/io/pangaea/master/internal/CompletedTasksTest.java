package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class CompletedTasksTest {

    private static TaskEntry ended(String id, double at) {
        TaskEntry t = new TaskEntry(new TaskInfo("t", TaskId.of(id), AgentId.of("a"), List.of(), null, null, null,
                null, null, null, null), FrameworkId.of("f"), AgentId.of("a"), "*", Resources.EMPTY);
        t.setState(TaskState.TASK_FINISHED);
        t.latestStatus = new TaskStatus(TaskId.of(id), TaskState.TASK_FINISHED, null, null, null, null, null, null,
                at, null, null, null, null);
        t.statuses.add(t.latestStatus);
        return t;
    }

    private static List<String> ids(CompletedTasks c) {
        List<String> out = new ArrayList<>();
        c.forEach(t -> out.add(t.info.taskId().value()));
        return out;
    }

    @Test
    public void tasksEndingHereGoLastAndTheOldestGoFirst() {
        CompletedTasks c = new CompletedTasks();
        for (int i = 0; i < 5; i++) {
            c.add(ended("t" + i, 100 + i), 3);
        }
        assertEquals(List.of("t2", "t3", "t4"), ids(c));
        assertNull(c.get(TaskId.of("t1")));
        assertEquals("t4", c.newest().info.taskId().value());
        // completed again: moves to the end, even with an older time of its own
        c.add(ended("t2", 50), 3);
        assertEquals(List.of("t3", "t4", "t2"), ids(c));
        assertEquals(3, c.size());
        assertEquals(3, c.stream().count());
    }

    @Test
    public void reportedTasksTakeTheirPlaceByWhenTheyEndedAndTheOldestAreNotTaken() {
        CompletedTasks c = new CompletedTasks();
        double[] times = {300, 100, 500, 200, 400};
        for (int i = 0; i < times.length; i++) {
            c.adopt(ended("r" + (int) times[i], times[i]), times[i], 3);
        }
        // the three most recent, in the order they ended
        assertEquals(List.of("r300", "r400", "r500"), ids(c));
        assertFalse("ended before all of those kept", c.admits(250, 3));
        assertFalse(c.admits(300, 3));
        assertTrue(c.admits(301, 3));
        assertTrue("room left under a larger bound", c.admits(1, 4));
        c.adopt(ended("r350", 350), 350, 3);
        assertEquals(List.of("r350", "r400", "r500"), ids(c));
        // a task ending here now goes last; one reported as having ended between takes its place
        c.add(ended("live", 1000), 3);
        c.adopt(ended("r450", 450), 450, 3);
        assertEquals(List.of("r450", "r500", "live"), ids(c));
        // an entry already kept is not taken again
        c.adopt(ended("r500", 900), 900, 3);
        assertEquals(List.of("r450", "r500", "live"), ids(c));
        assertEquals(3, c.size());
        assertEquals("r450", c.get(TaskId.of("r450")).info.taskId().value());
        assertNull(c.get(TaskId.of("r350")));
    }

    @Test
    public void aBoundOfNoneKeepsNothing() {
        CompletedTasks c = new CompletedTasks();
        assertFalse(c.admits(1, 0));
        c.adopt(ended("x", 1), 1, 0);
        c.add(ended("y", 2), 0);
        assertEquals(0, c.size());
        assertNull(c.newest());
    }

    @Test
    public void manyRandomReportsKeepExactlyTheMostRecent() {
        CompletedTasks c = new CompletedTasks();
        java.util.Random r = new java.util.Random(7);
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            double at = r.nextInt(1_000_000);
            all.add(at);
            c.adopt(ended("t" + i, at), at, 1000);
        }
        all.sort(null);
        List<Double> kept = new ArrayList<>();
        c.forEach(t -> kept.add(CompletedTasks.endedAt(t)));
        assertEquals(all.subList(all.size() - 1000, all.size()), kept);
    }
}
