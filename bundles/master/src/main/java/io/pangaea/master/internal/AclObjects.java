package io.pangaea.master.internal;

import io.pangaea.model.ReservationInfo;
import io.pangaea.model.Resource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ACL objects resources name: the roles they are reserved to, the principals that reserved them or created
 * their volumes. Asked by the operator API's checks and by a framework's own offer operations alike.
 */
public final class AclObjects {

    private AclObjects() {
    }

    /** The roles resources are (to be) reserved to: each one's innermost reservation. */
    public static List<String> reservationRoles(List<Resource> resources) {
        Set<String> roles = new LinkedHashSet<>();
        for (Resource r : resources == null ? List.<Resource>of() : resources) {
            if (r != null) {
                roles.add(r.reservationRole());
            }
        }
        return new ArrayList<>(roles);
    }

    /** The principals that made the reservations being undone: each resource's innermost reservation's. */
    public static List<String> reserverPrincipals(List<Resource> resources) {
        Set<String> out = new LinkedHashSet<>();
        for (Resource r : resources == null ? List.<Resource>of() : resources) {
            if (r != null && r.reservations() != null && !r.reservations().isEmpty()) {
                ReservationInfo last = r.reservations().get(r.reservations().size() - 1);
                out.add(last.principal() == null ? "" : last.principal());
            }
        }
        return new ArrayList<>(out);
    }

    /** The principals that created the volumes being destroyed. */
    public static List<String> creatorPrincipals(List<Resource> volumes) {
        Set<String> out = new LinkedHashSet<>();
        for (Resource r : volumes == null ? List.<Resource>of() : volumes) {
            if (r != null && r.disk() != null && r.disk().persistence() != null) {
                String p = r.disk().persistence().principal();
                out.add(p == null ? "" : p);
            }
        }
        return new ArrayList<>(out);
    }
}
