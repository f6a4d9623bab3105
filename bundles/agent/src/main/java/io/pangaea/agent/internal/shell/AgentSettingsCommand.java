package io.pangaea.agent.internal.shell;

import io.pangaea.agent.internal.osgi.AgentSettings;
import java.io.PrintStream;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * The agent's settings in effect, whether each applies live or at the agent's next restart, and those changed in
 * {@code etc/io.pangaea.agent.cfg} that are waiting for that restart.
 */
@Service
@Command(scope = "agent", name = "settings", description = "Lists the agent's settings in effect, whether each"
        + " applies live, and the changes waiting for a restart")
public class AgentSettingsCommand implements Action {

    @Reference
    Session session;

    @Reference(optional = true)
    AgentSettings settings;

    @Override
    public Object execute() {
        if (settings == null) {
            throw new IllegalStateException("The Pangaea agent is not running (see log:display)");
        }
        Map<String, String> pending = settings.pendingRestart();
        ShellTable table = new ShellTable();
        table.column("Setting");
        table.column("Value");
        table.column("Change");
        table.column("Waiting for a restart");
        settings.effective().forEach((k, v) -> table.addRow().addContent(k, v,
                AgentSettings.RESTART.contains(k) ? "restart" : "live", pending.getOrDefault(k, "")));
        PrintStream out = session.getConsole();
        table.print(out);
        out.println(pending.isEmpty() ? "Nothing waits for a restart."
                : pending.keySet() + " changed and take(s) effect when the agent restarts (bundle:restart"
                + " pangaea-agent); tasks of frameworks that checkpoint keep running and are recovered, the others"
                + " end.");
        return null;
    }
}
