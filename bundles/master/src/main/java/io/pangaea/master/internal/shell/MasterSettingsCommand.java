package io.pangaea.master.internal.shell;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

/**
 * The master's settings in effect, and how each one changes: live ({@code config:property-set} on
 * {@code io.pangaea.master} applies it at once, nothing restarts) or with a new master (it restarts, and agents and
 * frameworks re-subscribe).
 */
@Service
@Command(scope = "master", name = "settings", description = "Lists the master's settings in effect and whether each"
        + " applies live or restarts the master")
public class MasterSettingsCommand implements Action {

    /** Read by the component, not by the master core, with their defaults. */
    static final Map<String, String> COMPONENT_RESTART = new java.util.LinkedHashMap<>();

    static {
        COMPONENT_RESTART.put("work_dir", "pangaea-master");
        COMPONENT_RESTART.put("zk", "");
        COMPONENT_RESTART.put("zk_session_timeout", "10secs");
        COMPONENT_RESTART.put("standby_rehearsal_agents", "6000");
        // TLS binds the port anew (the keystore's password is not shown)
        for (String tls : List.of("ssl_enabled", "ssl_cert_file", "ssl_key_file", "ssl_keystore", "ssl_ca_file",
                "ssl_require_cert", "ssl_support_downgrade")) {
            COMPONENT_RESTART.put(tls, tls.equals("ssl_enabled") || tls.equals("ssl_require_cert")
                    || tls.equals("ssl_support_downgrade") ? "false" : "");
        }
    }

    @Reference
    Session session;

    @Reference(optional = true)
    Master master;

    @Reference
    org.osgi.service.cm.ConfigurationAdmin configAdmin;

    @Option(name = "--json", description = "Print JSON instead of a table")
    boolean json;

    /** One setting. */
    public record SettingRow(String name, String value, String change) {}

    @Override
    public Object execute() throws Exception {
        if (master == null) {
            throw new IllegalStateException("The Pangaea master is not running here (it may not lead; see"
                    + " log:display)");
        }
        List<Object> rows = new ArrayList<>();
        for (Map.Entry<String, String> e : Settings.of(master.config()).entrySet()) {
            rows.add(new SettingRow(e.getKey(), e.getValue(), Settings.RESTART.contains(e.getKey()) ? "restart"
                    : "live"));
        }
        java.util.Dictionary<String, Object> props = configAdmin.getConfiguration("io.pangaea.master", null)
                .getProperties();
        for (Map.Entry<String, String> e : COMPONENT_RESTART.entrySet()) {
            Object v = props == null ? null : props.get(e.getKey());
            rows.add(new SettingRow(e.getKey(), v == null ? e.getValue() : v.toString(), "restart"));
        }
        Tables.print(session.getConsole(), rows, json, new String[] {"Setting", "Value", "Change"}, o -> {
            SettingRow r = (SettingRow) o;
            return new Object[] {r.name(), r.value(), r.change()};
        });
        if (!json) {
            session.getConsole().println("Change one with config:property-set -p io.pangaea.master <setting> <value>;"
                    + " 'restart' ones restart the master (agents and frameworks re-subscribe).");
        }
        return null;
    }
}
