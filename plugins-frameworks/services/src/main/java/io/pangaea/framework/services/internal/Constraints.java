package io.pangaea.framework.services.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Marathon's placement constraints ({@code [field, operator, value]}), judged for one agent against the instances
 * the app has already placed. The field is {@code hostname} (or {@code @hostname}) or an agent attribute; an agent
 * without the attribute satisfies only UNLIKE.
 */
final class Constraints {

    private Constraints() {}

    /** The field's value on an agent, or null when the agent does not have it. */
    static String value(String field, String hostname, Map<String, String> attributes) {
        if (field.equals("hostname") || field.equals("@hostname")) {
            return hostname;
        }
        return attributes.get(field);
    }

    /**
     * Whether an agent ({@code hostname}, {@code attributes}) may take one more instance, given where the app's
     * other instances are ({@code placed}: their hostnames and attributes).
     */
    static boolean admits(List<List<String>> constraints, String hostname, Map<String, String> attributes,
                          List<Instance.Placement> placed) {
        for (List<String> c : constraints) {
            if (!admitsOne(c, hostname, attributes, placed)) {
                return false;
            }
        }
        return true;
    }

    static boolean admitsOne(List<String> c, String hostname, Map<String, String> attributes,
                          List<Instance.Placement> placed) {
        String field = c.get(0);
        String op = c.get(1);
        String arg = c.size() > 2 ? c.get(2) : null;
        String mine = value(field, hostname, attributes);
        if (mine == null) {
            return op.equals("UNLIKE");
        }
        Map<String, Integer> counts = new HashMap<>();
        for (Instance.Placement p : placed) {
            String v = value(field, p.host(), p.attributes() == null ? Map.of() : p.attributes());
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        int here = counts.getOrDefault(mine, 0);
        return switch (op) {
            case "UNIQUE" -> here == 0;
            case "CLUSTER", "IS" -> equal(mine, arg);
            case "LIKE" -> mine.matches(arg);
            case "UNLIKE" -> !mine.matches(arg);
            case "MAX_PER" -> here < Integer.parseInt(arg);
            case "GROUP_BY" -> {
                // spread evenly: this value may take one more when no other value has fewer
                int groups = arg == null ? 0 : Integer.parseInt(arg);
                int least = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
                if (groups > 0 && counts.size() < groups) {
                    least = 0; // a value not seen yet has none
                }
                yield here <= least;
            }
            default -> false;
        };
    }

    /** Text equality, or numeric for numbers ({@code 2} is {@code 2.0}). */
    private static boolean equal(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Double.parseDouble(a) == Double.parseDouble(b);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
