package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.AllocatorControl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "allocator", name = "list", description = "Lists the installed allocation policies and the active one")
public class AllocatorListCommand implements Action {

    /** The caller's session: output goes to its console, not to the JVM's stdout. */
    @Reference
    Session session;

    @Reference
    AllocatorControl control;

    /** The leading master, for its ACLs; absent on a master that does not lead. */
    @Reference(optional = true)
    io.pangaea.master.internal.Master master;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    /** One installed policy. */
    public record PolicyRow(String name, boolean active, boolean configured, String bundle) {}

    @Override
    public Object execute() throws Exception {
        String user = Tables.user();
        if (master != null && !master.acls().approves("view_allocators", user, null)) {
            throw new SecurityException("user '" + user + "' is not authorized to view the allocators"
                    + " (ACL 'view_allocators')");
        }
        List<Object> rows = new ArrayList<>();
        for (Map.Entry<String, String> e : control.installed().entrySet()) {
            rows.add(new PolicyRow(e.getKey(), e.getKey().equals(control.active()),
                    e.getKey().equals(control.configured()), e.getValue()));
        }
        Tables.print(session.getConsole(), rows, json, new String[] {"Name", "Active", "Configured", "Bundle"}, o -> {
            PolicyRow r = (PolicyRow) o;
            return new Object[] {r.name(), r.active() ? "*" : "", r.configured() ? "*" : "", r.bundle()};
        });
        if (!json && control.configured() != null && !control.configured().equals(control.active())) {
            session.getConsole().println("Configured allocator '" + control.configured() + "' is not installed; using '"
                    + control.active() + "'.");
        }
        return null;
    }
}
