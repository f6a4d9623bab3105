package io.pangaea.master.internal;

import io.pangaea.model.maintenance.MachineId;
import io.pangaea.model.maintenance.Schedule;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The checks Mesos makes on maintenance schedules and machine lists, with messages that name the field. */
final class MaintenanceValidator {

    private MaintenanceValidator() {
    }

    /** Why {@code s} cannot be the schedule, or null. Machines that are down must stay in it. */
    static String schedule(Schedule s, List<MachineId> down) {
        if (s == null || s.windows() == null) {
            return "Expecting 'schedule.windows' to be present";
        }
        Set<MachineId> seen = new HashSet<>();
        for (int i = 0; i < s.windows().size(); i++) {
            Schedule.Window w = s.windows().get(i);
            String at = "schedule.windows[" + i + "]";
            if (w == null || w.machineIds() == null || w.machineIds().isEmpty()) {
                return "'" + at + ".machine_ids': List of machines in the maintenance window is empty";
            }
            String bad = machines(at + ".machine_ids", w.machineIds());
            if (bad != null) {
                return bad;
            }
            for (MachineId m : w.machineIds()) {
                if (!seen.add(m)) {
                    return "'" + at + ".machine_ids': machine '" + m + "' appears more than once in the schedule";
                }
            }
            if (w.unavailability() == null || w.unavailability().start() == null
                    || w.unavailability().start().nanoseconds() == null) {
                return "'" + at + ".unavailability.start' must be set";
            }
            if (w.unavailability().duration() != null && w.unavailability().duration().nanoseconds() < 0) {
                return "'" + at + ".unavailability.duration' must not be negative";
            }
        }
        for (MachineId m : down) {
            if (!seen.contains(m)) {
                return "Machine '" + m + "' is down for maintenance and cannot be removed from the schedule"
                        + " (STOP_MAINTENANCE brings it up first)";
            }
        }
        return null;
    }

    /** Why a list of machines is not well formed, or null. */
    static String machines(String field, List<MachineId> machines) {
        if (machines == null || machines.isEmpty()) {
            return "'" + field + "' must name at least one machine";
        }
        Set<MachineId> seen = new HashSet<>();
        for (MachineId m : machines) {
            if (m == null || (blank(m.hostname()) && blank(m.ip()))) {
                return "'" + field + "': both 'hostname' and 'ip' for a machine are empty";
            }
            if (!blank(m.ip()) && !m.ip().matches("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:]+")) {
                return "'" + field + "': '" + m.ip() + "' is not an IP address";
            }
            if (!seen.add(m)) {
                return "'" + field + "': machine '" + m + "' appears more than once";
            }
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
