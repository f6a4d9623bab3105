package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.Address;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.Url;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.maintenance.ClusterStatus;
import io.pangaea.model.maintenance.ClusterStatus.InverseOfferStatus;
import io.pangaea.model.maintenance.MachineId;
import io.pangaea.model.maintenance.Schedule;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mesos's maintenance primitives: the schedule of machines to take down (kept in the registry), their modes
 * (DRAINING while scheduled, DOWN after START_MAINTENANCE, up again after STOP_MAINTENANCE), the inverse offers that
 * ask frameworks with work on a draining machine's agents to give it back, and their answers. Owns the inverse
 * offers and the answers; a DOWN machine's agents are removed through {@link Agents}.
 * Must not touch: offers, or tasks other than through {@link Tasks} when a machine goes down.
 */
final class MaintenanceSchedule extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceSchedule.class);

    /** An outstanding inverse offer: to a framework, for an agent on a draining machine. */
    private record Outstanding(FrameworkId framework, io.pangaea.model.AgentId agent, MachineId machine) {}

    private final Map<OfferId, Outstanding> outstanding = new LinkedHashMap<>();
    /** Each draining machine's answers, by framework. */
    private final Map<MachineId, Map<FrameworkId, InverseOfferStatus>> answers = new LinkedHashMap<>();
    private long nextInverseOffer;

    MaintenanceSchedule(MasterContext ctx) {
        super(ctx);
    }

    Schedule schedule() {
        return registry.maintenanceSchedule();
    }

    /** GET_MAINTENANCE_STATUS: the draining machines with the frameworks' answers, and the machines down. */
    ClusterStatus status() {
        List<MachineId> down = registry.downMachines();
        List<ClusterStatus.DrainingMachine> draining = new ArrayList<>();
        for (MachineId m : machines(schedule())) {
            if (!down.contains(m)) {
                draining.add(new ClusterStatus.DrainingMachine(m, List.copyOf(answers.getOrDefault(m, Map.of())
                        .values())));
            }
        }
        return new ClusterStatus(draining, down);
    }

    /** UPDATE_MAINTENANCE_SCHEDULE: 200, or 400 with why the schedule is refused (nothing changes then). */
    CallResult update(Schedule next) {
        String error = MaintenanceValidator.schedule(next, registry.downMachines());
        if (error != null) {
            return new CallResult(400, error);
        }
        Set<MachineId> now = new HashSet<>(machines(next));
        for (MachineId m : List.copyOf(answers.keySet())) {
            if (!now.contains(m)) {
                answers.remove(m);
            }
        }
        for (Map.Entry<OfferId, Outstanding> e : List.copyOf(outstanding.entrySet())) {
            if (!now.contains(e.getValue().machine())) {
                rescind(e.getKey());
            }
        }
        registry.updateMaintenance(next, registry.downMachines());
        LOG.info("Maintenance schedule updated: {} machine(s) scheduled", now.size());
        sendInverseOffers();
        return new CallResult(200, "");
    }

    /** START_MAINTENANCE: the machines go down; their agents are removed and may not come back until they are up. */
    CallResult start(List<MachineId> machines) {
        String error = MaintenanceValidator.machines("start_maintenance.machines", machines);
        List<MachineId> down = new ArrayList<>(registry.downMachines());
        Set<MachineId> scheduled = new HashSet<>(machines(schedule()));
        for (MachineId m : error == null ? machines : List.<MachineId>of()) {
            if (!scheduled.contains(m) || down.contains(m)) {
                error = "Machine '" + m + "' is not in DRAINING mode and cannot be brought down";
            }
        }
        if (error != null) {
            return new CallResult(400, error);
        }
        down.addAll(machines);
        registry.updateMaintenance(schedule(), down);
        for (MachineId m : machines) {
            answers.remove(m);
            for (Map.Entry<OfferId, Outstanding> e : List.copyOf(outstanding.entrySet())) {
                if (e.getValue().machine().equals(m)) {
                    rescind(e.getKey());
                }
            }
            for (AgentEntry agent : List.copyOf(state.agents.values())) {
                if (on(agent, m)) {
                    takeDown(agent);
                }
            }
        }
        LOG.info("Machines {} are down for maintenance", machines);
        return new CallResult(200, "");
    }

    /** STOP_MAINTENANCE: the machines are up again and leave the schedule; their agents may register again. */
    CallResult stop(List<MachineId> machines) {
        String error = MaintenanceValidator.machines("stop_maintenance.machines", machines);
        List<MachineId> down = new ArrayList<>(registry.downMachines());
        for (MachineId m : error == null ? machines : List.<MachineId>of()) {
            if (!down.contains(m)) {
                error = "Machine '" + m + "' is not in DOWN mode and cannot be brought up";
            }
        }
        if (error != null) {
            return new CallResult(400, error);
        }
        down.removeAll(machines);
        List<Schedule.Window> windows = new ArrayList<>();
        for (Schedule.Window w : schedule().windows()) {
            List<MachineId> left = w.machineIds().stream().filter(m -> !machines.contains(m)).toList();
            if (!left.isEmpty()) {
                windows.add(new Schedule.Window(left, w.unavailability()));
            }
        }
        registry.updateMaintenance(new Schedule(windows), down);
        LOG.info("Machines {} are up after maintenance", machines);
        return new CallResult(200, "");
    }

    /** When the agent's machine is scheduled to be unavailable, for its offers; null when it is not scheduled. */
    Schedule.Unavailability unavailability(AgentEntry agent) {
        for (Schedule.Window w : schedule().windows()) {
            for (MachineId m : w.machineIds()) {
                if (on(agent, m)) {
                    return w.unavailability();
                }
            }
        }
        return null;
    }

    /** True when an agent at {@code hostname} and {@code ip} is on a machine that is down: it is refused. */
    boolean isDown(String hostname, String ip) {
        for (MachineId m : registry.downMachines()) {
            if (on(hostname, ip, m)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends an inverse offer to each framework that has work on an agent of a draining machine and has neither an
     * outstanding one for it nor answered one.
     */
    void sendInverseOffers() {
        Set<MachineId> down = new HashSet<>(registry.downMachines());
        for (Schedule.Window w : schedule().windows()) {
            for (MachineId m : w.machineIds()) {
                if (!down.contains(m)) {
                    sendFor(m, w.unavailability());
                }
            }
        }
    }

    private void sendFor(MachineId m, Schedule.Unavailability unavailability) {
        for (AgentEntry agent : state.agents.values()) {
            if (!agent.connected() || !on(agent, m)) {
                continue;
            }
            Set<FrameworkId> users = new HashSet<>();
            agent.tasks.values().stream().filter(t -> !t.state().isTerminal()).forEach(t -> users.add(t.frameworkId));
            agent.executors.values().forEach(e -> users.add(e.info.frameworkId()));
            for (FrameworkId f : users) {
                FrameworkEntry fw = state.frameworks.get(f);
                boolean pending = outstanding.values().stream().anyMatch(o -> o.framework().equals(f)
                        && o.agent().equals(agent.id));
                if (fw == null || fw.stream == null || pending || answers.getOrDefault(m, Map.of()).containsKey(f)) {
                    continue;
                }
                OfferId id = OfferId.of(ctx.masterId + "-I" + nextInverseOffer++);
                outstanding.put(id, new Outstanding(f, agent.id, m));
                answers.computeIfAbsent(m, k -> new LinkedHashMap<>()).put(f, new InverseOfferStatus(
                        InverseOfferStatus.Status.UNKNOWN, f, now()));
                fw.stream.send(MesosJson.write(Event.inverseOffers(List.of(new Event.InverseOffer(id,
                        new Url("http", new Address(agent.info().hostname(), agent.ip, agent.info().port()),
                                "/slave(1)"), f, agent.id, unavailability)))));
                MasterMetrics.inc(fw.counters, "events/inverse_offers");
            }
        }
    }

    /** ACCEPT_INVERSE_OFFERS ({@code accept}) or DECLINE_INVERSE_OFFERS: the framework's answer is recorded. */
    void answer(FrameworkEntry fw, Call.InverseOffers call, boolean accept) {
        for (OfferId id : call.inverseOfferIds() == null ? List.<OfferId>of() : call.inverseOfferIds()) {
            Outstanding o = outstanding.get(id);
            if (o == null || !o.framework().equals(fw.id)) {
                LOG.debug("Inverse offer {} of framework {} is not outstanding", id, fw.id);
                continue;
            }
            outstanding.remove(id);
            answers.computeIfAbsent(o.machine(), k -> new LinkedHashMap<>()).put(fw.id, new InverseOfferStatus(
                    accept ? InverseOfferStatus.Status.ACCEPT : InverseOfferStatus.Status.DECLINE, fw.id, now()));
            LOG.info("Framework {} {} the inverse offer for machine {}", fw.id, accept ? "accepted" : "declined",
                    o.machine());
        }
    }

    private void rescind(OfferId id) {
        Outstanding o = outstanding.remove(id);
        FrameworkEntry fw = o == null ? null : state.frameworks.get(o.framework());
        if (fw != null && fw.stream != null) {
            fw.stream.send(MesosJson.write(Event.rescindInverseOffer(id)));
        }
    }

    /** A machine taken down: its agent's tasks are lost (gone for partition-aware frameworks) and it is removed. */
    private void takeDown(AgentEntry agent) {
        for (TaskEntry t : List.copyOf(agent.tasks.values())) {
            if (!t.state().isTerminal()) {
                FrameworkEntry fw = state.frameworks.get(t.frameworkId);
                boolean pa = fw != null && fw.info.hasCapability(FrameworkInfo.Capability.Type.PARTITION_AWARE);
                ctx.tasks.endTask(fw, t, pa ? TaskState.TASK_GONE_BY_OPERATOR : TaskState.TASK_LOST,
                        "Agent " + agent.info().hostname() + " is down for maintenance",
                        TaskStatus.Reason.REASON_AGENT_REMOVED_BY_OPERATOR);
            }
        }
        ctx.agents.removeAgent(agent, "Agent's machine is down for maintenance");
    }

    /** True when {@code agent} is on machine {@code m}: each of the machine's hostname and ip that is set matches. */
    static boolean on(AgentEntry agent, MachineId m) {
        return agent.info() != null && on(agent.info().hostname(), agent.ip, m);
    }

    static boolean on(String hostname, String ip, MachineId m) {
        boolean host = m.hostname() == null || m.hostname().isEmpty() || m.hostname().equalsIgnoreCase(hostname);
        boolean address = m.ip() == null || m.ip().isEmpty() || m.ip().equals(ip);
        return host && address;
    }

    private static Schedule.TimeInfo now() {
        return new Schedule.TimeInfo(System.currentTimeMillis() * 1_000_000L);
    }

    private static List<MachineId> machines(Schedule s) {
        List<MachineId> out = new ArrayList<>();
        for (Schedule.Window w : s.windows()) {
            out.addAll(w.machineIds());
        }
        return out;
    }
}
