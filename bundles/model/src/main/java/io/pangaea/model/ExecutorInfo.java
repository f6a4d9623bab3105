package io.pangaea.model;

import java.util.List;

public record ExecutorInfo(Type type, ExecutorId executorId, FrameworkId frameworkId, CommandInfo command,
                           ContainerInfo container, List<Resource> resources, String name, String source,
                           String data, Labels labels) {
    public enum Type { UNKNOWN, DEFAULT, CUSTOM }
}
