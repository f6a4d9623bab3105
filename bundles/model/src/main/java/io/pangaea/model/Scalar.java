package io.pangaea.model;

public record Scalar(double value) {}
