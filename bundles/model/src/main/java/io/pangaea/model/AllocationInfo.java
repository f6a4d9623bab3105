package io.pangaea.model;

/** The role a resource is allocated (offered or used) to. */
public record AllocationInfo(String role) {}
