package io.pangaea.examples.hello;

import io.pangaea.executor.Executor;
import io.pangaea.executor.ExecutorDriver;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The hello framework's custom executor, written with Pangaea's executor library: for each task it reports
 * TASK_RUNNING, sends its framework a greeting as a message, and reports TASK_FINISHED. It runs until the agent
 * shuts it down. The framework starts it with {@code --executor}; the agent fetches this jar into its sandbox.
 */
public final class HelloExecutor implements Executor {

    private final ExecutorService work = Executors.newSingleThreadExecutor();

    @Override
    public void launch(ExecutorDriver driver, TaskInfo task) {
        // tasks run off the driver's thread, which must stay free to read the agent's events
        work.execute(() -> {
            try {
                driver.update(task.taskId(), TaskState.TASK_RUNNING, null, null);
                driver.message(("hello from " + driver.executorId().value() + " running "
                        + task.taskId().value()).getBytes(StandardCharsets.UTF_8));
                driver.update(task.taskId(), TaskState.TASK_FINISHED, "greeted", null);
            } catch (IOException | RuntimeException e) {
                System.err.println("Task " + task.taskId().value() + " failed: " + e);
                fail(driver, task.taskId(), e);
            }
        });
    }

    private static void fail(ExecutorDriver driver, TaskId task, Exception why) {
        try {
            driver.update(task, TaskState.TASK_FAILED, why.toString(), null);
        } catch (IOException | RuntimeException ignored) {
            // the agent reports the task when this executor ends
        }
    }

    @Override
    public void kill(ExecutorDriver driver, TaskId taskId) {
        work.execute(() -> {
            try {
                driver.update(taskId, TaskState.TASK_KILLED, "killed", null);
            } catch (IOException | RuntimeException e) {
                System.err.println("Could not report " + taskId.value() + " killed: " + e);
            }
        });
    }

    @Override
    public void shutdown(ExecutorDriver driver) {
        work.shutdownNow();
    }

    public static void main(String[] args) {
        System.exit(ExecutorDriver.fromEnvironment(new HelloExecutor()).run());
    }
}
