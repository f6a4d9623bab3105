package io.pangaea.agent.internal;

import io.pangaea.model.Attribute;
import io.pangaea.model.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The agent's settings, with Mesos flag names: master, port, work_dir, resources, attributes, isolation, ... */
public record AgentConfig(String master, String ip, int port, String hostname, Path workDir, Resources resources,
                          List<Attribute> attributes, List<String> isolation, List<String> containerizers,
                          Duration killGracePeriod, Duration executorRegistrationTimeout) {

    /** Mesos's default {@code executor_registration_timeout}. */
    public static final Duration DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT = Duration.ofMinutes(1);
}
