package io.pangaea.model;

/** {@code CommandInfo.URI}: something to fetch into the sandbox before the command starts. */
public record CommandUri(String value, Boolean executable, Boolean extract, Boolean cache, String outputFile) {}
