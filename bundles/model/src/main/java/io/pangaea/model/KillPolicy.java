package io.pangaea.model;

public record KillPolicy(DurationInfo gracePeriod) {}
