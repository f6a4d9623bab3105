package io.pangaea.agent.spi;

import io.pangaea.model.TaskStatus;

/**
 * How a container ended. {@code status} is the wait status decoded: exactly one of {@code exitCode} or
 * {@code signal} is set when the process ended by itself or by a signal. {@code limitation} is set when an isolator
 * ended it for going over a limit (with a message saying which and by how much).
 */
public record Termination(Integer exitCode, Integer signal, TaskStatus.Reason limitation, String message) {

    public static Termination exited(int code) {
        return new Termination(code, null, null, null);
    }

    public static Termination signaled(int signal) {
        return new Termination(null, signal, null, null);
    }

    public boolean succeeded() {
        return exitCode != null && exitCode == 0 && limitation == null;
    }
}
