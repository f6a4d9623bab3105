package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterViews;
import io.pangaea.model.json.MesosJson;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.karaf.shell.support.table.ShellTable;

/** Shared by the list commands: fetch rows from the master's loop, print them as a table or as JSON. */
final class Tables {

    private Tables() {}

    static <R> List<R> rows(Master master, Function<MasterViews, List<R>> view) throws Exception {
        if (master == null) {
            throw new IllegalStateException("The Pangaea master is not running (see log:display)");
        }
        return master.read(master.viewer(user()), view).get(10, TimeUnit.SECONDS);
    }

    /**
     * The shell user's name (its JAAS {@code UserPrincipal}, as the console or SSH login authenticated it), checked
     * against the master's ACLs as an HTTP principal is; null outside a login session.
     */
    @SuppressWarnings("removal")
    static String user() {
        javax.security.auth.Subject subject = javax.security.auth.Subject.getSubject(
                java.security.AccessController.getContext());
        if (subject == null) {
            return null;
        }
        for (java.security.Principal p : subject.getPrincipals()) {
            if (p.getClass().getSimpleName().equals("UserPrincipal")) {
                return p.getName();
            }
        }
        return null;
    }

    static void print(PrintStream out, List<?> rows, boolean json, String[] headers,
                      Function<Object, Object[]> cells) {
        if (json) {
            out.println(MesosJson.writeString(rows));
            return;
        }
        ShellTable table = new ShellTable();
        for (String h : headers) {
            table.column(h);
        }
        for (Object r : rows) {
            table.addRow().addContent(cells.apply(r));
        }
        table.print(out);
    }
}
