package io.pangaea.model;

import java.util.List;

public record Environment(List<Variable> variables) {
    public record Variable(String name, Type type, String value) {
        public enum Type { UNKNOWN, VALUE, SECRET }
    }
}
