package io.pangaea.model;

public enum ValueType { SCALAR, RANGES, SET, TEXT }
