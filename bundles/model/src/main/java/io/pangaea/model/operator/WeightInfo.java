package io.pangaea.model.operator;

/** A role's weight (Mesos {@code WeightInfo}). */
public record WeightInfo(Double weight, String role) {}
