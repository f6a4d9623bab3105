package io.pangaea.master.internal;

import io.pangaea.model.Resource;
import io.pangaea.model.ReservationInfo;
import io.pangaea.model.Resources;
import java.util.List;
import java.util.function.Function;

/**
 * A dynamic RESERVE or UNRESERVE, from a framework's offer operation or from the operator: the agent's resources
 * {@link #from} become {@link #to}. {@code reserved} carries the new (newest) reservation; {@code unreserved} is the
 * same without it.
 */
record ReservationChange(boolean reserve, Resources reserved, Resources unreserved) {

    /** Builds the change for resources already found {@link #invalid valid}. */
    static ReservationChange of(List<Resource> resources, boolean reserve) {
        return new ReservationChange(reserve, Resources.of(resources).unallocated(),
                Resources.of(resources.stream().map(ReservationChange::pop).toList()).unallocated());
    }

    Resources from() {
        return reserve ? unreserved : reserved;
    }

    Resources to() {
        return reserve ? reserved : unreserved;
    }

    /**
     * Why {@code resources} cannot be (un)reserved, or null: each needs a name, a type and a reservation stack
     * ending with a DYNAMIC reservation whose role {@code roleError} accepts (it returns the reason otherwise).
     */
    static String invalid(List<Resource> resources, Function<String, String> roleError) {
        if (resources == null || resources.isEmpty()) {
            return "no resources";
        }
        for (Resource r : resources) {
            List<ReservationInfo> rs = r.reservations();
            if (r.name() == null || r.type() == null) {
                return "each resource needs 'name' and 'type'";
            }
            if (rs == null || rs.isEmpty() || rs.get(rs.size() - 1).type() != ReservationInfo.Type.DYNAMIC) {
                return "'" + r.name() + "' needs 'reservations' (reservation refinement format) ending with a"
                        + " DYNAMIC one";
            }
            String bad = roleError.apply(rs.get(rs.size() - 1).role());
            if (bad != null) {
                return "'" + r.name() + "': " + bad;
            }
        }
        return null;
    }

    /** The resource without its last (newest) reservation: what a RESERVE starts from, an UNRESERVE gives back. */
    static Resource pop(Resource r) {
        List<ReservationInfo> rs = r.reservations();
        List<ReservationInfo> rest = rs == null || rs.size() <= 1 ? null : List.copyOf(rs.subList(0, rs.size() - 1));
        return new Resource(r.name(), r.type(), r.scalar(), r.ranges(), r.set(), null, r.allocationInfo(), rest,
                r.disk());
    }
}
