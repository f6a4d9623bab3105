package io.pangaea.agent.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs containers of one kind. Registered as an OSGi service with the property {@value #NAME_PROPERTY}
 * ({@code native}, {@code docker}, {@code lxc}); the agent picks one per task from the task's
 * {@code ContainerInfo.type} and its own {@code containerizers} setting.
 *
 * <p>Contract: {@link #launch} is called on an agent worker thread, possibly concurrently for different containers;
 * it returns once the container's first process has started, or throws with a message fit for the framework. The
 * sandbox exists before the call; stdout and stderr go to {@code stdout} and {@code stderr} files in it.
 */
@ConsumerType
public interface Containerizer {

    String NAME_PROPERTY = "pangaea.containerizer.name";

    Container launch(ContainerSpec spec) throws ContainerException;

    /**
     * How many of its containers this containerizer could not clean up completely since it started (an isolator's
     * cleanup that failed, a cgroup that would not go, an engine that would not remove a container). Each is logged
     * with the container's id; the agent reports the sum over its containerizers as
     * {@code containerizer/mesos/container_destroy_errors}. Any thread.
     */
    default long destroyErrors() {
        return 0;
    }
}
