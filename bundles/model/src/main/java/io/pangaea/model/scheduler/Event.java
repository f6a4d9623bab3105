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
                    Message message, Failure failure, Error error, UpdateOperationStatus updateOperationStatus,
                    InverseOffers inverseOffers, RescindInverseOffer rescindInverseOffer) {

    /** Asks a framework to give back resources on an agent whose machine is scheduled for maintenance. */
    public record InverseOffer(OfferId id, io.pangaea.model.Url url, FrameworkId frameworkId, AgentId agentId,
                               io.pangaea.model.maintenance.Schedule.Unavailability unavailability) {}

    public record InverseOffers(List<InverseOffer> inverseOffers) {}

    public record RescindInverseOffer(OfferId inverseOfferId) {}

    public static Event inverseOffers(List<InverseOffer> offers) {
        return new Event(Type.INVERSE_OFFERS, null, null, null, null, null, null, null, null,
                new InverseOffers(offers), null);
    }

    public static Event rescindInverseOffer(OfferId id) {
        return new Event(Type.RESCIND_INVERSE_OFFER, null, null, null, null, null, null, null, null, null,
                new RescindInverseOffer(id));
    }

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

    public static final Event HEARTBEAT = new Event(Type.HEARTBEAT, null, null, null, null, null, null, null, null,
            null, null);

    public static Event subscribed(Subscribed s) {
        return new Event(Type.SUBSCRIBED, s, null, null, null, null, null, null, null, null, null);
    }

    public static Event offers(List<Offer> offers) {
        return new Event(Type.OFFERS, null, new Offers(offers), null, null, null, null, null, null, null, null);
    }

    public static Event rescind(OfferId id) {
        return new Event(Type.RESCIND, null, null, new Rescind(id), null, null, null, null, null, null, null);
    }

    public static Event update(TaskStatus status) {
        return new Event(Type.UPDATE, null, null, null, new Update(status), null, null, null, null, null, null);
    }

    public static Event error(String message) {
        return new Event(Type.ERROR, null, null, null, null, null, null, new Error(message), null, null, null);
    }

    public static Event message(Message m) {
        return new Event(Type.MESSAGE, null, null, null, null, m, null, null, null, null, null);
    }

    public static Event failure(Failure f) {
        return new Event(Type.FAILURE, null, null, null, null, null, f, null, null, null, null);
    }

    public static Event updateOperationStatus(io.pangaea.model.OperationStatus status) {
        return new Event(Type.UPDATE_OPERATION_STATUS, null, null, null, null, null, null, null,
                new UpdateOperationStatus(status), null, null);
    }
}
