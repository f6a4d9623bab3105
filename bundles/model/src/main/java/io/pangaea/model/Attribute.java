package io.pangaea.model;

/** An agent attribute, e.g. {@code rack:r1} (TEXT) or {@code level:2} (SCALAR). */
public record Attribute(String name, ValueType type, Scalar scalar, Ranges ranges, ValueSet set, Text text) {
    public static Attribute text(String name, String value) {
        return new Attribute(name, ValueType.TEXT, null, null, null, new Text(value));
    }

    public static Attribute scalar(String name, double value) {
        return new Attribute(name, ValueType.SCALAR, new Scalar(value), null, null, null);
    }

    /** The value as Mesos prints it in the legacy endpoints' {@code attributes} map. */
    public Object plainValue() {
        if (type == null) {
            return null;
        }
        return switch (type) {
            case SCALAR -> scalar == null ? null : scalar.value();
            case TEXT -> text == null ? null : text.value();
            case RANGES -> ranges == null ? null : Resources.formatRanges(ranges.range());
            case SET -> set == null ? null : "{" + String.join(",", set.item()) + "}";
        };
    }
}
