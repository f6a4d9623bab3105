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
 * @param agentUnreachableTimeout how long a disconnected agent has to come back before it is marked unreachable
 *                       and its tasks TASK_UNREACHABLE (or TASK_LOST): Mesos's {@code agent_ping_timeout} times
 *                       {@code max_agent_ping_timeouts}, 75 s by default
 */
public record MasterConfig(String ip, int port, String hostname, Duration allocationInterval,
                           Duration heartbeatInterval, String allocator, List<Resources> minAllocatable,
                           int maxCompletedFrameworks, int maxCompletedTasksPerFramework, Duration offerTimeout,
                           Duration agentUnreachableTimeout) {

    public static final Duration DEFAULT_AGENT_UNREACHABLE_TIMEOUT = Duration.ofSeconds(75);

    public MasterConfig(String ip, int port, String hostname, Duration allocationInterval,
                        Duration heartbeatInterval, String allocator, List<Resources> minAllocatable,
                        int maxCompletedFrameworks, int maxCompletedTasksPerFramework, Duration offerTimeout) {
        this(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, DEFAULT_AGENT_UNREACHABLE_TIMEOUT);
    }

    public MasterConfig(String ip, int port, String hostname, Duration allocationInterval,
                        Duration heartbeatInterval, String allocator, List<Resources> minAllocatable,
                        int maxCompletedFrameworks, int maxCompletedTasksPerFramework) {
        this(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, null);
    }

    public MasterConfig withOfferTimeout(Duration d) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, d, agentUnreachableTimeout);
    }

    public MasterConfig withAgentUnreachableTimeout(Duration d) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, d);
    }

    public MasterConfig withAllocator(String name) {
        return new MasterConfig(ip, port, hostname, allocationInterval, heartbeatInterval, name, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentUnreachableTimeout);
    }

    public static MasterConfig defaults() {
        return new MasterConfig("127.0.0.1", 5050, "localhost", Duration.ofSeconds(1), Duration.ofSeconds(15), "drf",
                parseMinAllocatable("cpus:0.01|mem:32"), 50, 1000);
    }

    public MasterConfig withPort(int newPort) {
        return new MasterConfig(ip, newPort, hostname, allocationInterval, heartbeatInterval, allocator,
                minAllocatable, maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentUnreachableTimeout);
    }

    /**
     * The heartbeat interval, which is also how soon a scheduler that went away unannounced is noticed: its
     * stream fails at the next write.
     */
    public MasterConfig withHeartbeatInterval(Duration d) {
        return new MasterConfig(ip, port, hostname, allocationInterval, d, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentUnreachableTimeout);
    }

    public MasterConfig withAllocationInterval(Duration d) {
        return new MasterConfig(ip, port, hostname, d, heartbeatInterval, allocator, minAllocatable,
                maxCompletedFrameworks, maxCompletedTasksPerFramework, offerTimeout, agentUnreachableTimeout);
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
