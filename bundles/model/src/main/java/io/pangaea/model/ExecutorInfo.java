package io.pangaea.model;

import java.util.List;

/**
 * An executor a framework asks for: CUSTOM executors run {@code command} and speak the v1 executor API; the DEFAULT
 * executor runs task groups. {@code shutdownGracePeriod} is how long it has to end after SHUTDOWN.
 */
public record ExecutorInfo(Type type, ExecutorId executorId, FrameworkId frameworkId, CommandInfo command,
                           ContainerInfo container, List<Resource> resources, String name, String source,
                           String data, Labels labels, DurationInfo shutdownGracePeriod) {
    public enum Type { UNKNOWN, DEFAULT, CUSTOM }

    /** The same executor with {@code id} as its framework. */
    public ExecutorInfo withFrameworkId(FrameworkId id) {
        return new ExecutorInfo(type, executorId, id, command, container, resources, name, source, data, labels,
                shutdownGracePeriod);
    }

    /** DEFAULT, or CUSTOM (an unset type with a command is a custom executor, as in Mesos). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isDefault() {
        return type == Type.DEFAULT;
    }
}
