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
 */
public record ContainerSpec(ContainerId containerId, CommandInfo command, ContainerInfo container, Path sandbox,
                            Map<String, String> environment, Resources resources, List<String> isolation,
                            Map<String, String> labels) {}
