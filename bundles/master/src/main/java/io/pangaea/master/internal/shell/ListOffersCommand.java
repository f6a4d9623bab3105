package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterViews.OfferRow;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "offer", name = "list", description = "Lists the outstanding resource offers")
public class ListOffersCommand implements Action {

    /** The caller's session: output goes to its console, not to the JVM's stdout. */
    @Reference
    Session session;

    @Reference
    Master master;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Override
    public Object execute() throws Exception {
        Tables.print(session.getConsole(), Tables.rows(master, v -> v.offerRows()), json,
                new String[] {"ID", "Framework", "Agent", "Hostname", "Role", "Resources"},
                o -> {
                    OfferRow r = (OfferRow) o;
                    return new Object[] {r.id(), r.frameworkId(), r.agentId(), r.hostname(), r.role(),
                        r.resources()};
                });
        return null;
    }
}
