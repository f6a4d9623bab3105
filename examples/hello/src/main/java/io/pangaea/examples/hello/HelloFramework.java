package io.pangaea.examples.hello;

import io.pangaea.model.CommandInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code count} tasks that print a greeting, each with 0.1 cpus and 32 MB, on whatever offers come, and exits
 * once all have ended: 0 if all finished, 1 if some did not, 2 if the master refused the framework.
 *
 * <pre>java -jar pangaea-example-hello-all.jar http://127.0.0.1:5050 5</pre>
 */
public final class HelloFramework implements Scheduler {

    private static final double CPUS = 0.1;
    private static final double MEM = 32;

    private final int count;
    private int launched;
    private final Map<String, TaskState> ended = new ConcurrentHashMap<>();
    private final CountDownLatch allEnded;

    public HelloFramework(int count) {
        this.count = count;
        this.allEnded = new CountDownLatch(count);
    }

    /** How a run ended: the final state of each task. */
    public record Result(Map<String, TaskState> tasks, String refusal) {
        public boolean allFinished() {
            return refusal == null && tasks.values().stream().allMatch(s -> s == TaskState.TASK_FINISHED);
        }
    }

    /** Runs the framework against {@code master} until its tasks end or {@code timeout} passes, then tears down. */
    public static Result run(URI master, int count, Duration timeout) throws InterruptedException {
        HelloFramework hello = new HelloFramework(count);
        FrameworkInfo info = new FrameworkInfo(System.getProperty("user.name", "root"), "hello", null, 0.0, false,
                null, List.of("*"), null, null, null,
                List.of(new FrameworkInfo.Capability(FrameworkInfo.Capability.Type.MULTI_ROLE)), null);
        SchedulerDriver driver = SchedulerDriver.builder(master, info).scheduler(hello).build();
        driver.start();
        boolean done = hello.allEnded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        String refusal = driver.awaitStop(Duration.ZERO);
        try {
            driver.teardown().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already gone
        }
        driver.close();
        if (!done && refusal == null) {
            refusal = "timed out with " + hello.ended.size() + " of " + count + " tasks ended";
        }
        return new Result(Map.copyOf(hello.ended), refusal);
    }

    @Override
    public void offers(SchedulerDriver driver, List<Offer> offers) {
        for (Offer offer : offers) {
            Resources available = Resources.of(offer.resources());
            double cpus = available.scalar("cpus");
            double mem = available.scalar("mem");
            List<TaskInfo> tasks = new ArrayList<>();
            while (launched < count && cpus >= CPUS && mem >= MEM) {
                cpus -= CPUS;
                mem -= MEM;
                String id = "hello-" + (++launched);
                String role = offer.allocationInfo() == null ? "*" : offer.allocationInfo().role();
                tasks.add(new TaskInfo(id, TaskId.of(id), offer.agentId(), List.of(scalar("cpus", CPUS, role),
                        scalar("mem", MEM, role)), null, CommandInfo.shell("echo hello from $MESOS_TASK_ID"),
                        null, null, null, null));
            }
            if (tasks.isEmpty()) {
                driver.decline(List.of(offer.id()), 30);
            } else {
                driver.launch(List.of(offer.id()), tasks, 0);
            }
        }
    }

    private static Resource scalar(String name, double value, String role) {
        return Resources.parse(name + ":" + value).allocatedTo(role).toList().get(0);
    }

    @Override
    public void update(SchedulerDriver driver, TaskStatus status) {
        System.out.println(status.taskId().value() + " " + status.state());
        if (status.state().isTerminal() && ended.putIfAbsent(status.taskId().value(), status.state()) == null) {
            allEnded.countDown();
        }
    }

    @Override
    public void error(SchedulerDriver driver, String message) {
        System.err.println("Refused by the master: " + message);
        while (allEnded.getCount() > 0) {
            allEnded.countDown();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HelloFramework <master url, e.g. http://127.0.0.1:5050> [tasks, default 5]");
            System.exit(64);
        }
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Result r = run(URI.create(args[0]), count, Duration.ofMinutes(5));
        System.out.println(r.tasks().size() + " tasks ended: " + r.tasks());
        System.exit(r.refusal() != null && r.tasks().isEmpty() ? 2 : r.allFinished() ? 0 : 1);
    }
}
