package io.pangaea.master.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.AgentId;
import io.pangaea.model.Resources;
import io.pangaea.model.json.MesosJson;

/**
 * An agent's entry as {@code /master/state} and {@code /slaves} give it: what it is made of, compared cheaply so
 * that the whole entry can be kept encoded while it does not change ({@code MasterViews}), and the tree made of it.
 */
final class LegacyAgentJson {

    private LegacyAgentJson() {}

    /**
     * What an agent's entry in {@code /master/state} and {@code /slaves} is made of: its parts kept encoded (each
     * made again only when it changes, so the same object while it does not) and the rest of its fields. Two equal
     * ones give the same JSON.
     */
    record Parts(String hostname, int port, RawJson attributes, String pid, double registeredTime,
                            double reregisteredTime, RawJson total, RawJson used, RawJson offered, RawJson reserved,
                            RawJson unreserved, boolean active, boolean deactivated, String version) {
        /** The encoded parts by identity, the rest by value. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Parts p && attributes == p.attributes && total == p.total
                    && used == p.used && offered == p.offered && reserved == p.reserved
                    && unreserved == p.unreserved && port == p.port && active == p.active
                    && deactivated == p.deactivated && Double.compare(registeredTime, p.registeredTime) == 0
                    && Double.compare(reregisteredTime, p.reregisteredTime) == 0
                    && java.util.Objects.equals(hostname, p.hostname) && java.util.Objects.equals(pid, p.pid)
                    && java.util.Objects.equals(version, p.version);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(System.identityHashCode(attributes), hostname, port, pid, registeredTime,
                    active, deactivated);
        }
    }

    /** The agent's entry made of {@code p}. */
    static ObjectNode tree(AgentId id, Parts p) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("id", id.value());
        s.put("hostname", p.hostname());
        s.put("port", p.port());
        s.set("attributes", p.attributes().node());
        s.put("pid", p.pid());
        s.put("registered_time", p.registeredTime());
        if (p.reregisteredTime() > 0) {
            s.put("reregistered_time", p.reregisteredTime());
        }
        s.set("resources", p.total().node());
        s.set("used_resources", p.used().node());
        s.set("offered_resources", p.offered().node());
        s.set("reserved_resources", p.reserved().node());
        s.set("unreserved_resources", p.unreserved().node());
        s.put("active", p.active());
        s.put("deactivated", p.deactivated());
        s.put("version", p.version());
        ArrayNode caps = s.putArray("capabilities");
        for (String c : MasterViews.AGENT_CAPABILITIES) {
            caps.add(c);
        }
        return s;
    }

    /** What the entry of agent {@code a}, using and offered these, is made of now. Loop only. */
    static Parts parts(MasterState.AgentEntry a, Resources used, Resources offered) {
        // kept encoded while they do not change (EncodedPart): most of a big cluster's agents do not between two
        // reads
        return new Parts(a.info().hostname(), a.info().port() == null ? 5051 : a.info().port(),
                a.legacyAttributes.get(a.info(), EncodedPart.json(i -> MesosJson.legacyAttributes(i.attributes()))),
                a.pid(), a.registeredTime, a.reregisteredTime,
                a.legacyTotal.get(a.total(), EncodedPart.json(MesosJson::legacy)),
                a.legacyUsed.get(used, EncodedPart.json(MesosJson::legacy)),
                a.legacyOffered.get(offered, EncodedPart.json(MesosJson::legacy)),
                a.legacyReserved.get(a.total(), EncodedPart.json(LegacyAgentJson::reservedByRole)),
                a.legacyUnreserved.get(a.total(), EncodedPart.json(t -> MesosJson.legacy(t.unreserved()))),
                a.connected(), a.deactivated(), a.version == null ? Master.MESOS_VERSION : a.version);
    }

    /** The reserved resources by role, in the legacy form. */
    private static ObjectNode reservedByRole(Resources total) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        for (var r : total) {
            if (r.isReserved() && !n.has(r.reservationRole())) {
                n.set(r.reservationRole(), MesosJson.legacy(total.reservedTo(r.reservationRole())));
            }
        }
        return n;
    }
}
