package io.pangaea.agent.spi;

import io.pangaea.model.ContainerId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One isolation mechanism, named {@code <kind>/<mechanism>} (for example {@code posix/cpu},
 * {@code cgroups/mem}) in the service property {@value #NAME_PROPERTY}. The native containerizer calls, for each
 * container and for each isolator in the configured order: {@link #prepare} before the process exists,
 * {@link #isolate} once it exists (before it runs the task's command), {@link #watch} to learn of a limit being
 * crossed, {@link #usage} for statistics, and {@link #cleanup} in reverse order after it ended. Every method has a
 * harmless default, so an isolator implements only what its mechanism needs. Calls for one container are never
 * concurrent; calls for different containers may be.
 */
@ConsumerType
public interface Isolator {

    String NAME_PROPERTY = "pangaea.isolator.name";

    /**
     * Prepares the container; may return a command prefix that the launch is wrapped in (for example
     * {@code unshare --pid --fork}), or an empty list.
     */
    default List<String> prepare(ContainerSpec spec) throws ContainerException {
        return List.of();
    }

    /**
     * After an agent restart: rebuilds what this isolator keeps for a container that {@link #prepare} and
     * {@link #isolate} made in the agent's earlier run, without disturbing it. {@code pid} is its running process, or
     * -1 when it ended while the agent was down (then only enough is rebuilt for {@link #cleanup}). The default
     * prepares again (which must be idempotent) and isolates the running process again.
     */
    default void recover(ContainerSpec spec, long pid) throws ContainerException {
        prepare(spec);
        if (pid > 0) {
            isolate(spec.containerId(), pid);
        }
    }

    /** Puts the running process {@code pid} under this isolator. */
    default void isolate(ContainerId id, long pid) throws ContainerException {
    }

    /** Completes with a limitation (a {@link Termination} with {@code limitation} set) if the container crosses one. */
    default CompletionStage<Termination> watch(ContainerId id) {
        return new CompletableFuture<>();
    }

    /**
     * Called once the container's process has ended, before {@link #cleanup}: the limitation it crossed, if the
     * kernel ended it for that (an OOM kill in a memory cgroup), else null.
     */
    default Termination limitation(ContainerId id) {
        return null;
    }

    /**
     * The container's resources changed while it runs (its executor was given tasks, or some ended): limits follow
     * {@code resources}. An isolator without limits has nothing to do.
     */
    default void update(ContainerId id, io.pangaea.model.Resources resources) throws ContainerException {
    }

    /** Adds this isolator's measurements to {@code stats}. */
    default ResourceStatistics usage(ContainerId id, long pid, ResourceStatistics stats) {
        return stats;
    }

    /** Releases what {@link #prepare} and {@link #isolate} made. Called even if they failed. */
    default void cleanup(ContainerId id) {
    }
}
