package io.pangaea.master.internal;

import io.pangaea.model.TaskId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A framework's completed tasks, oldest first, found by id in constant time: a late status update, a
 * reconciliation and a re-registering agent's report each look a task up here, which was a scan of up to
 * {@code max_completed_tasks_per_framework} entries per task. The oldest go first once the bound is passed.
 *
 * <p>Each task is kept with when it ended. One that ends here goes last. One that agents report as having ended
 * before (after a master failover) takes its place by that time, and is not taken at all when the bound is reached
 * and it ended before all of those kept: the most recent are the ones kept, whatever order the agents come back in.
 * Deciding that before anything is built for it matters: 10,000 agents coming back with 100 completed tasks each
 * report a million of them, of which 1,000 per framework are kept, and each one built and dropped later survived
 * the young collections in between. Used on the master's loop only.
 */
final class CompletedTasks implements Iterable<MasterState.TaskEntry> {

    private final HashMap<TaskId, MasterState.TaskEntry> byId = new HashMap<>();
    private MasterState.TaskEntry[] tasks = new MasterState.TaskEntry[8];
    /** When each of {@link #tasks} ended, in the same places: not decreasing. */
    private double[] ended = new double[8];
    private int size;

    /**
     * Adds {@code t} as the newest, a task that ended now (one completed again moves to the end), then keeps at most
     * {@code max}.
     */
    void add(MasterState.TaskEntry t, int max) {
        remove(t.info.taskId());
        insert(size, t, size == 0 ? endedAt(t) : Math.max(ended[size - 1], endedAt(t)));
        trim(max);
    }

    /**
     * Whether a task that ended at {@code endedAt} (seconds since the epoch) would be kept under the bound
     * {@code max}: there is room, or it ended after the oldest kept.
     */
    boolean admits(double endedAt, int max) {
        return size < max || (size > 0 && endedAt > ended[0]);
    }

    /**
     * Adds {@code t}, which ended at {@code endedAt}, in its place by that time (after those that ended at the same
     * time), then keeps at most {@code max}. Nothing when it has an entry already.
     */
    void adopt(MasterState.TaskEntry t, double endedAt, int max) {
        if (byId.containsKey(t.info.taskId()) || !admits(endedAt, max)) {
            return;
        }
        int at = upperBound(endedAt);
        insert(at, t, endedAt);
        trim(max);
    }

    /** When the oldest kept ended once {@code max} are kept; before that, the earliest time there is. */
    double keptAfter(int max) {
        return size >= max && size > 0 ? ended[0] : Double.NEGATIVE_INFINITY;
    }

    /** Drops the oldest until at most {@code max} remain. */
    void trim(int max) {
        int drop = size - Math.max(0, max);
        if (drop <= 0) {
            return;
        }
        for (int i = 0; i < drop; i++) {
            byId.remove(tasks[i].info.taskId());
        }
        System.arraycopy(tasks, drop, tasks, 0, size - drop);
        System.arraycopy(ended, drop, ended, 0, size - drop);
        Arrays.fill(tasks, size - drop, size, null);
        size -= drop;
    }

    /** The completed task with this id, or null. */
    MasterState.TaskEntry get(TaskId id) {
        return byId.get(id);
    }

    /** The newest completed task, or null. */
    MasterState.TaskEntry newest() {
        return size == 0 ? null : tasks[size - 1];
    }

    int size() {
        return size;
    }

    Stream<MasterState.TaskEntry> stream() {
        return StreamSupport.stream(spliterator(), false);
    }

    @Override
    public Iterator<MasterState.TaskEntry> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public MasterState.TaskEntry next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return tasks[next++];
            }
        };
    }

    /** When a task ended, as its latest status says; 0 (the oldest there can be) when it has none. */
    static double endedAt(MasterState.TaskEntry t) {
        io.pangaea.model.TaskStatus s = t.latestStatus != null ? t.latestStatus
                : t.statuses.isEmpty() ? null : t.statuses.get(t.statuses.size() - 1);
        return s == null || s.timestamp() == null ? 0 : s.timestamp();
    }

    private void remove(TaskId id) {
        MasterState.TaskEntry old = byId.remove(id);
        if (old == null) {
            return;
        }
        for (int i = 0; i < size; i++) {
            if (tasks[i] == old) {
                System.arraycopy(tasks, i + 1, tasks, i, size - i - 1);
                System.arraycopy(ended, i + 1, ended, i, size - i - 1);
                tasks[--size] = null;
                return;
            }
        }
    }

    /** The first place whose time is after {@code t}. */
    private int upperBound(double t) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ended[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void insert(int at, MasterState.TaskEntry t, double when) {
        if (size == tasks.length) {
            tasks = Arrays.copyOf(tasks, size * 2);
            ended = Arrays.copyOf(ended, size * 2);
        }
        System.arraycopy(tasks, at, tasks, at + 1, size - at);
        System.arraycopy(ended, at, ended, at + 1, size - at);
        tasks[at] = t;
        ended[at] = when;
        size++;
        byId.put(t.info.taskId(), t);
    }
}
