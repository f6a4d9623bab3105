package io.pangaea.master.internal;

import java.util.Objects;
import java.util.function.Function;

/**
 * One part of a read view (an agent's info or one of its resource lists) encoded once and written as it is, kept
 * while what it was made from stays equal: an agent's parts mostly do not change between two reads, and encoding
 * them through the generic serializer was most of a big cluster's GET_AGENTS and operator SUBSCRIBE. Loop only.
 */
final class EncodedPart<K> {

    private K key;
    private RawJson json;

    /** The encoding of {@code value}, made with {@code make} when there is none yet or {@code value} changed. */
    RawJson get(K value, Function<K, com.fasterxml.jackson.databind.JsonNode> make) {
        if (json == null || !Objects.equals(key, value)) {
            json = new RawJson(io.pangaea.model.json.MesosJson.write(make.apply(value)));
            key = value;
        }
        return json;
    }
}
