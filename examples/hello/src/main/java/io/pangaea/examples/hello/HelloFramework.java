package io.pangaea.examples.hello;

import io.pangaea.model.CommandInfo;
import io.pangaea.model.ExecutorInfo;
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
 * once all have ended: 0 if all finished, 1 if some did not, 2 if the master refused the framework. With
 * {@code --executor} the tasks run under {@link HelloExecutor}, a custom executor that greets the framework with a
 * message for each task; the agent fetches this jar (from where it runs: a local cluster) and starts it with this
 * JVM's {@code java}.
 *
 * <pre>java -jar pangaea-example-hello-all.jar http://127.0.0.1:5050 5 [--executor]</pre>
 */
public final class HelloFramework implements Scheduler {

    private static final double CPUS = 0.1;
    private static final double MEM = 32;

    private final int count;
    private final ExecutorInfo executor;
    private int launched;
    private final List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, TaskState> ended = new ConcurrentHashMap<>();
    private final CountDownLatch allEnded;
    /** One greeting per task from the executor, when there is one. */
    private final CountDownLatch greeted;

    public HelloFramework(int count, ExecutorInfo executor) {
        this.count = count;
        this.executor = executor;
        this.allEnded = new CountDownLatch(count);
        this.greeted = new CountDownLatch(executor == null ? 0 : count);
    }

    /**
     * The custom executor: {@link HelloExecutor} in this jar, fetched into the sandbox (not extracted) and run with
     * this JVM's {@code java}, with 0.1 cpus and 96 MB of its own.
     */
    static ExecutorInfo helloExecutor() throws java.net.URISyntaxException {
        java.nio.file.Path jar = java.nio.file.Path.of(HelloExecutor.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        CommandInfo command = new CommandInfo(List.of(new io.pangaea.model.CommandUri(jar.toUri().toString(), false,
                false, false, "hello.jar")), null, true, "exec '" + javaBin + "' -Xmx32m -XX:TieredStopAtLevel=1 -cp hello.jar "
                + HelloExecutor.class.getName(), null, null);
        return new ExecutorInfo(ExecutorInfo.Type.CUSTOM, io.pangaea.model.ExecutorId.of("hello-executor"), null,
                command, null, List.of(Resource.scalar("cpus", CPUS), Resource.scalar("mem", 96)), "hello executor",
                "hello", null, null, null);
    }

    /** How a run ended: the final state of each task, and the executor's messages. */
    public record Result(Map<String, TaskState> tasks, String refusal, List<String> messages) {
        public boolean allFinished() {
            return refusal == null && tasks.values().stream().allMatch(s -> s == TaskState.TASK_FINISHED);
        }
    }

    /** Runs the framework against {@code master} until its tasks end or {@code timeout} passes, then tears down. */
    public static Result run(URI master, int count, Duration timeout) throws InterruptedException {
        return run(master, count, timeout, null);
    }

    /** As {@link #run(URI, int, Duration)}, with the tasks under {@code executor} when it is not null. */
    public static Result run(URI master, int count, Duration timeout, ExecutorInfo executor)
            throws InterruptedException {
        return run(master, count, timeout, executor, Security.NONE);
    }

    /**
     * How the framework identifies itself and whom it trusts, as Mesos's example frameworks take it from their
     * environment: {@code MESOS_AUTHENTICATE} with {@code DEFAULT_PRINCIPAL} and {@code DEFAULT_SECRET} (HTTP Basic
     * credentials; the principal is also the framework's), {@code DEFAULT_PRINCIPAL} alone for a principal without
     * credentials, and {@code LIBPROCESS_SSL_CA_FILE}, the CA an {@code https://} master's certificate is signed by.
     */
    public record Security(String principal, String secret, String caFile) {
        public static final Security NONE = new Security(null, null, null);

        public static Security fromEnvironment(java.util.function.Function<String, String> env) {
            boolean authenticate = "true".equalsIgnoreCase(env.apply("MESOS_AUTHENTICATE"))
                    || "1".equals(env.apply("MESOS_AUTHENTICATE"));
            String principal = env.apply("DEFAULT_PRINCIPAL");
            if (authenticate && (principal == null || env.apply("DEFAULT_SECRET") == null)) {
                throw new IllegalArgumentException("MESOS_AUTHENTICATE is set: DEFAULT_PRINCIPAL and DEFAULT_SECRET"
                        + " are needed");
            }
            return new Security(principal, authenticate ? env.apply("DEFAULT_SECRET") : null,
                    env.apply("LIBPROCESS_SSL_CA_FILE"));
        }
    }

    /** As {@link #run(URI, int, Duration, ExecutorInfo)}, as {@code security} says. */
    public static Result run(URI master, int count, Duration timeout, ExecutorInfo executor, Security security)
            throws InterruptedException {
        HelloFramework hello = new HelloFramework(count, executor);
        FrameworkInfo info = new FrameworkInfo(System.getProperty("user.name", "root"), "hello", null, 0.0, false,
                null, List.of("*"), null, security.principal(), null,
                List.of(new FrameworkInfo.Capability(FrameworkInfo.Capability.Type.MULTI_ROLE)), null);
        SchedulerDriver.Builder builder = SchedulerDriver.builder(master, info).scheduler(hello);
        if (security.secret() != null) {
            builder.credential(security.principal(), security.secret());
        }
        if (security.caFile() != null && !security.caFile().isBlank()) {
            builder.trust(java.nio.file.Path.of(security.caFile()));
        }
        SchedulerDriver driver = builder.build();
        driver.start();
        boolean done = hello.allEnded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (done) {
            // an executor's message and its task's last update travel apart (Mesos delivers framework messages at
            // most once, and not in order with updates): they are given a few seconds to come
            hello.greeted.await(10, TimeUnit.SECONDS);
        }
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
        return new Result(Map.copyOf(hello.ended), refusal, List.copyOf(hello.messages));
    }

    @Override
    public void offers(SchedulerDriver driver, List<Offer> offers) {
        for (Offer offer : offers) {
            Resources available = Resources.of(offer.resources());
            double cpus = available.scalar("cpus");
            double mem = available.scalar("mem");
            List<TaskInfo> tasks = new ArrayList<>();
            if (executor != null && launched == 0) {
                // the executor's own resources, taken once on the agent where it starts
                cpus -= CPUS;
                mem -= 96;
            }
            while (launched < count && cpus >= CPUS && mem >= MEM) {
                cpus -= CPUS;
                mem -= MEM;
                String id = "hello-" + (++launched);
                String role = offer.allocationInfo() == null ? "*" : offer.allocationInfo().role();
                List<Resource> resources = List.of(scalar("cpus", CPUS, role), scalar("mem", MEM, role));
                tasks.add(executor == null
                        ? new TaskInfo(id, TaskId.of(id), offer.agentId(), resources, null,
                                CommandInfo.shell("echo hello from $MESOS_TASK_ID"), null, null, null, null)
                        : new TaskInfo(id, TaskId.of(id), offer.agentId(), resources, withRole(executor, role),
                                null, null, null, null, null));
            }
            if (tasks.isEmpty()) {
                driver.decline(List.of(offer.id()), 30);
            } else {
                driver.launch(List.of(offer.id()), tasks, 0);
            }
        }
    }

    private static ExecutorInfo withRole(ExecutorInfo e, String role) {
        return new ExecutorInfo(e.type(), e.executorId(), e.frameworkId(), e.command(), e.container(),
                Resources.of(e.resources()).allocatedTo(role).toList(), e.name(), e.source(), e.data(), e.labels(),
                e.shutdownGracePeriod());
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
    public void message(SchedulerDriver driver, io.pangaea.model.AgentId agentId, io.pangaea.model.ExecutorId executorId,
                        byte[] data) {
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        System.out.println("message from " + executorId.value() + ": " + text);
        messages.add(text);
        greeted.countDown();
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
            System.err.println("usage: HelloFramework <master url, e.g. http://127.0.0.1:5050> [tasks, default 5]"
                    + " [--executor]\n  environment: MESOS_AUTHENTICATE=true DEFAULT_PRINCIPAL DEFAULT_SECRET"
                    + " (credentials), LIBPROCESS_SSL_CA_FILE (an https:// master's CA)");
            System.exit(64);
        }
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean withExecutor = args.length > 2 && args[2].equals("--executor");
        Result r = run(URI.create(args[0]), count, Duration.ofMinutes(5), withExecutor ? helloExecutor() : null,
                Security.fromEnvironment(System::getenv));
        System.out.println(r.tasks().size() + " tasks ended: " + r.tasks());
        System.exit(r.refusal() != null && r.tasks().isEmpty() ? 2 : r.allFinished() ? 0 : 1);
    }
}
