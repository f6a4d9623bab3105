package io.pangaea.agent.internal;

import io.pangaea.model.Attribute;
import io.pangaea.model.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The agent's settings, with Mesos flag names: master, port, work_dir, resources, attributes, isolation, ... */
public record AgentConfig(String master, String ip, int port, String hostname, Path workDir, Resources resources,
                          List<Attribute> attributes, List<String> isolation, List<String> containerizers,
                          Duration killGracePeriod, Duration executorRegistrationTimeout, Path fetcherCacheDir,
                          long fetcherCacheSize, Duration executorReregistrationTimeout) {

    /** Mesos's default {@code executor_registration_timeout}. */
    public static final Duration DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT = Duration.ofMinutes(1);
    /**
     * Mesos's default {@code executor_reregistration_timeout}: the longest an executor waits between two tries to
     * subscribe again ({@code MESOS_SUBSCRIPTION_BACKOFF_MAX}).
     */
    public static final Duration DEFAULT_EXECUTOR_REREGISTRATION_TIMEOUT = Duration.ofSeconds(2);
    /** Mesos's default {@code fetcher_cache_size}: 2GB. */
    public static final long DEFAULT_FETCHER_CACHE_SIZE = 2L << 30;

    /** With the fetcher's cache in {@code <work_dir>/fetch}, of Mesos's default size. */
    public AgentConfig(String master, String ip, int port, String hostname, Path workDir, Resources resources,
                       List<Attribute> attributes, List<String> isolation, List<String> containerizers,
                       Duration killGracePeriod, Duration executorRegistrationTimeout) {
        this(master, ip, port, hostname, workDir, resources, attributes, isolation, containerizers, killGracePeriod,
                executorRegistrationTimeout, workDir.resolve("fetch"), DEFAULT_FETCHER_CACHE_SIZE,
                DEFAULT_EXECUTOR_REREGISTRATION_TIMEOUT);
    }
}
