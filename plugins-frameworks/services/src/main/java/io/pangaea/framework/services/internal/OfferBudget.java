package io.pangaea.framework.services.internal;

import io.pangaea.model.Attribute;
import io.pangaea.model.Offer;
import io.pangaea.model.Range;
import io.pangaea.model.Resource;
import io.pangaea.model.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is left of one offer while instances are placed on it, one after another. {@link #take} either takes an
 * instance's resources (the offer's own {@link Resource}s, cut to size, so that their roles, reservations and
 * allocation carry over into the launch) or says why it cannot, with Marathon's reject reasons.
 */
final class OfferBudget {

    /** Marathon's names for why an offer was not used. */
    enum Reason { UnfulfilledRole, UnfulfilledConstraint, InsufficientCpus, InsufficientMemory, InsufficientDisk,
        InsufficientPorts, AgentMaintenance }

    /** A placement on this offer: the resources to launch with and the host ports, in portDefinitions order. */
    record Taken(List<Resource> resources, List<Integer> ports) {}

    /** The outcome of one try: {@code taken}, or the {@code reason} it failed. */
    record Result(Taken taken, Reason reason) {}

    final Offer offer;
    final Map<String, String> attributes;
    private final List<double[]> scalarsLeft = new ArrayList<>();
    private final List<Resource> scalars = new ArrayList<>();
    /** Port ranges still free, per resource of the offer. */
    private final List<Resource> portResources = new ArrayList<>();
    private final List<List<long[]>> portsLeft = new ArrayList<>();

    OfferBudget(Offer offer) {
        this.offer = offer;
        this.attributes = attributes(offer.attributes());
        for (Resource r : offer.resources() == null ? List.<Resource>of() : offer.resources()) {
            if (r.isPersistentVolume()) {
                continue;
            }
            if (r.type() == ValueType.SCALAR && r.scalar() != null) {
                scalars.add(r);
                scalarsLeft.add(new double[] {r.scalar().value()});
            } else if (r.type() == ValueType.RANGES && r.name().equals("ports") && r.ranges() != null) {
                portResources.add(r);
                List<long[]> free = new ArrayList<>();
                for (Range range : r.ranges().range()) {
                    free.add(new long[] {range.begin(), range.end()});
                }
                portsLeft.add(free);
            }
        }
    }

    /** Attributes as text: {@code rack -> r1}, {@code level -> 2}. */
    static Map<String, String> attributes(List<Attribute> attributes) {
        Map<String, String> m = new LinkedHashMap<>();
        if (attributes != null) {
            for (Attribute a : attributes) {
                Object v = a.plainValue();
                if (v instanceof Double d && d == Math.rint(d)) {
                    v = Long.toString(d.longValue());
                }
                if (v != null) {
                    m.put(a.name(), v.toString());
                }
            }
        }
        return m;
    }

    private static boolean acceptable(Resource r, List<String> roles) {
        return roles.contains(r.reservationRole()) || (roles.contains("*") && !r.isReserved());
    }

    private double available(String name, List<String> roles) {
        double sum = 0;
        for (int i = 0; i < scalars.size(); i++) {
            if (scalars.get(i).name().equals(name) && acceptable(scalars.get(i), roles)) {
                sum += scalarsLeft.get(i)[0];
            }
        }
        return sum;
    }

    /** Takes what {@code app} needs, or leaves the budget as it was and says why not. */
    Result take(AppDefinition app) {
        List<String> roles = roles(app);
        boolean anyRole = false;
        for (Resource r : offer.resources() == null ? List.<Resource>of() : offer.resources()) {
            anyRole |= acceptable(r, roles);
        }
        if (!anyRole) {
            return new Result(null, Reason.UnfulfilledRole);
        }
        final double eps = 1e-6;
        if (available("cpus", roles) + eps < app.cpus()) {
            return new Result(null, Reason.InsufficientCpus);
        }
        if (available("mem", roles) + eps < app.mem()) {
            return new Result(null, Reason.InsufficientMemory);
        }
        if (available("disk", roles) + eps < app.disk()) {
            return new Result(null, Reason.InsufficientDisk);
        }
        List<Integer> ports = choosePorts(app, roles);
        if (ports == null) {
            return new Result(null, Reason.InsufficientPorts);
        }
        List<Resource> out = new ArrayList<>();
        consume("cpus", app.cpus(), roles, out);
        consume("mem", app.mem(), roles, out);
        consume("disk", app.disk(), roles, out);
        takePorts(ports, roles, out);
        return new Result(new Taken(out, ports), null);
    }

    /** The roles whose resources the app may use. */
    static List<String> roles(AppDefinition app) {
        List<String> roles = new ArrayList<>();
        for (String r : app.acceptedResourceRoles()) {
            roles.add(r);
        }
        if (!app.role().equals("*") && !roles.contains(app.role()) && roles.equals(List.of("*"))) {
            roles.add(app.role()); // reserved for the app's role is acceptable by default
        }
        return roles;
    }

    private void consume(String name, double amount, List<String> roles, List<Resource> out) {
        double need = amount;
        for (int i = 0; i < scalars.size() && need > 1e-9; i++) {
            Resource r = scalars.get(i);
            if (!r.name().equals(name) || !acceptable(r, roles)) {
                continue;
            }
            double take = Math.min(need, scalarsLeft.get(i)[0]);
            if (take <= 0) {
                continue;
            }
            scalarsLeft.get(i)[0] -= take;
            need -= take;
            out.add(r.withScalar(Math.round(take * 1000) / 1000.0));
        }
    }

    private List<Integer> choosePorts(AppDefinition app, List<String> roles) {
        List<Integer> chosen = new ArrayList<>();
        for (AppDefinition.PortDefinition pd : app.portDefinitions()) {
            Integer p = app.requirePorts() ? (Integer) pd.port() : lowestFree(roles, chosen);
            if (p == null || !free(p, roles) || chosen.contains(p)) {
                return null;
            }
            chosen.add(p);
        }
        return chosen;
    }

    private Integer lowestFree(List<String> roles, List<Integer> except) {
        for (int i = 0; i < portResources.size(); i++) {
            if (!acceptable(portResources.get(i), roles)) {
                continue;
            }
            for (long[] range : portsLeft.get(i)) {
                for (long p = range[0]; p <= range[1]; p++) {
                    if (!except.contains((int) p)) {
                        return (int) p;
                    }
                }
            }
        }
        return null;
    }

    private boolean free(int port, List<String> roles) {
        return owner(port, roles) >= 0;
    }

    private int owner(int port, List<String> roles) {
        for (int i = 0; i < portResources.size(); i++) {
            if (!acceptable(portResources.get(i), roles)) {
                continue;
            }
            for (long[] range : portsLeft.get(i)) {
                if (port >= range[0] && port <= range[1]) {
                    return i;
                }
            }
        }
        return -1;
    }

    private void takePorts(List<Integer> ports, List<String> roles, List<Resource> out) {
        for (int port : ports) {
            int i = owner(port, roles);
            List<long[]> free = portsLeft.get(i);
            for (int k = 0; k < free.size(); k++) {
                long[] range = free.get(k);
                if (port >= range[0] && port <= range[1]) {
                    free.remove(k);
                    if (range[0] < port) {
                        free.add(k++, new long[] {range[0], port - 1});
                    }
                    if (port < range[1]) {
                        free.add(k, new long[] {port + 1, range[1]});
                    }
                    break;
                }
            }
            out.add(portResources.get(i).withRanges(List.of(new Range(port, port))));
        }
    }
}
