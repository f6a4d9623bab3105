package io.pangaea.model;

import java.util.List;

/**
 * A task's health check, as Mesos's {@code HealthCheck}: an HTTP request, a TCP connection or a command, run by the
 * agent that runs the task. It starts {@code delay_seconds} after the task, runs every {@code interval_seconds}, each
 * try failing after {@code timeout_seconds}; failures in the first {@code grace_period_seconds} (before any success)
 * do not count, and after {@code consecutive_failures} in a row the task is killed.
 */
public record HealthCheck(Type type, Http http, Tcp tcp, CommandInfo command, Double delaySeconds,
                          Double intervalSeconds, Double timeoutSeconds, Integer consecutiveFailures,
                          Double gracePeriodSeconds) {

    public enum Type { UNKNOWN, COMMAND, HTTP, TCP }

    /** {@code GET scheme://127.0.0.1:port/path}; healthy when the status is listed (none listed: 200 to 399). */
    public record Http(String scheme, Integer port, String path, List<Integer> statuses, String protocol) {}

    /** A TCP connection to 127.0.0.1:port; healthy when it opens. */
    public record Tcp(Integer port, String protocol) {}

    // Mesos's defaults
    public double delay() {
        return delaySeconds == null ? 15.0 : delaySeconds;
    }

    public double interval() {
        return intervalSeconds == null ? 10.0 : intervalSeconds;
    }

    public double timeout() {
        return timeoutSeconds == null ? 20.0 : timeoutSeconds;
    }

    public int failuresToKill() {
        return consecutiveFailures == null ? 3 : consecutiveFailures;
    }

    public double gracePeriod() {
        return gracePeriodSeconds == null ? 10.0 : gracePeriodSeconds;
    }

    /** The check's kind: its {@code type}, else what it carries (older clients set only the message). */
    public Type kind() {
        if (type != null && type != Type.UNKNOWN) {
            return type;
        }
        return http != null ? Type.HTTP : tcp != null ? Type.TCP : command != null ? Type.COMMAND : Type.UNKNOWN;
    }
}
