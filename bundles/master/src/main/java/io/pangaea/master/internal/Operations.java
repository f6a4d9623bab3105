package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.OfferEntry;
import io.pangaea.master.internal.MasterState.OperationEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.OfferId;
import io.pangaea.model.OperationState;
import io.pangaea.model.OperationStatus;
import io.pangaea.model.Resources;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offer operations other than launches: RESERVE and UNRESERVE (by frameworks and by the operator), CREATE and
 * DESTROY of persistent volumes, recorded in the registry, and the operation feedback of those with an id
 * (UPDATE_OPERATION_STATUS until acknowledged, RECONCILE_OPERATIONS). Owns each framework's tracked operations.
 * Must not touch: tasks and executors, or offers other than through {@link Offers}.
 */
final class Operations extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    Operations(MasterContext ctx) {
        super(ctx);
    }

    /** Why an operation's id cannot be taken: set on a launch, or already in use. Null when it can. */
    String operationIdError(FrameworkEntry fw, Call.Operation op) {
        if (op.id() == null) {
            return null;
        }
        if (op.type() == Call.Operation.Type.LAUNCH || op.type() == Call.Operation.Type.LAUNCH_GROUP) {
            return "The 'id' field is not supported on " + op.type() + " operations: their tasks report their"
                    + " status themselves";
        }
        if (op.id().value() == null || op.id().value().isEmpty()) {
            return "'Operation.id.value' must not be empty";
        }
        if (fw.operations.containsKey(op.id())) {
            return "Operation id '" + op.id().value() + "' is already in use by this framework";
        }
        return null;
    }

    /**
     * An operation that was not applied. With an id, its framework is told (OPERATION_ERROR or OPERATION_DROPPED,
     * with no uuid: there is nothing to acknowledge, as in Mesos).
     */
    void dropOperation(FrameworkEntry fw, AgentEntry agent, Call.Operation op, OperationState state,
                               String why) {
        LOG.info("Dropping {} from framework {}: {}", op.type(), fw.id, why);
        metrics.operation(op.type(), state == OperationState.OPERATION_DROPPED ? "dropped" : "error");
        if (op.id() != null) {
            sendOperationStatus(fw, new OperationStatus(op.id(), state, why, null, null,
                    agent == null ? null : agent.id));
        }
    }

    /**
     * An operation applied on the agent's default resources (so at once). With an id, its framework gets
     * OPERATION_FINISHED with the converted resources, to acknowledge; it is sent again when the framework
     * subscribes again, until acknowledged.
     */
    void finishOperation(FrameworkEntry fw, AgentEntry agent, Call.Operation op, Resources converted) {
        metrics.operation(op.type(), "finished");
        if (op.id() == null) {
            return;
        }
        byte[] uuid = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(uuid);
        OperationEntry entry = new OperationEntry(fw.id, agent.id, op);
        OperationStatus status = new OperationStatus(op.id(), OperationState.OPERATION_FINISHED, null,
                converted.toList(), new OperationStatus.Uuid(java.util.Base64.getEncoder().encodeToString(uuid)),
                agent.id);
        entry.statuses.add(status);
        entry.pendingUuid = status.uuid().value();
        fw.operations.put(op.id(), entry);
        sendOperationStatus(fw, status);
    }

    void sendOperationStatus(FrameworkEntry fw, OperationStatus status) {
        if (fw.stream != null) {
            fw.stream.send(MesosJson.write(Event.updateOperationStatus(status)));
            MasterMetrics.inc(fw.counters, "events/update_operation_status");
        }
    }

    /** ACKNOWLEDGE_OPERATION_STATUS: the operation's last status arrived; a terminal one ends its tracking. */
    void acknowledgeOperation(FrameworkEntry fw, Call.AcknowledgeOperationStatus ack) {
        OperationEntry op = fw.operations.get(ack.operationId());
        if (op == null || op.pendingUuid == null || !op.pendingUuid.equals(ack.uuid())
                || (ack.agentId() != null && !ack.agentId().equals(op.agentId))) {
            metrics.inc("invalid_operation_status_update_acknowledgements");
            return;
        }
        metrics.inc("valid_operation_status_update_acknowledgements");
        op.pendingUuid = null;
        if (op.latest().state().isTerminal()) {
            fw.operations.remove(ack.operationId());
        }
    }

    /**
     * RECONCILE_OPERATIONS: the latest status of each operation named (all the framework's tracked operations when
     * none is named). An unknown operation is OPERATION_UNKNOWN, or what is known of the agent named: gone or
     * unreachable.
     */
    void reconcileOperations(FrameworkEntry fw, Call.ReconcileOperations reconcile) {
        List<Call.ReconcileOperations.ReconcileOperation> asked = reconcile.operations() == null ? List.of()
                : reconcile.operations();
        if (asked.isEmpty()) {
            fw.operations.values().forEach(o -> sendOperationStatus(fw, o.latest().withoutUuid()));
            return;
        }
        for (Call.ReconcileOperations.ReconcileOperation r : asked) {
            OperationEntry known = r.operationId() == null ? null : fw.operations.get(r.operationId());
            if (known != null) {
                sendOperationStatus(fw, known.latest().withoutUuid());
                continue;
            }
            OperationState answer = OperationState.OPERATION_UNKNOWN;
            if (r.agentId() != null && state.goneAgents.contains(r.agentId())) {
                answer = OperationState.OPERATION_GONE_BY_OPERATOR;
            } else if (r.agentId() != null && state.agents.containsKey(r.agentId())
                    && state.agents.get(r.agentId()).unreachableTime != null) {
                answer = OperationState.OPERATION_UNREACHABLE;
            }
            sendOperationStatus(fw, new OperationStatus(r.operationId(), answer, null, null, null, r.agentId()));
        }
    }

    /** Applies a reservation change to the agent's total and records it in the registry. */
    void apply(AgentEntry agent, ReservationChange change) {
        agent.setTotal(agent.total().minus(change.from()).plus(change.to()));
        if (change.reserve()) {
            registry.addReservation(agent.id.value(), change.reserved());
        } else {
            registry.removeReservation(agent.id.value(), change.reserved());
        }
    }

    /**
     * The operator's RESERVE_RESOURCES ({@code reserve}) or UNRESERVE_RESOURCES on an agent: the resources must be
     * free on it (outstanding offers of the agent are rescinded to make room). Completes with the HTTP status and
     * message: 202 when applied, 400/404/409 with the reason otherwise.
     */
    CallResult operatorReservation(String agentId, List<io.pangaea.model.Resource> resources, boolean reserve) {
        AgentEntry agent = state.agents.get(AgentId.of(agentId));
        if (agent == null) {
            return new CallResult(404, "No agent with id '" + agentId + "'");
        }
        String error = ReservationChange.invalid(resources, r -> "*".equals(r)
                || OperatorValidator.validateRole("role", r) != null ? "invalid reservation role '" + r + "'"
                : null);
        if (error != null) {
            return new CallResult(400, error);
        }
        ReservationChange change;
        try {
            change = ReservationChange.of(resources, reserve);
        } catch (RuntimeException e) {
            return new CallResult(400, "Invalid resources: " + e.getMessage());
        }
        Resources from = change.from();
        Resources offered = offeredOn(agent);
        if (!agent.available().plus(offered).contains(from)) {
            // checked before rescinding anything: a refused request changes nothing
            return new CallResult(409, "Agent " + agentId + " does not have " + from + " free (free or offered: "
                    + agent.available().plus(offered) + ")");
        }
        makeFree(agent, from);
        agent.setAvailable(agent.available().minus(from).plus(change.to()));
        apply(agent, change);
        ctx.allocation.requestAllocation();
        return new CallResult(202, "");
    }

    /**
     * The operator's CREATE_VOLUMES ({@code create}) or DESTROY_VOLUMES on an agent: the reserved disk (or the
     * volumes) must be free on it; outstanding offers of the agent are rescinded to make room. 202 when applied,
     * 400/404/409 with the reason otherwise; a refused request changes nothing.
     */
    CallResult operatorVolumes(String agentId, List<io.pangaea.model.Resource> volumes, boolean create) {
        AgentEntry agent = state.agents.get(AgentId.of(agentId));
        if (agent == null) {
            return new CallResult(404, "No agent with id '" + agentId + "'");
        }
        Resources offered = offeredOn(agent);
        Resources pool = agent.available().plus(offered);
        Map<String, List<io.pangaea.model.Resource>> byRole = new java.util.LinkedHashMap<>();
        for (io.pangaea.model.Resource v : volumes) {
            byRole.computeIfAbsent(v == null ? "*" : v.reservationRole(), r -> new java.util.ArrayList<>()).add(v);
        }
        for (Map.Entry<String, List<io.pangaea.model.Resource>> e : byRole.entrySet()) {
            String error;
            try {
                error = LaunchValidator.invalidVolumes(agent, e.getValue(), e.getKey(), create,
                        pool.allocatedTo(e.getKey()));
            } catch (RuntimeException x) {
                error = "invalid volumes: " + x.getMessage();
            }
            if (error != null) {
                return new CallResult(error.contains("are not in the offer") ? 409 : 400,
                        error.replace("are not in the offer", "are not free on agent " + agentId));
            }
        }
        Resources asVolumes = Resources.of(volumes).unallocated();
        Resources asDisk = Resources.of(volumes.stream().map(v -> v.withDisk(null)).toList()).unallocated();
        Resources from = create ? asDisk : asVolumes;
        Resources to = create ? asVolumes : asDisk;
        makeFree(agent, from);
        agent.setAvailable(agent.available().minus(from).plus(to));
        agent.setTotal(agent.total().minus(from).plus(to));
        recordVolumes(agent, volumes, asVolumes, create);
        LOG.info("Operator {} volumes {} on agent {}", create ? "created" : "destroyed", asVolumes, agent.id);
        ctx.allocation.requestAllocation();
        return new CallResult(202, "");
    }

    /**
     * What GROW_VOLUME ({@code addition}) or SHRINK_VOLUME ({@code subtract}) turns into: {@code from} becomes
     * {@code to} on the agent. {@code error} says why it cannot, with nothing computed.
     */
    record Resize(Resources from, Resources to, String error) {
        static Resize refused(String why) {
            return new Resize(null, null, why);
        }
    }

    /** Checks a resize of {@code volume} on {@code agent} and computes it; see {@link Resize}. */
    static Resize resize(AgentEntry agent, boolean grow, io.pangaea.model.Resource volume,
                         io.pangaea.model.Resource addition, io.pangaea.model.Scalar subtract) {
        if (volume == null || !volume.isPersistentVolume() || !"disk".equals(volume.name()) || volume.scalar() == null) {
            return Resize.refused("'volume' must be a persistent volume (a 'disk' with a persistence id)");
        }
        String id = volume.disk().persistence().id();
        boolean exists = agent.total().toList().stream().anyMatch(r -> r.isPersistentVolume()
                && r.disk().persistence().id().equals(id) && r.reservationRole().equals(volume.reservationRole())
                && r.scalar() != null && Math.abs(r.scalar().value() - volume.scalar().value()) < 1e-9);
        if (!exists) {
            return Resize.refused("persistent volume '" + id + "' of " + volume.scalar().value() + " MB is not on"
                    + " agent " + agent.id.value());
        }
        double size = volume.scalar().value();
        if (grow) {
            if (addition == null || !"disk".equals(addition.name()) || addition.scalar() == null || !(addition.scalar().value() > 0)
                    || addition.disk() != null || !addition.reservationRole().equals(volume.reservationRole())) {
                return Resize.refused("'addition' must be a positive 'disk' with the volume's reservation and no"
                        + " disk info");
            }
            return new Resize(Resources.of(List.of(volume, addition)).unallocated(),
                    Resources.of(List.of(volume.withScalar(size + addition.scalar().value()))).unallocated(), null);
        }
        if (subtract == null || !(subtract.value() > 0) || !(subtract.value() < size)) {
            return Resize.refused("'subtract' must be above 0 and below the volume's size (" + size + ")");
        }
        io.pangaea.model.Resource freed = volume.withDisk(null).withScalar(subtract.value());
        return new Resize(Resources.of(List.of(volume)).unallocated(),
                Resources.of(List.of(volume.withScalar(size - subtract.value()), freed)).unallocated(), null);
    }

    /** Records a resize on the agent and in the registry. */
    private void applyResize(AgentEntry agent, Resize r) {
        agent.setTotal(agent.total().minus(r.from()).plus(r.to()));
        registry.removeReservation(agent.id.value(), r.from());
        registry.addReservation(agent.id.value(), r.to());
    }

    /** GROW_VOLUME or SHRINK_VOLUME out of an accepted offer's {@code remaining}; returns what is left. */
    Resources resizeVolume(FrameworkEntry fw, AgentEntry agent, Call.Operation op, Resources remaining, String role) {
        boolean grow = op.type() == Call.Operation.Type.GROW_VOLUME;
        Resize r = grow ? (op.growVolume() == null ? Resize.refused("'grow_volume' must be set")
                : resize(agent, true, op.growVolume().volume(), op.growVolume().addition(), null))
                : (op.shrinkVolume() == null ? Resize.refused("'shrink_volume' must be set")
                : resize(agent, false, op.shrinkVolume().volume(), null, op.shrinkVolume().subtract()));
        if (r.error() == null && !remaining.contains(r.from().allocatedTo(role))) {
            r = Resize.refused("the resources " + r.from() + " are not in the offer (" + remaining.unallocated() + ")");
        }
        if (r.error() != null) {
            dropOperation(fw, agent, op, OperationState.OPERATION_ERROR, r.error());
            return remaining;
        }
        fw.release(role, r.from().allocatedTo(role));
        fw.allocate(role, r.to().allocatedTo(role));
        applyResize(agent, r);
        LOG.info("Framework {} {}: {} is now {} on agent {}", fw.id, op.type(), r.from(), r.to(), agent.id);
        finishOperation(fw, agent, op, r.to().allocatedTo(role));
        return remaining.minus(r.from().allocatedTo(role)).plus(r.to().allocatedTo(role));
    }

    /** The operator's GROW_VOLUME or SHRINK_VOLUME: what changes must be free on the agent (offers are rescinded). */
    CallResult operatorResize(String agentId, boolean grow, io.pangaea.model.Resource volume,
                              io.pangaea.model.Resource addition, io.pangaea.model.Scalar subtract) {
        AgentEntry agent = state.agents.get(AgentId.of(agentId));
        if (agent == null) {
            return new CallResult(404, "No agent with id '" + agentId + "'");
        }
        Resize r = resize(agent, grow, volume, addition, subtract);
        if (r.error() != null) {
            return new CallResult(400, r.error());
        }
        Resources offered = offeredOn(agent);
        if (!agent.available().plus(offered).contains(r.from())) {
            return new CallResult(409, "Agent " + agentId + " does not have " + r.from() + " free (the volume may be"
                    + " in use)");
        }
        makeFree(agent, r.from());
        agent.setAvailable(agent.available().minus(r.from()).plus(r.to()));
        applyResize(agent, r);
        ctx.allocation.requestAllocation();
        return new CallResult(202, "");
    }

    /** RESERVE or UNRESERVE out of an accepted offer's {@code remaining}; returns what is left. */
    /** Why the framework's principal may not {@code action} on {@code objects} by the ACLs, or null when it may. */
    private String unauthorized(FrameworkEntry fw, String action, List<String> objects) {
        if (ctx.acls().approvesAll(action, fw.info.principal(), objects)) {
            return null;
        }
        return "Not authorized to " + action + " " + objects + (fw.info.principal() == null ? ""
                : " with principal '" + fw.info.principal() + "'") + " (ACL '" + action + "')";
    }

    Resources reserve(FrameworkEntry fw, AgentEntry agent, Call.Operation op, Resources remaining, String role) {
        boolean reserve = op.type() == Call.Operation.Type.RESERVE;
        List<io.pangaea.model.Resource> asked = reserve ? op.reserve().resources() : op.unreserve().resources();
        String error = ReservationChange.invalid(asked, r -> role.equals(r) ? null
                : "the reservation's role '" + r + "' is not the offer's role '" + role + "'");
        if (error == null) {
            error = unauthorized(fw, reserve ? "reserve_resources" : "unreserve_resources", reserve
                    ? AclObjects.reservationRoles(asked)
                    : AclObjects.reserverPrincipals(asked));
        }
        ReservationChange change = error == null ? ReservationChange.of(asked, reserve) : null;
        if (error == null && !remaining.contains(change.from().allocatedTo(role))) {
            error = "the resources " + change.from() + " are not in the offer (" + remaining.unallocated() + ")";
        }
        if (error != null) {
            dropOperation(fw, agent, op, OperationState.OPERATION_ERROR, error);
            return remaining;
        }
        fw.release(role, change.from().allocatedTo(role));
        fw.allocate(role, change.to().allocatedTo(role));
        apply(agent, change);
        LOG.info("Framework {} {}D {} on agent {}", fw.id, op.type(), change.reserved(), agent.id);
        finishOperation(fw, agent, op, change.to().allocatedTo(role));
        return remaining.minus(change.from().allocatedTo(role)).plus(change.to().allocatedTo(role));
    }

    /** CREATE or DESTROY persistent volumes out of an accepted offer's {@code remaining}; returns what is left. */
    Resources volumes(FrameworkEntry fw, AgentEntry agent, Call.Operation op, Resources remaining, String role) {
        boolean create = op.type() == Call.Operation.Type.CREATE;
        List<io.pangaea.model.Resource> volumes = create ? op.create().volumes() : op.destroy().volumes();
        String error = LaunchValidator.invalidVolumes(agent, volumes, role, create, remaining);
        if (error == null) {
            error = unauthorized(fw, create ? "create_volumes" : "destroy_volumes", create
                    ? AclObjects.reservationRoles(volumes)
                    : AclObjects.creatorPrincipals(volumes));
        }
        if (error != null) {
            dropOperation(fw, agent, op, OperationState.OPERATION_ERROR, error);
            return remaining;
        }
        Resources asVolumes = Resources.of(volumes).unallocated();
        Resources asDisk = Resources.of(volumes.stream().map(v -> v.withDisk(null)).toList()).unallocated();
        Resources from = create ? asDisk : asVolumes;
        Resources to = create ? asVolumes : asDisk;
        fw.release(role, from.allocatedTo(role));
        fw.allocate(role, to.allocatedTo(role));
        agent.setTotal(agent.total().minus(from).plus(to));
        recordVolumes(agent, volumes, asVolumes, create);
        LOG.info("Framework {} {}D volumes {} on agent {}", fw.id, op.type(), asVolumes, agent.id);
        finishOperation(fw, agent, op, to.allocatedTo(role));
        return remaining.minus(from.allocatedTo(role)).plus(to.allocatedTo(role));
    }

    /** What the agent has in outstanding offers (without allocation). */
    private Resources offeredOn(AgentEntry agent) {
        Resources offered = Resources.EMPTY;
        for (OfferId o : agent.offers) {
            OfferEntry e = state.offers.get(o);
            offered = e == null ? offered : offered.plus(e.unallocated);
        }
        return offered;
    }

    /** Makes {@code from} free on the agent: its outstanding offers are rescinded when they hold part of it. */
    private void makeFree(AgentEntry agent, Resources from) {
        if (!agent.available().contains(from)) {
            for (OfferId o : List.copyOf(agent.offers)) {
                ctx.offers.removeOffer(o, true, false);
            }
        }
    }

    /** Records created volumes in the registry, or forgets destroyed ones and tells the agent to delete them. */
    private void recordVolumes(AgentEntry agent, List<io.pangaea.model.Resource> volumes, Resources asVolumes,
                               boolean create) {
        if (create) {
            registry.addReservation(agent.id.value(), asVolumes);
        } else {
            registry.removeReservation(agent.id.value(), asVolumes);
            for (io.pangaea.model.Resource v : volumes) {
                ctx.agents.sendToAgent(agent, AgentEvent.destroyVolume(new AgentEvent.DestroyVolume(
                        v.reservationRole(), v.disk().persistence().id())));
            }
        }
    }
}
