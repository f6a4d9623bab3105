package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Marathon app definition, with Marathon's JSON field names. As read from a request it may miss any field;
 * {@link #withDefaults} fills in Marathon's defaults, and that form is what is stored, run and shown. The version is
 * the ISO 8601 time of the change that made it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AppDefinition(
        String id, String cmd, List<String> args, String user, Map<String, Object> env, Integer instances,
        Double cpus, Double mem, Double disk, Double gpus, String executor, List<List<String>> constraints,
        List<String> uris, List<Fetch> fetch, Container container, List<PortDefinition> portDefinitions,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) List<Integer> ports, Boolean requirePorts,
        Double backoffSeconds, Double backoffFactor, Double maxLaunchDelaySeconds, List<HealthCheck> healthChecks,
        List<String> dependencies, UpgradeStrategy upgradeStrategy, Map<String, String> labels,
        List<String> acceptedResourceRoles, String version, VersionInfo versionInfo, String killSelection,
        UnreachableStrategy unreachableStrategy, String role, Integer taskKillGracePeriodSeconds) {

    /** A URI fetched into the sandbox. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Fetch(String uri, Boolean executable, Boolean extract, Boolean cache, String destPath) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Container(String type, Docker docker, List<Volume> volumes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Docker(String image, String network, Boolean privileged, Boolean forcePullImage) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Volume(String containerPath, String hostPath, String mode) {}

    /** A port the app needs: 0 takes any port of the offer; with {@code requirePorts} the port itself. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PortDefinition(Integer port, String protocol, String name, Map<String, String> labels) {}

    /** A health check, run by the agent (every protocol becomes a Mesos-native check). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HealthCheck(String protocol, String path, Integer portIndex, Integer port, Command command,
                              Integer gracePeriodSeconds, Integer intervalSeconds, Integer timeoutSeconds,
                              Integer maxConsecutiveFailures, Integer delaySeconds, Boolean ignoreHttp1xx) {
        public record Command(String value) {}

        HealthCheck withDefaults() {
            String p = protocol == null ? "HTTP" : protocol;
            boolean usesPort = !p.equals("COMMAND");
            return new HealthCheck(p, p.contains("HTTP") && path == null ? "/" : path,
                    usesPort && port == null && portIndex == null ? Integer.valueOf(0) : portIndex, port, command,
                    or(gracePeriodSeconds, 300), or(intervalSeconds, 60), or(timeoutSeconds, 20),
                    or(maxConsecutiveFailures, 3), or(delaySeconds, 15), ignoreHttp1xx == null ? Boolean.FALSE
                    : ignoreHttp1xx);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UpgradeStrategy(Double minimumHealthCapacity, Double maximumOverCapacity) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record UnreachableStrategy(Integer inactiveAfterSeconds, Integer expungeAfterSeconds) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VersionInfo(String lastScalingAt, String lastConfigChangeAt) {}

    private static <T> T or(T v, T d) {
        return v == null ? d : v;
    }

    /** {@code /a/b} from {@code a/b} or {@code /a/b/}. */
    public static String canonicalId(String id) {
        if (id == null) {
            return null;
        }
        String s = id.trim().replaceAll("/+$", "");
        return s.startsWith("/") ? s : "/" + s;
    }

    /** Marathon's defaults filled in; {@code version} and {@code versionInfo} as given. */
    public AppDefinition withDefaults(String newVersion, VersionInfo info) {
        List<PortDefinition> pds = portDefinitions;
        if (pds == null) {
            pds = new ArrayList<>();
            if (ports != null) {
                for (Integer p : ports) {
                    pds.add(new PortDefinition(p, "tcp", null, Map.of()));
                }
            } else if (container == null || container.docker() == null) {
                pds.add(new PortDefinition(0, "tcp", null, Map.of())); // Marathon gives a plain app one port
            }
        }
        pds = pds.stream().map(p -> new PortDefinition(or(p.port(), 0), or(p.protocol(), "tcp"), p.name(),
                or(p.labels(), Map.of()))).toList();
        UpgradeStrategy us = upgradeStrategy == null ? new UpgradeStrategy(1.0, 1.0)
                : new UpgradeStrategy(or(upgradeStrategy.minimumHealthCapacity(), 1.0),
                or(upgradeStrategy.maximumOverCapacity(), 1.0));
        UnreachableStrategy un = unreachableStrategy == null ? new UnreachableStrategy(0, 0)
                : new UnreachableStrategy(or(unreachableStrategy.inactiveAfterSeconds(), 0),
                or(unreachableStrategy.expungeAfterSeconds(), 0));
        return new AppDefinition(canonicalId(id), cmd, args, user, or(env, Map.of()), or(instances, 1), or(cpus, 1.0),
                or(mem, 128.0), or(disk, 0.0), or(gpus, 0.0), or(executor, ""), or(constraints, List.of()),
                or(uris, List.of()), or(fetch, List.of()), container, pds, null, or(requirePorts, false),
                or(backoffSeconds, 1.0), or(backoffFactor, 1.15), or(maxLaunchDelaySeconds, 300.0),
                healthChecks == null ? List.of() : healthChecks.stream().map(HealthCheck::withDefaults).toList(),
                or(dependencies, List.of()), us, or(labels, Map.of()), or(acceptedResourceRoles, List.of("*")),
                newVersion, info, or(killSelection, "YOUNGEST_FIRST"), un, or(role, "*"),
                taskKillGracePeriodSeconds);
    }

    /** The same app with another instance count. */
    public AppDefinition withInstances(int n, String newVersion, VersionInfo info) {
        return new AppDefinition(id, cmd, args, user, env, n, cpus, mem, disk, gpus, executor, constraints, uris,
                fetch, container, portDefinitions, ports, requirePorts, backoffSeconds, backoffFactor,
                maxLaunchDelaySeconds, healthChecks, dependencies, upgradeStrategy, labels, acceptedResourceRoles,
                newVersion, info, killSelection, unreachableStrategy, role, taskKillGracePeriodSeconds);
    }

    /** The same definition under another version (a restart). */
    public AppDefinition withVersion(String newVersion, VersionInfo info) {
        return withInstances(instances, newVersion, info);
    }

    /**
     * Whether {@code other} differs from this only in its instance count (and version): a change that scales, which
     * leaves running instances alone, rather than a new configuration, which replaces them.
     */
    public boolean sameConfig(AppDefinition other) {
        return other != null && withInstances(0, null, null).equals(other.withInstances(0, null, null));
    }

    /** The version of the configuration (a scale does not change it): what the instances launched from it carry. */
    @JsonIgnore
    public String configVersion() {
        return versionInfo != null && versionInfo.lastConfigChangeAt() != null ? versionInfo.lastConfigChangeAt()
                : version;
    }

    @JsonIgnore
    public boolean hasHealthChecks() {
        return healthChecks != null && !healthChecks.isEmpty();
    }

    /** Environment variables with plain string values (secrets are not supported, and are skipped). */
    @JsonIgnore
    public Map<String, String> plainEnv() {
        Map<String, String> m = new LinkedHashMap<>();
        if (env != null) {
            env.forEach((k, v) -> {
                if (v instanceof String s) {
                    m.put(k, s);
                } else if (v instanceof Number || v instanceof Boolean) {
                    m.put(k, v.toString());
                }
            });
        }
        return m;
    }
}
