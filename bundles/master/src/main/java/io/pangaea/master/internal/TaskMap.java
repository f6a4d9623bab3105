package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.TaskId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A framework's tasks by id, counting those not ended as tasks come and go
 * ({@link MasterState.FrameworkEntry#liveTasks}).
 * A task counts for the framework whose map it was put in last.
 * Tasks come and go by {@code put} and {@code remove} alone; the other ways to change a map would bypass the
 * count, so they are refused.
 */
final class TaskMap extends LinkedHashMap<TaskId, TaskEntry> {
    private final transient FrameworkEntry owner;

    TaskMap(FrameworkEntry owner) {
        this.owner = owner;
    }

    @Override
    public TaskEntry put(TaskId id, TaskEntry t) {
        TaskEntry before = super.put(id, t);
        if (before != t) {
            leave(before);
            if (t.owner() != null && t.owner() != owner && !t.state().isTerminal()) {
                t.owner().countLive(-1); // a framework's entry made again (a failover): the task is the new one's
            }
            t.setOwner(owner);
            if (!t.state().isTerminal()) {
                owner.countLive(1);
            }
        }
        return before;
    }

    @Override
    public TaskEntry remove(Object id) {
        TaskEntry t = super.remove(id);
        leave(t);
        return t;
    }

    private void leave(TaskEntry t) {
        if (t != null && t.owner() == owner) {
            t.setOwner(null);
            if (!t.state().isTerminal()) {
                owner.countLive(-1);
            }
        }
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("a framework's tasks are removed one by one");
    }

    @Override
    public void putAll(Map<? extends TaskId, ? extends TaskEntry> m) {
        m.forEach(this::put);
    }

    @Override
    public TaskEntry putIfAbsent(TaskId key, TaskEntry value) {
        throw new UnsupportedOperationException("put");
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw new UnsupportedOperationException("remove");
    }

    @Override
    public TaskEntry computeIfAbsent(TaskId key,
            java.util.function.Function<? super TaskId, ? extends TaskEntry> f) {
        throw new UnsupportedOperationException("put");
    }

    @Override
    public TaskEntry compute(TaskId key,
            java.util.function.BiFunction<? super TaskId, ? super TaskEntry, ? extends TaskEntry> f) {
        throw new UnsupportedOperationException("put");
    }

    @Override
    public TaskEntry merge(TaskId key, TaskEntry value,
            java.util.function.BiFunction<? super TaskEntry, ? super TaskEntry, ? extends TaskEntry> f) {
        throw new UnsupportedOperationException("put");
    }

    @Override
    public TaskEntry replace(TaskId key, TaskEntry value) {
        throw new UnsupportedOperationException("put");
    }

    @Override
    public void replaceAll(
            java.util.function.BiFunction<? super TaskId, ? super TaskEntry, ? extends TaskEntry> f) {
        throw new UnsupportedOperationException("put");
    }

    @Override
    public java.util.Set<TaskId> keySet() {
        return java.util.Collections.unmodifiableSet(super.keySet());
    }

    @Override
    public java.util.Collection<TaskEntry> values() {
        return java.util.Collections.unmodifiableCollection(super.values());
    }

    @Override
    public java.util.Set<Map.Entry<TaskId, TaskEntry>> entrySet() {
        return java.util.Collections.unmodifiableSet(super.entrySet());
    }
}
