package io.pangaea.model;

public record Label(String key, String value) {}
