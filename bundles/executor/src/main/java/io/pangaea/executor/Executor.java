package io.pangaea.executor;

import io.pangaea.model.AgentInfo;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;

/**
 * What a custom executor does with the agent's events. Callbacks run one at a time, on the driver's thread, in the
 * order the events came; a callback may call the driver. Every method has an empty default, except that
 * {@link #shutdown} by default lets the driver stop.
 */
public interface Executor {

    /** Subscribed (again, when {@code reconnected}) to the agent. */
    default void subscribed(ExecutorDriver driver, ExecutorInfo executor, FrameworkInfo framework, AgentInfo agent,
                            boolean reconnected) {
    }

    /** A task to run; the executor reports it with {@link ExecutorDriver#update}. */
    default void launch(ExecutorDriver driver, TaskInfo task) {
    }

    /** Tasks to run together. By default each is given to {@link #launch}. */
    default void launchGroup(ExecutorDriver driver, TaskGroupInfo group) {
        group.tasks().forEach(t -> launch(driver, t));
    }

    /** The framework wants the task killed; the executor ends it and reports TASK_KILLED. */
    default void kill(ExecutorDriver driver, TaskId taskId) {
    }

    /** The framework acknowledged an update this executor sent. */
    default void acknowledged(ExecutorDriver driver, TaskId taskId, String uuid) {
    }

    /** A message from the framework. */
    default void message(ExecutorDriver driver, byte[] data) {
    }

    /** The agent asks the executor to end: kill its tasks and return; the driver then stops. */
    default void shutdown(ExecutorDriver driver) {
    }

    /** The agent reported an error. */
    default void error(ExecutorDriver driver, String message) {
    }
}
