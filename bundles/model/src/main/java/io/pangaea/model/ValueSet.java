package io.pangaea.model;

import java.util.List;

/** Mesos's {@code Value.Set}: {"item": [...]} on the wire. */
public record ValueSet(List<String> item) {
    public ValueSet {
        item = item == null ? List.of() : List.copyOf(item);
    }
}
