package io.pangaea.model.maintenance;

import java.util.List;

/**
 * A maintenance schedule (Mesos's {@code maintenance.Schedule}): windows, each a set of machines and when they will
 * be unavailable.
 */
public record Schedule(List<Window> windows) {

    public static final Schedule EMPTY = new Schedule(List.of());

    /** Machines that go unavailable together. */
    public record Window(List<MachineId> machineIds, Unavailability unavailability) {}

    /** From {@code start} (nanoseconds since the epoch) for {@code duration}; no duration: until further notice. */
    public record Unavailability(TimeInfo start, io.pangaea.model.DurationInfo duration) {}

    public record TimeInfo(Long nanoseconds) {}
}
