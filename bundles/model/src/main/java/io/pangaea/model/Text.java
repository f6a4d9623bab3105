package io.pangaea.model;

public record Text(String value) {}
