package io.pangaea.master.internal;

import java.util.Objects;
import java.util.function.Function;

/**
 * One part of a read view (an agent's info, one of its resource lists, the whole agent as a protobuf message)
 * encoded once and written as it is, kept while what it was made from stays equal: an agent's parts mostly do not
 * change between two reads, and encoding them through the generic serializer was most of a big cluster's GET_AGENTS,
 * GET_STATE and operator SUBSCRIBE. Loop only.
 *
 * @param <K> what the encoding is made from, compared with {@code equals}
 * @param <V> the encoding
 */
final class EncodedPart<K, V> {

    private K key;
    private V encoded;

    /** The encoding of {@code value}, made with {@code make} when there is none yet or {@code value} changed. */
    V get(K value, Function<K, V> make) {
        if (encoded == null || !Objects.equals(key, value)) {
            encoded = make.apply(value);
            key = value;
        }
        return encoded;
    }

    /** The encoding kept, when it was made from {@code value}; else null. */
    V kept(K value) {
        return encoded != null && Objects.equals(key, value) ? encoded : null;
    }

    /** Keeps {@code encoding}, made (elsewhere) from {@code value}. */
    void keep(K value, V encoding) {
        key = value;
        encoded = encoding;
    }

    /** A JSON part: {@code make}'s tree, written once. */
    static <K> Function<K, RawJson> json(Function<K, com.fasterxml.jackson.databind.JsonNode> make) {
        return k -> new RawJson(io.pangaea.model.json.MesosJson.write(make.apply(k)));
    }
}
