package io.pangaea.agent.internal.osgi;

/**
 * The agent's explicit shutdown, for the {@code agent:shutdown} command (and SIGUSR1): unlike a stop or restart of
 * its bundle or process, which leaves checkpointed tasks running for the next start to recover, it kills every task,
 * then stops the agent's Karaf container.
 */
public interface AgentLifecycle {

    /** Kills every container on this agent, then stops the Karaf container; returns once the tasks are gone. */
    void shutdown();
}
