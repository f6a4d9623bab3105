package io.pangaea.model;

/** The Mesos {@code OfferID} message: an opaque string, {"value": "..."} on the wire. */
public record OfferId(String value) {
    public static OfferId of(String value) {
        return new OfferId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
