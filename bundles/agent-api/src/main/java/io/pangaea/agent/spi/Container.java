package io.pangaea.agent.spi;

import io.pangaea.model.ContainerId;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/** A running container, as its containerizer returns it from {@link Containerizer#launch}. */
@ConsumerType
public interface Container {

    ContainerId id();

    /** The pid of the container's first process as seen from the agent, or -1 when there is none. */
    long pid();

    /** Completes once, when the container has ended and its resources (processes, cgroups, ...) are released. */
    CompletionStage<Termination> termination();

    /**
     * Asks the container to stop: SIGTERM to all its processes, then SIGKILL to what is left after
     * {@code gracePeriod}. Returns at once; {@link #termination()} completes when it is gone.
     */
    void kill(Duration gracePeriod);

    /**
     * Gives the running container new resources: its limits become {@code resources} (an executor's container grows
     * with the tasks it is given and shrinks as they end).
     *
     * @throws ContainerException when this container cannot be resized
     */
    default void update(io.pangaea.model.Resources resources) throws ContainerException {
        throw new ContainerException("This containerizer cannot change a running container's resources");
    }

    /** Current usage; cheap enough to call every few seconds. */
    ResourceStatistics usage();
}
