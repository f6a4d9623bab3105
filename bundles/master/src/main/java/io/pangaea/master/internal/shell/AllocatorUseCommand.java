package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.AllocatorControl;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "allocator", name = "use", description = "Switches the running master to another installed allocation"
        + " policy (saved as 'allocator' in etc/io.pangaea.master.cfg); outstanding offers are rescinded, tasks"
        + " keep running")
public class AllocatorUseCommand implements Action {

    /** The caller's session: output goes to its console, not to the JVM's stdout. */
    @Reference
    Session session;

    @Reference
    AllocatorControl control;

    /** The leading master, for its ACLs; absent on a master that does not lead. */
    @Reference(optional = true)
    io.pangaea.master.internal.Master master;

    @Argument(index = 0, name = "name", description = "The policy's name, as allocator:list shows it", required = true)
    String name;

    @Override
    public Object execute() throws Exception {
        String user = Tables.user();
        if (master != null && !master.acls().approves("update_allocators", user, name)) {
            throw new SecurityException("user '" + user + "' is not authorized to switch the allocator to '" + name
                    + "' (ACL 'update_allocators')");
        }
        control.use(name); // an unknown name: Karaf prints "Error executing command: <why>"
        session.getConsole().println("Allocator set to '" + name + "'.");
        return null;
    }
}
