package io.pangaea.framework.services.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one app needs now, decided from its active instances: how many instances to launch and which to kill. A
 * pure decision: keeping the count (killing the surplus in kill order), or, while a deployment replaces the
 * instances, a rolling step that keeps at least {@code minimumHealthCapacity × instances} ready and at most
 * {@code (1 + maximumOverCapacity) × instances} in all.
 */
final class AppPlan {

    /** Launch {@code launches} more instances; kill {@code kills}. */
    record Decision(int launches, List<Instance> kills) {}

    private AppPlan() {}

    /**
     * @param active    the app's instances that count (not ended, not being killed, not unreachable too long)
     * @param replacing whether a deployment is replacing the app's instances with its new configuration
     */
    static Decision decide(AppDefinition app, List<Instance> active, boolean replacing) {
        boolean checked = app.hasHealthChecks();
        List<Instance> current = active.stream().filter(i -> i.placement.version().equals(app.configVersion()))
                .toList();
        List<Instance> old = active.stream().filter(i -> !i.placement.version().equals(app.configVersion()))
                .toList();
        int target = app.instances();
        List<Instance> kills = new ArrayList<>();
        if (!replacing || old.isEmpty()) {
            if (active.size() > target) {
                kills.addAll(killOrder(app, active).subList(0, active.size() - target));
            }
            return new Decision(Math.max(0, target - active.size()), kills);
        }
        int minHealthy = (int) Math.ceil(target * app.upgradeStrategy().minimumHealthCapacity() - 1e-9);
        int maxTotal = target + (int) Math.floor(target * app.upgradeStrategy().maximumOverCapacity() + 1e-9);
        int ready = (int) active.stream().filter(i -> i.ready(checked)).count();
        int total = active.size();
        int currentCount = current.size();
        if (currentCount > target) {
            for (Instance i : killOrder(app, current).subList(0, currentCount - target)) {
                if (i.ready(checked)) {
                    ready--;
                }
                kills.add(i);
                total--;
            }
            currentCount = target;
        }
        for (Instance o : killOrder(app, old)) {
            boolean r = o.ready(checked);
            if (ready - (r ? 1 : 0) >= minHealthy) {
                kills.add(o);
                total--;
                if (r) {
                    ready--;
                }
            }
        }
        return new Decision(Math.max(0, Math.min(target - currentCount, maxTotal - total)), kills);
    }

    /**
     * Whether the app has come to its target: exactly its count of active instances, all ready, and with
     * {@code newVersionOnly} all of its configuration's version.
     */
    static boolean settled(AppDefinition app, List<Instance> active, boolean newVersionOnly) {
        boolean checked = app.hasHealthChecks();
        for (Instance i : active) {
            if ((newVersionOnly && !i.placement.version().equals(app.configVersion())) || !i.ready(checked)) {
                return false;
            }
        }
        return active.size() == app.instances();
    }

    /** The order instances are killed in: unready first, then old versions, then by the app's killSelection. */
    static List<Instance> killOrder(AppDefinition app, List<Instance> of) {
        boolean checked = app.hasHealthChecks();
        Comparator<Instance> bySelection = Comparator.comparingLong(i -> i.placement.stagedMillis());
        if (app.killSelection().equals("YOUNGEST_FIRST")) {
            bySelection = bySelection.reversed();
        }
        Comparator<Instance> order = Comparator.<Instance>comparingInt(i -> i.ready(checked) ? 1 : 0)
                .thenComparingInt(i -> i.placement.version().equals(app.configVersion()) ? 1 : 0)
                .thenComparing(bySelection);
        return of.stream().sorted(order).toList();
    }
}
