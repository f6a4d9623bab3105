package io.pangaea.model;

public record Url(String scheme, Address address, String path) {}
