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
     * Finds again a container that this containerizer launched with {@code spec} (the same spec, as the agent
     * checkpointed it) before the agent restarted. When it still runs, the container returned is watched as if just
     * launched; when it ended while the agent was down, the container returned has already terminated, with the exit
     * status recorded then (or none, if nothing could record it), and its resources are released. Called on an agent
     * worker thread before the agent registers with the master.
     *
     * @throws ContainerException when this containerizer cannot recover containers, or this one cannot be found
     */
    default Container recover(ContainerSpec spec) throws ContainerException {
        throw new ContainerException("This containerizer cannot recover containers after an agent restart");
    }

    /**
     * Destroys every container that this containerizer made under {@code runtimeRoot} (the parent of the runtime
     * directories the agent gives) and that {@code known} does not name: what an earlier run of the agent left and
     * no checkpoint claims. Their processes are killed, their isolators cleaned up, and their runtime directories
     * removed; each is logged. Returns how many were destroyed. Called once at the agent's start, after recovery.
     */
    default int destroyOrphans(java.nio.file.Path runtimeRoot, java.util.Set<io.pangaea.model.ContainerId> known) {
        return 0;
    }

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
