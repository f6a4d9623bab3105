package io.pangaea.allocator;

import io.pangaea.model.Resources;

/**
 * A role's quota (Mesos 1.9+ quota v2): {@code guarantees} are offered to the role before anyone else's share and
 * kept as headroom; {@code limits} cap what the role (with its sub-roles) may hold. Only scalars count; either may be
 * empty.
 */
public record Quota(Resources guarantees, Resources limits) {

    public static final Quota NONE = new Quota(Resources.EMPTY, Resources.EMPTY);

    public Quota {
        guarantees = guarantees == null ? Resources.EMPTY : guarantees;
        limits = limits == null ? Resources.EMPTY : limits;
    }
}
