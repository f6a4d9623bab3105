package io.pangaea.agent.internal.osgi;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's configuration is the truth about its plugins: each containerizer named in {@code containerizers} and
 * each isolator named in {@code isolation} is provided by a Karaf feature of the distribution, which the agent
 * installs when it is not (at start, and when the setting changes). A name that no feature provides is refused.
 * Containerizer {@code <name>} is feature {@code pangaea-containerizer-<name>}; an isolator {@code <kind>/<mechanism>}
 * is in the feature of its kind ({@code posix} and {@code disk}: {@code pangaea-isolator-posix}; {@code cgroups};
 * {@code namespaces} and {@code filesystem}: {@code pangaea-isolator-namespaces}).
 */
final class PluginFeatures {

    private static final Logger LOG = LoggerFactory.getLogger(PluginFeatures.class);

    /** The feature of each isolator kind (the part of its name before the slash). */
    private static final Map<String, String> ISOLATOR_FEATURES = Map.of("posix", "pangaea-isolator-posix",
            "disk", "pangaea-isolator-posix", "cgroups", "pangaea-isolator-cgroups",
            "namespaces", "pangaea-isolator-namespaces", "filesystem", "pangaea-isolator-namespaces");

    private final FeaturesService features;

    PluginFeatures(FeaturesService features) {
        this.features = features;
    }

    static String containerizerFeature(String name) {
        return "pangaea-containerizer-" + name;
    }

    static String isolatorFeature(String name) {
        int slash = name.indexOf('/');
        return slash <= 0 ? null : ISOLATOR_FEATURES.get(name.substring(0, slash));
    }

    /**
     * The features the settings need, by the setting and name that needs them; throws IllegalArgumentException naming
     * every containerizer or isolator that no feature of this distribution provides.
     */
    Map<String, String> required(List<String> containerizers, List<String> isolation) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String c : containerizers) {
            String f = containerizerFeature(c);
            if (exists(f)) {
                out.put("containerizers=" + c, f);
            } else {
                unknown.add("containerizer '" + c + "'");
            }
        }
        for (String i : isolation) {
            String f = isolatorFeature(i);
            if (f != null && exists(f)) {
                out.put("isolation=" + i, f);
            } else {
                unknown.add("isolator '" + i + "'");
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("No feature of this distribution provides " + String.join(", ", unknown)
                    + " (named in etc/io.pangaea.agent.cfg); containerizers are native, docker, lxc; isolators are"
                    + " posix/cpu, posix/mem, disk/du, cgroups/cpu, cgroups/mem, cgroups/pids, namespaces/pid,"
                    + " filesystem/linux");
        }
        return out;
    }

    private boolean exists(String feature) {
        try {
            Feature[] found = features.getFeatures(feature);
            return found != null && found.length > 0;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Of the features {@code now} needs, those named anew since {@code before} (by a containerizer or isolator that
     * the settings did not name then). A change of another setting installs nothing: a plugin the operator took out
     * with {@code feature:uninstall} stays out until its own setting changes or the agent restarts.
     */
    static Map<String, String> namedAnew(Map<String, String> before, Map<String, String> now) {
        Map<String, String> out = new LinkedHashMap<>(now);
        out.keySet().removeAll(before.keySet());
        return out;
    }

    /** Installs those of {@code needed} that are not installed; logs what it did. Call off the activation thread. */
    void install(Map<String, String> needed) {
        Set<String> missing = new LinkedHashSet<>();
        for (String f : needed.values()) {
            try {
                Feature[] found = features.getFeatures(f);
                if (found.length > 0 && !features.isInstalled(found[0])) {
                    missing.add(f);
                }
            } catch (Exception e) {
                missing.add(f);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        LOG.info("Installing {}, which the agent's settings name ({})", missing, needed.entrySet().stream()
                .filter(e -> missing.contains(e.getValue())).map(Map.Entry::getKey).toList());
        try {
            features.installFeatures(missing, EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
        } catch (Exception e) {
            LOG.error("Cannot install {}: {}", missing, e.toString());
        }
    }
}
