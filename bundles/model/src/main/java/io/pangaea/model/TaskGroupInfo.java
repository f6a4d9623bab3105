package io.pangaea.model;

import java.util.List;

/** Tasks launched together under one executor (the default executor), started and ended as a unit. */
public record TaskGroupInfo(List<TaskInfo> tasks) {}
