package io.pangaea.model.scheduler;

import io.pangaea.model.AgentId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskStatus;
import java.util.List;

/** An event on a scheduler's subscription stream. */
public record Event(Type type, Subscribed subscribed, Offers offers, Rescind rescind, Update update,
                    Message message, Failure failure, Error error, UpdateOperationStatus updateOperationStatus) {

    public record UpdateOperationStatus(io.pangaea.model.OperationStatus status) {}

    public enum Type {
        UNKNOWN, SUBSCRIBED, OFFERS, INVERSE_OFFERS, RESCIND, RESCIND_INVERSE_OFFER, UPDATE, UPDATE_OPERATION_STATUS,
        MESSAGE, FAILURE, ERROR, HEARTBEAT
    }

    public record Subscribed(FrameworkId frameworkId, Double heartbeatIntervalSeconds, MasterInfo masterInfo) {}

    public record Offers(List<io.pangaea.model.Offer> offers) {}

    public record Rescind(OfferId offerId) {}

    public record Update(TaskStatus status) {}

    public record Message(AgentId agentId, ExecutorId executorId, String data) {}

    public record Failure(AgentId agentId, ExecutorId executorId, Integer status) {}

    public record Error(String message) {}

    public static final Event HEARTBEAT = new Event(Type.HEARTBEAT, null, null, null, null, null, null, null, null);

    public static Event subscribed(Subscribed s) {
        return new Event(Type.SUBSCRIBED, s, null, null, null, null, null, null, null);
    }

    public static Event offers(List<Offer> offers) {
        return new Event(Type.OFFERS, null, new Offers(offers), null, null, null, null, null, null);
    }

    public static Event rescind(OfferId id) {
        return new Event(Type.RESCIND, null, null, new Rescind(id), null, null, null, null, null);
    }

    public static Event update(TaskStatus status) {
        return new Event(Type.UPDATE, null, null, null, new Update(status), null, null, null, null);
    }

    public static Event error(String message) {
        return new Event(Type.ERROR, null, null, null, null, null, null, new Error(message), null);
    }

    public static Event message(Message m) {
        return new Event(Type.MESSAGE, null, null, null, null, m, null, null, null);
    }

    public static Event failure(Failure f) {
        return new Event(Type.FAILURE, null, null, null, null, null, f, null, null);
    }

    public static Event updateOperationStatus(io.pangaea.model.OperationStatus status) {
        return new Event(Type.UPDATE_OPERATION_STATUS, null, null, null, null, null, null, null,
                new UpdateOperationStatus(status));
    }
}
