package io.pangaea.model.maintenance;

/** A machine, as Mesos's maintenance primitives name it: its hostname, its IP, or both. */
public record MachineId(String hostname, String ip) {

    /** As Mesos prints a machine: {@code (hostname, ip)}. */
    @Override
    public String toString() {
        return "(" + (hostname == null ? "" : hostname) + ", " + (ip == null ? "" : ip) + ")";
    }
}
