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
        MasterState.JsonKey now = t.jsonKey();
        if (value == null || !now.equals(key)) {
            value = make.apply(t);
            key = now;
        }
        return value;
    }
}
