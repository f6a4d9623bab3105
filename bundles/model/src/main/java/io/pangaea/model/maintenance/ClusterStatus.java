package io.pangaea.model.maintenance;

import io.pangaea.model.FrameworkId;
import java.util.List;

/**
 * The maintenance status (Mesos's {@code maintenance.ClusterStatus}): the machines being drained, with each
 * framework's answer to its inverse offers, and the machines that are down.
 */
public record ClusterStatus(List<DrainingMachine> drainingMachines, List<MachineId> downMachines) {

    public record DrainingMachine(MachineId id, List<InverseOfferStatus> statuses) {}

    /** A framework's last answer to an inverse offer for the machine, and when it gave it. */
    public record InverseOfferStatus(Status status, FrameworkId frameworkId, Schedule.TimeInfo timestamp) {
        public enum Status { UNKNOWN, ACCEPT, DECLINE }
    }
}
