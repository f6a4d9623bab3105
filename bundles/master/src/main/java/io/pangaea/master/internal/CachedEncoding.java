package io.pangaea.master.internal;

import java.util.function.Function;

/**
 * One encoding of a task for the read endpoints (its JSON, its v1 JSON or its v1 protobuf), kept while the task stays
 * as it was when it was made ({@link MasterState.TaskEntry#jsonKey}): a large cluster's state is mostly tasks that do
 * not change between two reads. Used on the master's loop only.
 */
final class CachedEncoding<T> {

    private T value;
    private MasterState.JsonKey key;

    /** The encoding of {@code t}, made with {@code make} when there is none yet or the task changed since. */
    T get(MasterState.TaskEntry t, Function<MasterState.TaskEntry, T> make) {
        T kept = kept(t);
        if (kept != null) {
            return kept;
        }
        value = make.apply(t);
        key = t.jsonKey();
        return value;
    }

    /** The encoding kept, when it is still the task's; else null. */
    T kept(MasterState.TaskEntry t) {
        return value != null && key != null && key.is(t) ? value : null;
    }

    /** Keeps {@code encoded}, made (elsewhere) from the task as {@code when} says it was. */
    void keep(MasterState.JsonKey when, T encoded) {
        key = when;
        value = encoded;
    }
}
