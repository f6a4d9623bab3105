package io.pangaea.agent.internal.shell;

import io.pangaea.agent.internal.osgi.AgentLifecycle;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * Kills every task on this agent, checkpointed or not, and stops the agent's Karaf container: the way to take an
 * agent down for good (a plain stop or restart leaves checkpointed tasks running for the next start to recover).
 * The same as sending SIGUSR1 to the agent's JVM.
 */
@Service
@Command(scope = "agent", name = "shutdown", description = "Kills every task on this agent and stops it (a plain"
        + " stop or restart keeps checkpointed tasks running)")
public class AgentShutdownCommand implements Action {

    @Reference
    Session session;

    @Reference(optional = true)
    AgentLifecycle agent;

    @Override
    public Object execute() {
        if (agent == null) {
            throw new IllegalStateException("The Pangaea agent is not running (see log:display)");
        }
        session.getConsole().println("Killing every task on this agent, then stopping it");
        agent.shutdown();
        session.getConsole().println("Every task is gone; the agent is stopping");
        return null;
    }
}
