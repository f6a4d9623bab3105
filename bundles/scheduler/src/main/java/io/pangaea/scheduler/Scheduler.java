package io.pangaea.scheduler;

import io.pangaea.model.AgentId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskStatus;
import java.util.List;

/**
 * What a framework does with the master's events. All callbacks of one driver run on one thread, in the order the
 * events arrived; a callback may call the driver. Every method has an empty default.
 */
public interface Scheduler {

    /** Subscribed (again, after a failover or reconnection: {@code reconnected} is true and the id is the same). */
    default void subscribed(SchedulerDriver driver, FrameworkId frameworkId, MasterInfo master, boolean reconnected) {
    }

    /** New offers. Answer each with {@link SchedulerDriver#accept} or {@link SchedulerDriver#decline}. */
    default void offers(SchedulerDriver driver, List<Offer> offers) {
    }

    /** An offer is no longer valid. */
    default void rescind(SchedulerDriver driver, OfferId offerId) {
    }

    /**
     * A task's status changed. When the driver acknowledges automatically (the default), the acknowledgement is
     * sent after this returns.
     */
    default void update(SchedulerDriver driver, TaskStatus status) {
    }

    /** A message from an executor. {@code data} is the raw bytes. */
    default void message(SchedulerDriver driver, AgentId agentId, ExecutorId executorId, byte[] data) {
    }

    /** An agent or executor failed. */
    default void failure(SchedulerDriver driver, AgentId agentId, ExecutorId executorId, Integer status) {
    }

    /** The connection is gone; the driver subscribes again by itself. */
    default void disconnected(SchedulerDriver driver) {
    }

    /** The master refused the framework (ERROR event, or a 4xx to SUBSCRIBE). The driver stops. */
    default void error(SchedulerDriver driver, String message) {
    }
}
