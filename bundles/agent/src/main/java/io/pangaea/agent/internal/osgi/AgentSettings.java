package io.pangaea.agent.internal.osgi;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's settings ({@code etc/io.pangaea.agent.cfg}) by their Mesos flag names: which ones a running agent
 * takes live and which need a restart of the agent, the values in effect, and those changed but waiting for a
 * restart. Registered as a service for the {@code agent:settings} shell command.
 */
public interface AgentSettings {

    /**
     * Settings a running agent cannot take: where it is (master, address, work_dir) and what it registered with
     * (resources, the fetcher's cache). A restart of the agent's bundle or process keeps the tasks of frameworks that
     * checkpoint (the agent recovers them); the others' tasks end.
     */
    Set<String> RESTART = Set.of("master", "ip", "port", "hostname", "work_dir", "resources", "fetcher_cache_dir",
            "fetcher_cache_size", "recover", "strict", "recovery_timeout", "reconfiguration_policy", "credential",
            "authenticate_http_readonly", "authenticate_http_readwrite", "http_credentials",
            "authenticate_http_executors", "executor_secret_key", "ssl_enabled", "ssl_cert_file", "ssl_key_file",
            "ssl_keystore", "ssl_keystore_password", "ssl_ca_file", "ssl_require_cert", "ssl_support_downgrade",
            "http_authentication_realm", "acls");

    /** Each setting in effect, by flag name. */
    Map<String, String> effective();

    /** Settings changed in the configuration that wait for a restart, with their new value. */
    Map<String, String> pendingRestart();

    /** The values of a configuration record by flag name ({@code a__b} in the record is {@code a_b}). */
    static Map<String, String> values(AgentComponent.Config c) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Method> methods = Arrays.stream(AgentComponent.Config.class.getDeclaredMethods())
                .sorted(Comparator.comparing(Method::getName)).toList();
        for (Method m : methods) {
            try {
                String name = m.getName().replace("__", "_");
                String value = String.valueOf(m.invoke(c));
                // credentials given inline are not shown (a file's name is)
                if ((name.equals("credential") || name.equals("http_credentials")) && value.trim().startsWith("{")) {
                    value = "(inline, not shown)";
                }
                if (name.equals("ssl_keystore_password") && !value.isEmpty()) {
                    value = "(not shown)";
                }
                out.put(name, value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }
}
