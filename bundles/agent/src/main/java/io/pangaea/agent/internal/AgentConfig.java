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
                          long fetcherCacheSize, Duration executorReregistrationTimeout, Recovery recovery,
                          Gc gc) {

    /**
     * Sandbox garbage collection, with Mesos's flags: an ended container's sandbox goes {@code gc_delay} after it
     * ended, sooner as the disk fills ({@code gc_disk_headroom}), the disk being measured every
     * {@code disk_watch_interval}.
     */
    public record Gc(Duration delay, double diskHeadroom, Duration diskWatchInterval) {

        public static final Gc DEFAULTS = new Gc(Duration.ofDays(7), 0.1, Duration.ofMinutes(1));

        public Gc {
            if (diskHeadroom < 0 || diskHeadroom > 1) {
                throw new IllegalArgumentException("'gc_disk_headroom' must be between 0.0 and 1.0, not "
                        + diskHeadroom);
            }
            if (delay.isNegative() || diskWatchInterval.isNegative() || diskWatchInterval.isZero()) {
                throw new IllegalArgumentException("'gc_delay' and 'disk_watch_interval' must be positive");
            }
        }
    }

    /**
     * How the agent starts after a restart, with Mesos's flags: {@code recover} ({@code reconnect}: take the
     * checkpointed tasks up again; {@code cleanup}: kill them all, forget them and stop), {@code strict} (a recovery
     * error stops the start instead of being logged), {@code recovery_timeout} (given to executors as
     * {@code MESOS_RECOVERY_TIMEOUT}) and {@code reconfiguration_policy} ({@code equal}: the agent's resources and
     * attributes must be what they were; {@code additive}: they may grow, not shrink or change).
     */
    public record Recovery(String recover, boolean strict, Duration recoveryTimeout, String reconfigurationPolicy) {

        public static final Recovery DEFAULTS = new Recovery("reconnect", true, Duration.ofMinutes(15), "equal");

        public Recovery {
            if (!recover.equals("reconnect") && !recover.equals("cleanup")) {
                throw new IllegalArgumentException("'recover' must be 'reconnect' or 'cleanup', not '" + recover
                        + "'");
            }
            if (!reconfigurationPolicy.equals("equal") && !reconfigurationPolicy.equals("additive")) {
                throw new IllegalArgumentException("'reconfiguration_policy' must be 'equal' or 'additive', not '"
                        + reconfigurationPolicy + "'");
            }
        }
    }

    /** With Mesos's default recovery settings. */
    public AgentConfig(String master, String ip, int port, String hostname, Path workDir, Resources resources,
                       List<Attribute> attributes, List<String> isolation, List<String> containerizers,
                       Duration killGracePeriod, Duration executorRegistrationTimeout, Path fetcherCacheDir,
                       long fetcherCacheSize, Duration executorReregistrationTimeout) {
        this(master, ip, port, hostname, workDir, resources, attributes, isolation, containerizers, killGracePeriod,
                executorRegistrationTimeout, fetcherCacheDir, fetcherCacheSize, executorReregistrationTimeout,
                Recovery.DEFAULTS, Gc.DEFAULTS);
    }

    /** The same settings with {@code r} for recovery. */
    public AgentConfig withRecovery(Recovery r) {
        return new AgentConfig(master, ip, port, hostname, workDir, resources, attributes, isolation, containerizers,
                killGracePeriod, executorRegistrationTimeout, fetcherCacheDir, fetcherCacheSize,
                executorReregistrationTimeout, r, gc);
    }

    /** The same settings with {@code g} for garbage collection. */
    public AgentConfig withGc(Gc g) {
        return new AgentConfig(master, ip, port, hostname, workDir, resources, attributes, isolation, containerizers,
                killGracePeriod, executorRegistrationTimeout, fetcherCacheDir, fetcherCacheSize,
                executorReregistrationTimeout, recovery, g);
    }

    /** Mesos's default {@code executor_registration_timeout}. */
    public static final Duration DEFAULT_EXECUTOR_REGISTRATION_TIMEOUT = Duration.ofMinutes(1);
    /**
     * Mesos's default {@code executor_reregistration_timeout}: how long a restarted agent waits for a recovered
     * executor to subscribe again (executors retry at least four times as often: MESOS_SUBSCRIPTION_BACKOFF_MAX).
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
