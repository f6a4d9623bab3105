package io.pangaea.framework.internal.shell;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pangaea.framework.AdapterStatus;
import io.pangaea.framework.FrameworkAdapter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

@Service
@Command(scope = "adapter", name = "list", description = "Lists the installed framework adapters and their state")
public class ListAdaptersCommand implements Action {

    @Reference
    Session session;

    @Reference
    BundleContext context;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    @Override
    public Object execute() throws Exception {
        List<AdapterStatus> rows = new ArrayList<>();
        for (ServiceReference<FrameworkAdapter> ref : context.getServiceReferences(FrameworkAdapter.class, null)) {
            FrameworkAdapter a = context.getService(ref);
            if (a != null) {
                try {
                    rows.add(a.status());
                } finally {
                    context.ungetService(ref);
                }
            }
        }
        rows.sort(Comparator.comparing(AdapterStatus::name));
        if (json) {
            session.getConsole().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(rows));
            return null;
        }
        if (rows.isEmpty()) {
            session.getConsole().println("No framework adapter is installed (feature:install pangaea-framework-...).");
            return null;
        }
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("State");
        table.column("Framework");
        table.column("Master");
        table.column("API");
        table.column("Acting");
        table.column("Detail");
        for (AdapterStatus s : rows) {
            table.addRow().addContent(s.name(), s.state(), dash(s.frameworkId()), dash(s.master()), dash(s.api()),
                    dash(s.acting()), dash(s.detail()));
        }
        table.print(session.getConsole());
        return null;
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
