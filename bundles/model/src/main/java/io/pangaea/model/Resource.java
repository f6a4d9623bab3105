package io.pangaea.model;

import java.util.List;

/**
 * One named resource of one kind, with its reservation and allocation. Unreserved resources carry role "*"; a
 * reserved one has {@code reservations} (innermost last) and, for wire compatibility, {@code role} set to that role.
 */
public record Resource(String name, ValueType type, Scalar scalar, Ranges ranges, ValueSet set, String role,
                       AllocationInfo allocationInfo, List<ReservationInfo> reservations, DiskInfo disk) {

    public Resource(String name, ValueType type, Scalar scalar, Ranges ranges, ValueSet set, String role,
                    AllocationInfo allocationInfo, List<ReservationInfo> reservations) {
        this(name, type, scalar, ranges, set, role, allocationInfo, reservations, null);
    }

    /** A persistent volume (a {@code disk} with a persistence id)? */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPersistentVolume() {
        return disk != null && disk.isPersistent();
    }

    /** The same resource with {@code d} as its disk info (null: a plain disk). */
    public Resource withDisk(DiskInfo d) {
        return new Resource(name, type, scalar, ranges, set, role, allocationInfo, reservations, d);
    }

    public static Resource scalar(String name, double value) {
        return new Resource(name, ValueType.SCALAR, new Scalar(value), null, null, "*", null, null);
    }

    public static Resource ranges(String name, List<Range> ranges) {
        return new Resource(name, ValueType.RANGES, null, new Ranges(ranges), null, "*", null, null);
    }

    public static Resource set(String name, List<String> items) {
        return new Resource(name, ValueType.SET, null, null, new ValueSet(items), "*", null, null);
    }

    /** The role these resources are reserved for, or "*" when unreserved. */
    public String reservationRole() {
        if (reservations != null && !reservations.isEmpty()) {
            ReservationInfo last = reservations.get(reservations.size() - 1);
            return last.role() == null ? "*" : last.role();
        }
        return role == null || role.isEmpty() ? "*" : role;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isReserved() {
        return !"*".equals(reservationRole());
    }

    /** The role this resource is allocated to, or null when not allocated. */
    public String allocationRole() {
        return allocationInfo == null ? null : allocationInfo.role();
    }

    public Resource withScalar(double value) {
        return new Resource(name, type, new Scalar(value), null, null, role, allocationInfo, reservations, disk);
    }

    public Resource withRanges(List<Range> value) {
        return new Resource(name, type, null, new Ranges(value), null, role, allocationInfo, reservations, disk);
    }

    public Resource withSet(List<String> value) {
        return new Resource(name, type, null, null, new ValueSet(value), role, allocationInfo, reservations, disk);
    }

    public Resource withAllocation(String allocationRole) {
        if (allocationRole == null ? allocationInfo == null
                : allocationInfo != null && allocationRole.equals(allocationInfo.role())) {
            return this; // already so: a task's resources mostly carry their role
        }
        return new Resource(name, type, scalar, ranges, set, role,
                allocationRole == null ? null : new AllocationInfo(allocationRole), reservations, disk);
    }

    /** A statically reserved copy for {@code reservedRole} (Mesos text form {@code cpus(role):2}). */
    public Resource reservedFor(String reservedRole) {
        if ("*".equals(reservedRole)) {
            return new Resource(name, type, scalar, ranges, set, "*", allocationInfo, null, disk);
        }
        return new Resource(name, type, scalar, ranges, set, reservedRole, allocationInfo,
                List.of(new ReservationInfo(ReservationInfo.Type.STATIC, reservedRole, null, null)), disk);
    }
}
