package io.pangaea.model;

import java.util.List;

public record Ranges(List<Range> range) {
    public Ranges {
        range = range == null ? List.of() : List.copyOf(range);
    }
}
