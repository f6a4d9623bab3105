package io.pangaea.master.internal;

import io.pangaea.model.Durations;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The master's settings by their Mesos flag names: their values in a {@link MasterConfig}, which of them a running
 * master takes live ({@link Master#reconfigure}) and which need a new master, and what changed between two
 * configurations.
 */
public final class Settings {

    /** Settings a running master cannot take: its address is in every MasterInfo it has handed out. */
    public static final Set<String> RESTART = Set.of("ip", "port", "hostname");

    private static final Map<String, String> FLAG_NAMES = Map.of(
            "heartbeatInterval", "http_framework_heartbeat_interval",
            "minAllocatable", "min_allocatable_resources");

    private Settings() {
    }

    /** Each setting of {@code c} by its flag name, with its value as the flags endpoint writes it. */
    public static Map<String, String> of(MasterConfig c) {
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent rc : MasterConfig.class.getRecordComponents()) {
            try {
                out.put(flagName(rc.getName()), format(rc.getAccessor().invoke(c)));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** What differs from {@code a} to {@code b}, as {@code name a -> b}, comma separated; "nothing" when equal. */
    public static String changes(MasterConfig a, MasterConfig b) {
        List<String> out = new ArrayList<>();
        Map<String, String> before = of(a);
        of(b).forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                out.add(k + " " + before.get(k) + " -> " + v);
            }
        });
        return out.isEmpty() ? "nothing" : String.join(", ", out);
    }

    /** The flag names of the settings that differ and need a new master. */
    public static List<String> needingRestart(MasterConfig a, MasterConfig b) {
        Map<String, String> before = of(a);
        return of(b).entrySet().stream().filter(e -> RESTART.contains(e.getKey())
                && !e.getValue().equals(before.get(e.getKey()))).map(Map.Entry::getKey).toList();
    }

    private static String flagName(String component) {
        String mapped = FLAG_NAMES.get(component);
        return mapped != null ? mapped : component.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static String format(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Duration d) {
            return Durations.format(d);
        }
        if (v instanceof List<?> l) {
            return String.join("|", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }
}
