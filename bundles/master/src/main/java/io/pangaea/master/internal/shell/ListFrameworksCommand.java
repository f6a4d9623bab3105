package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterViews.FrameworkRow;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "framework", name = "list", description = "Lists the frameworks known to this master")
public class ListFrameworksCommand implements Action {

    /** The caller's session: output goes to its console, not to the JVM's stdout. */
    @Reference
    Session session;

    @Reference
    Master master;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Override
    public Object execute() throws Exception {
        Tables.print(session.getConsole(), Tables.rows(master, v -> v.frameworkRows()), json,
                new String[] {"ID", "Name", "Roles", "Active", "Connected", "Tasks", "Offers", "Used"},
                o -> {
                    FrameworkRow r = (FrameworkRow) o;
                    return new Object[] {r.id(), r.name(), r.roles(), r.active(), r.connected(), r.tasks(),
                        r.offers(), r.used()};
                });
        return null;
    }
}
