package io.pangaea.master.internal;

import io.pangaea.model.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The master's settings, with the Mesos flag names and defaults.
 *
 * @param minAllocatable Mesos {@code min_allocatable_resources}: alternatives separated by {@code |}
 * @param offerTimeout   Mesos {@code offer_timeout}: offers not answered within it are rescinded; null for never
 * @param agentPingTimeout     Mesos {@code agent_ping_timeout}: how long an agent may be silent before a ping counts
 *                             as missed (15 s by default)
 * @param maxAgentPingTimeouts Mesos {@code max_agent_ping_timeouts}: how many missed pings make an agent unreachable
 *                             (5 by default)
 * @param agentReregisterTimeout   Mesos {@code agent_reregister_timeout}: how long a new leader waits for the agents
 *                                 the registry admitted to re-register before it marks them unreachable (10 min)
 * @param recoveryAgentRemovalLimit Mesos {@code recovery_agent_removal_limit}: the largest share (0 to 1) of those
 *                                  agents that may be marked unreachable that way; above it the master marks none
 *                                  (1, that is 100%, by default)
 */
public record MasterConfig(String ip, int port, String hostname, Duration allocationInterval,
                           Duration heartbeatInterval, String allocator, List<Resources> minAllocatable,
                           int maxCompletedFrameworks, int maxCompletedTasksPerFramework, Duration offerTimeout,
                           Duration agentPingTimeout, int maxAgentPingTimeouts, Duration agentReregisterTimeout,
                           double recoveryAgentRemovalLimit) {

    public static final Duration DEFAULT_AGENT_PING_TIMEOUT = Duration.ofSeconds(15);
    public static final int DEFAULT_MAX_AGENT_PING_TIMEOUTS = 5;
    public static final Duration DEFAULT_AGENT_REREGISTER_TIMEOUT = Duration.ofMinutes(10);

    public MasterConfig(String ip, int port, String hostname, Duration allocationInterval,
                        Duration heartbeatInterval, String allocator, List<Resources> minAllocatable,
                        int maxCompletedFrameworks, int maxCompletedTasksPerFramework, Duration offerTimeout,
                        Duration agentPingTimeout, int maxAgentPingTimeouts) {
        this(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentPingTimeout,
                maxAgentPingTimeouts, DEFAULT_AGENT_REREGISTER_TIMEOUT, 1.0);
    }

    /** A new leader's wait for the admitted agents, and the share of them it may then mark unreachable. */
    public MasterConfig withAgentRecovery(Duration reregisterTimeout, double removalLimit) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentPingTimeout,
                maxAgentPingTimeouts, reregisterTimeout, removalLimit);
    }

    /**
     * Whether a new leader may mark unreachable the {@code missing} of the {@code expected} admitted agents that did
     * not re-register in time: not when they are more than {@code recovery_agent_removal_limit} of them (the master
     * is then more likely cut off itself).
     */
    public boolean mayMarkUnreachableAfterFailover(int missing, int expected) {
        return expected == 0 || (double) missing / expected <= recoveryAgentRemovalLimit;
    }

    /** {@code recovery_agent_removal_limit} as Mesos writes it: a percentage, {@code 100%}. */
    public static double parseRemovalLimit(String text) {
        String t = text == null ? "" : text.trim();
        if (!t.endsWith("%")) {
            throw new IllegalArgumentException("recovery_agent_removal_limit must be a percentage such as 100%,"
                    + " not '" + text + "'");
        }
        double v;
        try {
            v = Double.parseDouble(t.substring(0, t.length() - 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("recovery_agent_removal_limit must be a percentage such as 100%,"
                    + " not '" + text + "'");
        }
        if (v < 0 || v > 100) {
            throw new IllegalArgumentException("recovery_agent_removal_limit must be between 0% and 100%, not '"
                    + text + "'");
        }
        return v / 100.0;
    }

    /**
     * How long a disconnected agent has to come back before it is marked unreachable and its tasks
     * TASK_UNREACHABLE (or TASK_LOST): {@code agent_ping_timeout} times {@code max_agent_ping_timeouts}, 75 s by
     * default.
     */
    public Duration agentUnreachableTimeout() {
        return agentPingTimeout.multipliedBy(Math.max(1, maxAgentPingTimeouts));
    }

    public MasterConfig(String ip, int port, String hostname, Duration allocationInterval,
                        Duration heartbeatInterval, String allocator, List<Resources> minAllocatable,
                        int maxCompletedFrameworks, int maxCompletedTasksPerFramework, Duration offerTimeout) {
        this(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, DEFAULT_AGENT_PING_TIMEOUT,
                DEFAULT_MAX_AGENT_PING_TIMEOUTS);
    }

    public MasterConfig(String ip, int port, String hostname, Duration allocationInterval,
                        Duration heartbeatInterval, String allocator, List<Resources> minAllocatable,
                        int maxCompletedFrameworks, int maxCompletedTasksPerFramework) {
        this(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, null);
    }

    public MasterConfig withOfferTimeout(Duration d) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, d, agentPingTimeout, maxAgentPingTimeouts,
                agentReregisterTimeout, recoveryAgentRemovalLimit);
    }

    /** A disconnected agent is unreachable after {@code d}: one ping timeout of {@code d}. */
    public MasterConfig withAgentUnreachableTimeout(Duration d) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, d, 1, agentReregisterTimeout,
                recoveryAgentRemovalLimit);
    }

    /** The health check: a PING every {@code timeout}; {@code max} missed in a row make the agent unreachable. */
    public MasterConfig withAgentPings(Duration timeout, int max) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, timeout, max, agentReregisterTimeout,
                recoveryAgentRemovalLimit);
    }

    public MasterConfig withAllocator(String name) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, name, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentPingTimeout,
                maxAgentPingTimeouts, agentReregisterTimeout, recoveryAgentRemovalLimit);
    }

    public static MasterConfig defaults() {
        return new MasterConfig("127.0.0.1", 5050, "localhost", Duration.ofSeconds(1), Duration.ofSeconds(15), "drf",
                parseMinAllocatable("cpus:0.01|mem:32"), 50, 1000);
    }

    public MasterConfig withPort(int newPort) {
        return new MasterConfig(ip, newPort, hostname, allocationInterval, heartbeatInterval, allocator,
                minAllocatable, maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentPingTimeout,
                maxAgentPingTimeouts, agentReregisterTimeout, recoveryAgentRemovalLimit);
    }

    /**
     * The heartbeat interval, which is also how soon a scheduler that went away unannounced is noticed: its
     * stream fails at the next write.
     */
    public MasterConfig withHeartbeatInterval(Duration d) {
        return new MasterConfig(ip, port, hostname, allocationInterval, d, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentPingTimeout,
                maxAgentPingTimeouts, agentReregisterTimeout, recoveryAgentRemovalLimit);
    }

    public MasterConfig withAllocationInterval(Duration d) {
        return new MasterConfig(ip, port, hostname, d, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentPingTimeout,
                maxAgentPingTimeouts, agentReregisterTimeout, recoveryAgentRemovalLimit);
    }

    public static List<Resources> parseMinAllocatable(String text) {
        List<Resources> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String alt : text.split("\\|")) {
            out.add(Resources.parse(alt));
        }
        return out;
    }
}
