package io.pangaea.agent.spi;

import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerId;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.Resources;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to run in a new container: the command, its sandbox (already created, the working directory), the full
 * environment it gets, the resources it is given, and the isolators the agent is configured with, in order.
 *
 * @param runtimeDir  a directory of the agent's, for this container only, where the containerizer keeps what it
 *                    needs to find the container again after the agent restarts (pids, the exit status); null when
 *                    the agent keeps nothing (the containerizer then uses a temporary one)
 * @param outlivesAgent whether the container keeps running when the agent's process ends (its framework
 *                    checkpoints, so a restarted agent recovers it); when false, the container ends with the agent
 */
public record ContainerSpec(ContainerId containerId, CommandInfo command, ContainerInfo container, Path sandbox,
                            Map<String, String> environment, Resources resources, List<String> isolation,
                            Map<String, String> labels, Path runtimeDir, boolean outlivesAgent) {

    /** A container that ends with the agent, without a runtime directory of the agent's. */
    public ContainerSpec(ContainerId containerId, CommandInfo command, ContainerInfo container, Path sandbox,
                         Map<String, String> environment, Resources resources, List<String> isolation,
                         Map<String, String> labels) {
        this(containerId, command, container, sandbox, environment, resources, isolation, labels, null, false);
    }
}
