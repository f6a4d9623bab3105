package io.pangaea.master.internal;

import io.pangaea.model.TaskId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.stream.Stream;

/**
 * A framework's completed tasks, oldest first, found by id in constant time: a late status update, a
 * reconciliation and a re-registering agent's report each look a task up here, which was a scan of up to
 * {@code max_completed_tasks_per_framework} entries per task. The oldest go first once the bound is passed.
 * Used on the master's loop only.
 */
final class CompletedTasks implements Iterable<MasterState.TaskEntry> {

    private final LinkedHashMap<TaskId, MasterState.TaskEntry> byId = new LinkedHashMap<>();

    /** Adds {@code t} as the newest (a task completed again moves to the end), then keeps at most {@code max}. */
    void add(MasterState.TaskEntry t, int max) {
        byId.remove(t.info.taskId());
        byId.put(t.info.taskId(), t);
        trim(max);
    }

    /** Drops the oldest until at most {@code max} remain. */
    void trim(int max) {
        Iterator<MasterState.TaskEntry> it = byId.values().iterator();
        while (byId.size() > Math.max(0, max) && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** The completed task with this id, or null. */
    MasterState.TaskEntry get(TaskId id) {
        return byId.get(id);
    }

    /** The newest completed task, or null. */
    MasterState.TaskEntry newest() {
        MasterState.TaskEntry last = null;
        for (MasterState.TaskEntry t : byId.values()) {
            last = t;
        }
        return last;
    }

    int size() {
        return byId.size();
    }

    Stream<MasterState.TaskEntry> stream() {
        return byId.values().stream();
    }

    @Override
    public Iterator<MasterState.TaskEntry> iterator() {
        return byId.values().iterator();
    }
}
