package io.pangaea.agent.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;

/**
 * Which feature each configured containerizer and isolator needs, against a features service that knows the
 * distribution's features (a stand-in at unit level: the real one is exercised by ContainerizerHotSwapIT).
 */
public class PluginFeaturesTest {

    private static final Set<String> DISTRIBUTION = Set.of("pangaea-containerizer-native",
            "pangaea-containerizer-docker", "pangaea-containerizer-lxc", "pangaea-isolator-posix",
            "pangaea-isolator-cgroups", "pangaea-isolator-namespaces");

    private final Set<String> installed = new java.util.HashSet<>(Set.of("pangaea-containerizer-native",
            "pangaea-isolator-posix"));
    private final List<Set<String>> installs = new ArrayList<>();

    private FeaturesService features() {
        return (FeaturesService) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {FeaturesService.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getFeatures" -> DISTRIBUTION.contains((String) args[0])
                            ? new Feature[] {feature((String) args[0])} : new Feature[0];
                    case "isInstalled" -> installed.contains(((Feature) args[0]).getName());
                    case "installFeatures" -> {
                        @SuppressWarnings("unchecked")
                        Set<String> names = (Set<String>) args[0];
                        installs.add(Set.copyOf(names));
                        installed.addAll(names);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private static Feature feature(String name) {
        return (Feature) Proxy.newProxyInstance(PluginFeaturesTest.class.getClassLoader(),
                new Class<?>[] {Feature.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getName" -> name;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    public void eachNameMapsToTheFeatureOfItsKindAndMissingOnesAreInstalled() {
        PluginFeatures p = new PluginFeatures(features());
        Map<String, String> needed = p.required(AgentComponent.containerizers("mesos,docker"),
                List.of("posix/cpu", "cgroups/mem", "namespaces/pid", "filesystem/linux", "disk/du"));
        assertEquals("pangaea-containerizer-native", needed.get("containerizers=native"));
        assertEquals("pangaea-containerizer-docker", needed.get("containerizers=docker"));
        assertEquals("pangaea-isolator-cgroups", needed.get("isolation=cgroups/mem"));
        assertEquals("pangaea-isolator-namespaces", needed.get("isolation=filesystem/linux"));
        assertEquals("pangaea-isolator-posix", needed.get("isolation=disk/du"));
        p.install(needed);
        assertEquals(List.of(Set.of("pangaea-containerizer-docker", "pangaea-isolator-cgroups",
                "pangaea-isolator-namespaces")), installs);
        p.install(needed);
        assertEquals("nothing more to install", 1, installs.size());
    }

    @Test
    public void aNameNoFeatureProvidesIsRefusedNamingIt() {
        PluginFeatures p = new PluginFeatures(features());
        try {
            p.required(List.of("native", "rkt"), List.of("posix/cpu", "gpu/nvidia", "nonsense"));
            throw new AssertionError("unknown plugins taken");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("containerizer 'rkt'"));
            assertTrue(e.getMessage(), e.getMessage().contains("isolator 'gpu/nvidia'"));
            assertTrue(e.getMessage(), e.getMessage().contains("isolator 'nonsense'"));
        }
        assertTrue(installs.isEmpty());
    }

    @Test
    public void onlyAPluginNamedAnewIsInstalledWhenTheSettingsChange() {
        PluginFeatures p = new PluginFeatures(features());
        Map<String, String> atStart = p.required(List.of("native", "docker"), List.of("posix/cpu", "namespaces/pid"));
        p.install(atStart);
        installs.clear();
        installed.remove("pangaea-isolator-namespaces"); // feature:uninstall by the operator

        // another setting changed: the same plugins are named, so nothing comes back behind the operator's back
        Map<String, String> same = p.required(List.of("native", "docker"), List.of("posix/cpu", "namespaces/pid"));
        assertEquals(Map.of(), PluginFeatures.namedAnew(atStart, same));

        // a containerizer and an isolator named anew are installed; those named before are left as they are
        Map<String, String> more = p.required(List.of("native", "docker", "lxc"), List.of("posix/cpu",
                "namespaces/pid", "cgroups/mem"));
        Map<String, String> anew = PluginFeatures.namedAnew(same, more);
        assertEquals(Map.of("containerizers=lxc", "pangaea-containerizer-lxc", "isolation=cgroups/mem",
                "pangaea-isolator-cgroups"), anew);
        p.install(anew);
        assertEquals(List.of(Set.of("pangaea-containerizer-lxc", "pangaea-isolator-cgroups")), installs);
        assertTrue("still out", !installed.contains("pangaea-isolator-namespaces"));
    }
}
