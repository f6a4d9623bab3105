package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.Explanation;
import io.pangaea.master.internal.Master;
import io.pangaea.model.json.MesosJson;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Service
@Command(scope = "allocator", name = "explain", description = "Explains why a framework, or the frameworks of a role,"
        + " got or did not get offers lately")
public class AllocatorExplainCommand implements Action {

    /** The caller's session: output goes to its console, not to the JVM's stdout. */
    @Reference
    Session session;

    @Reference
    Master master;

    @Argument(index = 0, name = "subject", description = "A framework id or a role", required = true)
    String subject;

    @Option(name = "--json", description = "Print JSON")
    boolean json;

    @Override
    public Object execute() throws Exception {
        String user = Tables.user();
        if (!master.acls().approves("explain_allocations", user, null)) {
            throw new SecurityException("user '" + user + "' is not authorized to explain allocations"
                    + " (ACL 'explain_allocations')");
        }
        List<Explanation> list = master.explain(subject).get(10, TimeUnit.SECONDS);
        if (json) {
            session.getConsole().println(new String(MesosJson.write(list), java.nio.charset.StandardCharsets.UTF_8));
            return null;
        }
        if (list.isEmpty()) {
            session.getConsole().println("No framework has the id or the role '" + subject + "'.");
            return null;
        }
        for (Explanation e : list) {
            session.getConsole().printf(Locale.ROOT, "Framework %s (%s), role %s%n", e.frameworkId(), e.frameworkName(),
                    e.role());
            session.getConsole().printf(Locale.ROOT, "  last offer: %s; outstanding offers: %d%n",
                    e.cyclesSinceLastOffer() == null ? "never"
                            : e.cyclesSinceLastOffer() + " cycle(s), " + e.secondsSinceLastOffer() + " s ago",
                    e.outstandingOffers());
            session.getConsole().printf(Locale.ROOT, "  dominant share: framework %.4f, role %.4f (weight %s)%n",
                    e.frameworkShare(), e.roleShare(), e.weight());
            if (e.quotaGuarantee() != null || e.quotaLimit() != null) {
                session.getConsole().printf(Locale.ROOT, "  quota: guarantee %s, limit %s%n",
                        e.quotaGuarantee() == null ? "-" : e.quotaGuarantee(),
                        e.quotaLimit() == null ? "-" : e.quotaLimit());
            }
            for (String note : e.notes()) {
                session.getConsole().println("  note: " + note);
            }
            session.getConsole().printf(Locale.ROOT, "  agents with free resources: %d%n", e.agentsWithFreeResources());
            for (Map.Entry<String, Integer> r : e.agents().entrySet()) {
                session.getConsole().printf(Locale.ROOT, "    %-45s %d%n", r.getKey(), r.getValue());
            }
        }
        return null;
    }
}
