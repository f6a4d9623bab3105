package io.pangaea.model;

public record Address(String hostname, String ip, Integer port) {}
