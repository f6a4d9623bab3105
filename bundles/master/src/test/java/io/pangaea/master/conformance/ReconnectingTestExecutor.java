package io.pangaea.master.conformance;

import io.pangaea.executor.Executor;
import io.pangaea.executor.ExecutorDriver;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A custom executor built on Pangaea's executor library, which subscribes again when its agent restarts (as Mesos's
 * executor libraries do when their framework checkpoints). Each task runs until it is killed; its TASK_RUNNING
 * carries the executor's pid, so that a test can tell the same process from a new one.
 */
public final class ReconnectingTestExecutor implements Executor {

    @Override
    public void launch(ExecutorDriver driver, TaskInfo task) {
        send(driver, task.taskId(), TaskState.TASK_RUNNING,
                Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void kill(ExecutorDriver driver, TaskId taskId) {
        send(driver, taskId, TaskState.TASK_KILLED, null);
    }

    private static void send(ExecutorDriver driver, TaskId task, TaskState state, byte[] data) {
        try {
            driver.update(task, state, null, data);
        } catch (IOException e) {
            // the driver keeps it and sends it again once subscribed
            System.err.println("update of " + task.value() + " not sent yet: " + e);
        }
    }

    public static void main(String[] args) {
        System.exit(ExecutorDriver.fromEnvironment(new ReconnectingTestExecutor()).run());
    }
}
