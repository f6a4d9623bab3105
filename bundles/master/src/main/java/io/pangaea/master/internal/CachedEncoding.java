package io.pangaea.master.internal;

/**
 * One encoding of a task for the read endpoints (its JSON, its v1 JSON or its v1 protobuf), kept while the task stays
 * as it was when it was made ({@link MasterState.TaskEntry#jsonKey}): a large cluster's state is mostly tasks that do
 * not change between two reads. Used on the master's loop only.
 */
final class CachedEncoding<T> {

    private T value;
    private MasterState.JsonKey key;

    /** The encoding kept, when it is still the task's; else null. */
    T kept(MasterState.TaskEntry t) {
        return value != null && key != null && key.is(t) ? value : null;
    }

    /** Keeps {@code encoded}, made (elsewhere) from the task as {@code when} says it was. */
    void keep(MasterState.JsonKey when, T encoded) {
        key = when;
        value = encoded;
    }

    /** {@code c}'s encoding when it is still the task's; null when there is none (a task's are made on first use). */
    static <T> T kept(CachedEncoding<T> c, MasterState.TaskEntry t) {
        return c == null ? null : c.kept(t);
    }

    /** {@code c}, or a new one when null, keeping {@code encoded}: assign the result back to the task's field. */
    static <T> CachedEncoding<T> keep(CachedEncoding<T> c, MasterState.JsonKey when, T encoded) {
        CachedEncoding<T> out = c == null ? new CachedEncoding<>() : c;
        out.keep(when, encoded);
        return out;
    }
}
