package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterViews.TaskRow;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "task", name = "list", description = "Lists tasks (active ones; with --all also completed ones)")
public class ListTasksCommand implements Action {

    /** The caller's session: output goes to its console, not to the JVM's stdout. */
    @Reference
    Session session;

    @Reference
    Master master;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Option(name = "-a", aliases = "--all", description = "Include completed tasks")
    boolean all;

    @Override
    public Object execute() throws Exception {
        Tables.print(session.getConsole(), Tables.rows(master, v -> v.taskRows(all)), json,
                new String[] {"ID", "Name", "Framework", "Agent", "State", "Resources"},
                o -> {
                    TaskRow r = (TaskRow) o;
                    return new Object[] {r.id(), r.name(), r.frameworkId(), r.agentId(), r.state(), r.resources()};
                });
        return null;
    }
}
