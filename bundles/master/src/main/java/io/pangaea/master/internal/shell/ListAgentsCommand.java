package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterViews.AgentRow;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "agent", name = "list", description = "Lists the agents registered with this master")
public class ListAgentsCommand implements Action {

    /** The caller's session: output goes to its console, not to the JVM's stdout. */
    @Reference
    Session session;

    @Reference
    Master master;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Override
    public Object execute() throws Exception {
        Tables.print(session.getConsole(), Tables.rows(master, v -> v.agentRows()), json,
                new String[] {"ID", "Hostname", "Port", "Active", "Tasks", "Resources", "Used", "Offered"},
                o -> {
                    AgentRow r = (AgentRow) o;
                    return new Object[] {r.id(), r.hostname(), r.port(), r.active(), r.tasks(), r.resources(),
                        r.used(), r.offered()};
                });
        return null;
    }
}
