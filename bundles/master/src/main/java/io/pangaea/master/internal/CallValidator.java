package io.pangaea.master.internal;

import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.scheduler.Call;
import java.util.Base64;

/**
 * The checks Mesos makes on a scheduler call before it reaches the master's state, with its messages. Returns
 * null for a valid call, else the message of the 400.
 */
public final class CallValidator {

    private CallValidator() {}

    public static String validate(Call call) {
        if (call.type() == null) {
            return "Expecting 'type' to be present";
        }
        if (call.type() == Call.Type.UNKNOWN) {
            return "Unknown call type";
        }
        if (call.type() == Call.Type.SUBSCRIBE) {
            return validateSubscribe(call.subscribe(), call.frameworkId());
        }
        if (call.frameworkId() == null || call.frameworkId().value() == null) {
            return "Expecting 'framework_id' to be present";
        }
        return switch (call.type()) {
            case ACCEPT -> call.accept() == null ? "Expecting 'accept' to be present" : validateAccept(call.accept());
            case DECLINE -> call.decline() == null ? "Expecting 'decline' to be present" : null;
            case KILL -> call.kill() == null ? "Expecting 'kill' to be present"
                    : call.kill().taskId() == null ? "Missing required field: 'kill.task_id'" : null;
            case SHUTDOWN -> call.shutdown() == null ? "Expecting 'shutdown' to be present"
                    : call.shutdown().executorId() == null ? "Missing required field: 'shutdown.executor_id'"
                    : null;
            case ACKNOWLEDGE -> validateAck(call.acknowledge());
            case RECONCILE -> call.reconcile() == null ? "Expecting 'reconcile' to be present" : null;
            case MESSAGE -> call.message() == null ? "Expecting 'message' to be present" : null;
            case REQUEST -> call.request() == null ? "Expecting 'request' to be present" : null;
            case ACCEPT_INVERSE_OFFERS -> call.acceptInverseOffers() == null
                    ? "Expecting 'accept_inverse_offers' to be present" : null;
            case DECLINE_INVERSE_OFFERS -> call.declineInverseOffers() == null
                    ? "Expecting 'decline_inverse_offers' to be present" : null;
            case ACKNOWLEDGE_OPERATION_STATUS -> {
                Call.AcknowledgeOperationStatus a = call.acknowledgeOperationStatus();
                if (a == null) {
                    yield "Expecting 'acknowledge_operation_status' to be present";
                }
                if (a.uuid() == null || a.operationId() == null) {
                    yield "Missing required fields: 'acknowledge_operation_status.uuid' and"
                            + " 'acknowledge_operation_status.operation_id'";
                }
                yield uuidProblem(a.uuid(), "acknowledge_operation_status.uuid");
            }
            case RECONCILE_OPERATIONS -> call.reconcileOperations() == null
                    ? "Expecting 'reconcile_operations' to be present" : null;
            case UPDATE_FRAMEWORK -> {
                Call.UpdateFramework u = call.updateFramework();
                if (u == null) {
                    yield "Expecting 'update_framework' to be present";
                }
                FrameworkInfo fi = u.frameworkInfo();
                if (fi == null || fi.user() == null || fi.name() == null) {
                    yield "Expecting 'update_framework.framework_info' with 'user' and 'name' to be present";
                }
                if (fi.id() == null || !fi.id().equals(call.frameworkId())) {
                    yield "'update_framework.framework_info.id' must be the calling framework's id";
                }
                yield validateRoles(fi, "update_framework", u.suppressedRoles());
            }
            default -> null;
        };
    }

    /** SUBSCRIBE: a framework info with user and name, an id that agrees, and roles as its capabilities allow. */
    private static String validateSubscribe(Call.Subscribe subscribe, io.pangaea.model.FrameworkId callId) {
        if (subscribe == null) {
            return "Expecting 'subscribe' to be present";
        }
        FrameworkInfo fi = subscribe.frameworkInfo();
        if (fi == null) {
            return "Expecting 'subscribe.framework_info' to be present";
        }
        if (fi.user() == null) {
            return "Missing required field: 'subscribe.framework_info.user'";
        }
        if (fi.name() == null) {
            return "Missing required field: 'subscribe.framework_info.name'";
        }
        if (fi.id() != null && callId != null && !fi.id().equals(callId)) {
            return "'framework_id' differs from 'subscribe.framework_info.id'";
        }
        if (fi.failoverTimeout() != null && (fi.failoverTimeout() < 0 || fi.failoverTimeout().isNaN())) {
            return "'subscribe.framework_info.failover_timeout' must be a non-negative number";
        }
        boolean multiRole = fi.hasCapability(FrameworkInfo.Capability.Type.MULTI_ROLE);
        if (multiRole && fi.role() != null) {
            return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
        }
        if (!multiRole && fi.roles() != null && !fi.roles().isEmpty()) {
            return "'FrameworkInfo.roles' must be empty when the framework is not MULTI_ROLE capable";
        }
        return validateRoles(fi, "subscribe", subscribe.suppressedRoles());
    }

    private static String validateAccept(Call.Accept accept) {
        if (accept.operations() != null) {
            for (Call.Operation op : accept.operations()) {
                if (op == null || op.type() == null) {
                    return "Expecting 'accept.operations[].type' to be present";
                }
                switch (op.type()) {
                    case LAUNCH -> {
                        if (op.launch() == null) {
                            return "Expecting 'accept.operations[].launch' to be present for a LAUNCH operation";
                        }
                    }
                    case LAUNCH_GROUP -> {
                        if (op.launchGroup() == null || op.launchGroup().taskGroup() == null) {
                            return "Expecting 'accept.operations[].launch_group' with a 'task_group' to be present"
                                    + " for a LAUNCH_GROUP operation";
                        }
                    }
                    case CREATE, DESTROY -> {
                        boolean create = op.type() == Call.Operation.Type.CREATE;
                        if (create ? op.create() == null || op.create().volumes() == null
                                : op.destroy() == null || op.destroy().volumes() == null) {
                            String field = create ? "create" : "destroy";
                            return "Expecting 'accept.operations[]." + field + ".volumes' to be present for a "
                                    + op.type() + " operation";
                        }
                    }
                    case GROW_VOLUME -> {
                        if (op.growVolume() == null || op.growVolume().volume() == null
                                || op.growVolume().addition() == null) {
                            return "Expecting 'accept.operations[].grow_volume' with 'volume' and 'addition' to be"
                                    + " present for a GROW_VOLUME operation";
                        }
                    }
                    case SHRINK_VOLUME -> {
                        if (op.shrinkVolume() == null || op.shrinkVolume().volume() == null
                                || op.shrinkVolume().subtract() == null) {
                            return "Expecting 'accept.operations[].shrink_volume' with 'volume' and 'subtract' to be"
                                    + " present for a SHRINK_VOLUME operation";
                        }
                    }
                    case RESERVE -> {
                        if (op.reserve() == null || op.reserve().resources() == null) {
                            return "Expecting 'accept.operations[].reserve.resources' to be present for a RESERVE"
                                    + " operation";
                        }
                    }
                    case UNRESERVE -> {
                        if (op.unreserve() == null || op.unreserve().resources() == null) {
                            return "Expecting 'accept.operations[].unreserve.resources' to be present for an"
                                    + " UNRESERVE operation";
                        }
                    }
                    default -> {
                        return "Offer operation '" + op.type() + "' is not supported by this Pangaea version";
                    }
                }
            }
        }
        if (accept.offerIds() == null) {
            return "Expecting 'accept.offer_ids' to be present";
        }
        return null;
    }

    /** The framework's roles: valid names, no duplicates, and suppressed roles among them. */
    private static String validateRoles(FrameworkInfo fi, String field, java.util.List<String> suppressed) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String role : fi.effectiveRoles()) {
            String bad = validateRole(role);
            if (bad != null) {
                return bad;
            }
            if (!seen.add(role)) {
                return "'FrameworkInfo.roles' contains duplicate items: '" + role + "'";
            }
        }
        if (suppressed != null) {
            for (String role : suppressed) {
                if (!seen.contains(role)) {
                    return "Suppressed role '" + role + "' is not contained in the list of roles ('" + field
                            + ".framework_info.roles')";
                }
            }
        }
        return null;
    }

    private static String uuidProblem(String uuid, String field) {
        try {
            byte[] bytes = Base64.getDecoder().decode(uuid);
            return bytes.length == 16 ? null
                    : "'" + field + "' is not a valid UUID: expected 16 bytes, got " + bytes.length;
        } catch (IllegalArgumentException e) {
            return "'" + field + "' is not valid base64";
        }
    }

    private static String validateAck(Call.Acknowledge ack) {
        if (ack == null) {
            return "Expecting 'acknowledge' to be present";
        }
        if (ack.agentId() == null || ack.taskId() == null || ack.uuid() == null) {
            return "Missing required fields: 'acknowledge.agent_id', 'acknowledge.task_id' and 'acknowledge.uuid'";
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(ack.uuid());
        } catch (IllegalArgumentException e) {
            char bad = ack.uuid().chars().filter(c -> !(Character.isLetterOrDigit(c) || c == '+' || c == '/'
                    || c == '=')).mapToObj(c -> (char) c).findFirst().orElse('?');
            return "Failed to convert JSON into Call protobuf: Failed to base64 decode bytes field 'uuid':"
                    + " Invalid character '" + bad + "'";
        }
        if (bytes.length != 16) {
            return "'acknowledge.uuid' is not a valid UUID: expected 16 bytes, got " + bytes.length;
        }
        return null;
    }

    /** Mesos role names: not empty, not "." or "..", no leading '-', no whitespace, '/' only between parts. */
    public static String validateRole(String role) {
        if (role == null || role.isEmpty()) {
            return "Role name must not be empty";
        }
        if ("*".equals(role)) {
            return null;
        }
        if (role.startsWith("/") || role.endsWith("/") || role.contains("//")) {
            return "Role '" + role + "' must not start or end with '/' or contain empty parts";
        }
        for (String part : role.split("/")) {
            if (part.equals(".") || part.equals("..") || part.startsWith("-")) {
                return "Role '" + role + "' has an invalid part '" + part + "'";
            }
            if (part.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\\' || c == '*' || c < 0x20)) {
                return "Role '" + role + "' contains invalid characters";
            }
        }
        return null;
    }
}
