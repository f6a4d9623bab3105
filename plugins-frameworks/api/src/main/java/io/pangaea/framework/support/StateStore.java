package io.pangaea.framework.support;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * An adapter's durable state: small values under keys such as {@code framework-id} or {@code apps/prod_web}
 * (segments of letters, digits, {@code . _ -}, separated by {@code /}). A {@link #put} is durable when it returns
 * and replaces the whole value atomically: a crash leaves the old value or the new one, never a mix. Thread-safe.
 */
public interface StateStore extends AutoCloseable {

    /** The value under {@code key}, if any. */
    Optional<byte[]> get(String key) throws IOException;

    /** Stores {@code value} under {@code key}, durably. */
    void put(String key, byte[] value) throws IOException;

    /** Removes {@code key} (and nothing else); no error when it is absent. */
    void delete(String key) throws IOException;

    /** The keys directly under {@code folder} ({@code apps} lists {@code apps/a}, {@code apps/b}), sorted. */
    List<String> list(String folder) throws IOException;

    @Override
    default void close() {
    }

    /** Checks a key's form; the message names what is wrong. */
    static String check(String key) {
        if (key == null || key.isEmpty() || !key.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
                || key.contains("..")) {
            throw new IllegalArgumentException("invalid state key '" + key + "'");
        }
        return key;
    }
}
