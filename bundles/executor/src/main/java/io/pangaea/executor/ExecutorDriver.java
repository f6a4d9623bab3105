package io.pangaea.executor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Durations;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.TaskGroupInfo;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.MesosJsonException;
import io.pangaea.model.json.RecordIo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's side of the v1 executor HTTP API: subscribes to the agent, hands the events to an
 * {@link Executor}, and sends its status updates (each with a fresh uuid, kept until the framework acknowledges it)
 * and messages. When the connection breaks (the agent restarts, say) it subscribes again within the recovery
 * timeout, telling the agent the tasks and updates not yet acknowledged, as Mesos's executors do.
 *
 * <pre>
 * public static void main(String[] args) {
 *     System.exit(ExecutorDriver.fromEnvironment(new MyExecutor()).run());
 * }
 * </pre>
 */
public final class ExecutorDriver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorDriver.class);
    private static final ObjectMapper JSON = MesosJson.mapper();

    private final URI endpoint;
    private final FrameworkId frameworkId;
    private final ExecutorId executorId;
    private final Executor executor;
    private final Duration recoveryTimeout;
    private final Duration backoffMax;
    /** HTTP/1.1 said outright, as in the scheduler library: connections asked for an h2c upgrade are not reused. */
    private volatile HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** Tasks given to this executor whose terminal update is not yet acknowledged. */
    private final Map<TaskId, TaskInfo> unacknowledgedTasks = new LinkedHashMap<>();
    /** Updates sent and not yet acknowledged, by uuid. */
    private final Map<String, ObjectNode> unacknowledgedUpdates = new LinkedHashMap<>();
    private volatile InputStream stream;
    private volatile boolean stopped;
    /** The token the agent gave this executor ({@code MESOS_EXECUTOR_AUTHENTICATION_TOKEN}), sent with each call. */
    private volatile String token;

    public ExecutorDriver(URI agent, FrameworkId frameworkId, ExecutorId executorId, Executor executor,
                          Duration recoveryTimeout, Duration backoffMax) {
        this.endpoint = agent.resolve("/api/v1/executor");
        this.frameworkId = frameworkId;
        this.executorId = executorId;
        this.executor = executor;
        this.recoveryTimeout = recoveryTimeout;
        this.backoffMax = backoffMax;
    }

    /**
     * A driver set up from the environment the agent gives an executor: {@code MESOS_AGENT_ENDPOINT},
     * {@code MESOS_FRAMEWORK_ID}, {@code MESOS_EXECUTOR_ID}, and {@code MESOS_RECOVERY_TIMEOUT} and
     * {@code MESOS_SUBSCRIPTION_BACKOFF_MAX} when set.
     *
     * @throws IllegalStateException naming a variable that is missing
     */
    public static ExecutorDriver fromEnvironment(Executor executor) {
        return fromEnvironment(executor, System::getenv);
    }

    static ExecutorDriver fromEnvironment(Executor executor, Function<String, String> env) {
        String agent = required(env, "MESOS_AGENT_ENDPOINT");
        String recovery = env.apply("MESOS_RECOVERY_TIMEOUT");
        String backoff = env.apply("MESOS_SUBSCRIPTION_BACKOFF_MAX");
        boolean tls = "true".equalsIgnoreCase(env.apply("LIBPROCESS_SSL_ENABLED"))
                || "1".equals(env.apply("LIBPROCESS_SSL_ENABLED"));
        ExecutorDriver d = new ExecutorDriver(URI.create((tls ? "https://" : "http://") + agent), FrameworkId.of(required(env, "MESOS_FRAMEWORK_ID")),
                ExecutorId.of(required(env, "MESOS_EXECUTOR_ID")), executor,
                recovery == null ? Duration.ofMinutes(15) : Durations.parse("MESOS_RECOVERY_TIMEOUT", recovery),
                backoff == null ? Duration.ofSeconds(2) : Durations.parse("MESOS_SUBSCRIPTION_BACKOFF_MAX", backoff));
        d.token(env.apply("MESOS_EXECUTOR_AUTHENTICATION_TOKEN"));
        if (tls) {
            // the agent's CA, and its certificate when the agent asks executors for one
            d.sslContext(io.pangaea.model.tls.TlsFiles.clientContext(blankToEmpty(env.apply(
                    "LIBPROCESS_SSL_CERT_FILE")), blankToEmpty(env.apply("LIBPROCESS_SSL_KEY_FILE")), "", new char[0],
                    blankToEmpty(env.apply("LIBPROCESS_SSL_CA_FILE"))));
        }
        return d;
    }

    private static String blankToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Calls the agent over TLS with this context (an agent with {@code ssl_enabled}). */
    public ExecutorDriver sslContext(javax.net.ssl.SSLContext context) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).sslContext(context).build();
        return this;
    }

    /**
     * The token an agent with {@code authenticate_http_executors} gave this executor; each call carries it as
     * {@code Authorization: Bearer}. Null or blank: none.
     */
    public ExecutorDriver token(String token) {
        this.token = token == null || token.isBlank() ? null : token;
        return this;
    }

    private HttpRequest.Builder request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json");
        String t = token;
        return t == null ? b : b.header("Authorization", "Bearer " + t);
    }

    private static String required(Function<String, String> env, String name) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(name + " is not set: an executor is started by an agent, which sets it");
        }
        return v;
    }

    public FrameworkId frameworkId() {
        return frameworkId;
    }

    public ExecutorId executorId() {
        return executorId;
    }

    /**
     * Subscribes and handles events until SHUTDOWN (or {@link #stop}); returns the process's exit status: 0 then,
     * 1 when the agent refused the executor or could not be reached again within the recovery timeout.
     */
    public int run() {
        long lostSince = 0;
        long backoff = 100;
        boolean reconnected = false;
        while (!stopped) {
            try {
                if (subscribeOnce(reconnected)) {
                    return 1;
                }
                if (stopped) {
                    return 0;
                }
                lostSince = 0;
                backoff = 100;
                reconnected = true;
                LOG.info("Agent stream ended; subscribing again");
            } catch (IOException e) {
                if (stopped) {
                    return 0;
                }
                long now = System.nanoTime();
                lostSince = lostSince == 0 ? now : lostSince;
                if (now - lostSince > recoveryTimeout.toNanos()) {
                    LOG.error("The agent has not come back within {}; giving up", recoveryTimeout);
                    return 1;
                }
                LOG.info("Agent unreachable ({}); trying again", e.toString());
                reconnected = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
            backoff = Math.min(backoffMax.toMillis(), backoff * 2);
        }
        return 0;
    }

    /** One subscription until its stream ends; true when the agent refused the executor for good. */
    private boolean subscribeOnce(boolean reconnected) throws IOException, InterruptedException {
        ObjectNode call = call("SUBSCRIBE");
        ObjectNode sub = call.putObject("subscribe");
        synchronized (this) {
            ArrayNode tasks = sub.putArray("unacknowledged_tasks");
            unacknowledgedTasks.values().forEach(t -> tasks.add(MesosJson.tree(t)));
            ArrayNode updates = sub.putArray("unacknowledged_updates");
            unacknowledgedUpdates.values().forEach(u -> updates.add(u.deepCopy()));
        }
        HttpResponse<InputStream> r = http.send(request().header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body = new String(r.body().readNBytes(4096), StandardCharsets.UTF_8);
            r.body().close();
            if (r.statusCode() >= 400 && r.statusCode() < 500) {
                LOG.error("The agent refused the executor: {} {}", r.statusCode(), body);
                return true;
            }
            throw new IOException("SUBSCRIBE answered " + r.statusCode() + ": " + body);
        }
        try (InputStream in = r.body()) {
            stream = in;
            byte[] record;
            while (!stopped && (record = RecordIo.read(in)) != null) {
                handle(JSON.readTree(record), reconnected);
            }
        } finally {
            stream = null;
        }
        return false;
    }

    private void handle(JsonNode event, boolean reconnected) throws IOException {
        try {
            switch (event.path("type").asText()) {
                case "SUBSCRIBED" -> {
                    JsonNode s = event.path("subscribed");
                    executor.subscribed(this, read(s.path("executor_info"), ExecutorInfo.class),
                            read(s.path("framework_info"), FrameworkInfo.class),
                            read(s.path("agent_info"), AgentInfo.class), reconnected);
                }
                case "LAUNCH" -> {
                    TaskInfo task = read(event.at("/launch/task"), TaskInfo.class);
                    synchronized (this) {
                        unacknowledgedTasks.put(task.taskId(), task);
                    }
                    executor.launch(this, task);
                }
                case "LAUNCH_GROUP" -> {
                    TaskGroupInfo group = read(event.at("/launch_group/task_group"), TaskGroupInfo.class);
                    synchronized (this) {
                        group.tasks().forEach(t -> unacknowledgedTasks.put(t.taskId(), t));
                    }
                    executor.launchGroup(this, group);
                }
                case "KILL" -> executor.kill(this, TaskId.of(event.at("/kill/task_id/value").asText()));
                case "ACKNOWLEDGED" -> {
                    TaskId task = TaskId.of(event.at("/acknowledged/task_id/value").asText());
                    String uuid = event.at("/acknowledged/uuid").asText();
                    synchronized (this) {
                        ObjectNode u = unacknowledgedUpdates.remove(uuid);
                        if (u != null && TaskState.valueOf(u.at("/status/state").asText()).isTerminal()) {
                            unacknowledgedTasks.remove(task);
                        }
                    }
                    executor.acknowledged(this, task, uuid);
                }
                case "MESSAGE" -> executor.message(this,
                        Base64.getDecoder().decode(event.at("/message/data").asText()));
                case "SHUTDOWN" -> {
                    executor.shutdown(this);
                    stop();
                }
                case "ERROR" -> executor.error(this, event.at("/error/message").asText());
                default -> { } // HEARTBEAT, and event types newer than this driver
            }
        } catch (MesosJsonException e) {
            throw new IOException("Malformed " + event.path("type").asText() + " event: " + e.getMessage(), e);
        }
    }

    private static <T> T read(JsonNode node, Class<T> type) throws MesosJsonException {
        return MesosJson.read(MesosJson.write(node), type);
    }

    private ObjectNode call(String type) {
        ObjectNode c = JSON.createObjectNode();
        c.putObject("executor_id").put("value", executorId.value());
        c.putObject("framework_id").put("value", frameworkId.value());
        c.put("type", type);
        return c;
    }

    /**
     * Reports a task's state to its framework (reliably: the agent keeps it until the framework acknowledges it,
     * and this driver tells a new subscription of it). Returns the update's uuid.
     *
     * @throws IllegalArgumentException with the agent's reason when it refuses the update
     * @throws IOException when the agent cannot be reached (the update is sent again on re-subscription)
     */
    public String update(TaskId task, TaskState state, String message, byte[] data) throws IOException {
        UUID u = UUID.randomUUID();
        String uuid = Base64.getEncoder().encodeToString(ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
        ObjectNode call = call("UPDATE");
        ObjectNode update = call.putObject("update");
        ObjectNode status = update.putObject("status");
        status.putObject("task_id").put("value", task.value());
        status.put("state", state.name());
        status.put("source", "SOURCE_EXECUTOR");
        status.putObject("executor_id").put("value", executorId.value());
        status.put("uuid", uuid);
        status.put("timestamp", System.currentTimeMillis() / 1000.0);
        if (message != null) {
            status.put("message", message);
        }
        if (data != null) {
            status.put("data", Base64.getEncoder().encodeToString(data));
        }
        synchronized (this) {
            unacknowledgedUpdates.put(uuid, update.deepCopy());
        }
        post(call);
        return uuid;
    }

    /** Sends a message to the framework (not retried: messages may be lost, as in Mesos). */
    public void message(byte[] data) throws IOException {
        ObjectNode call = call("MESSAGE");
        call.putObject("message").put("data", Base64.getEncoder().encodeToString(data));
        post(call);
    }

    private void post(ObjectNode call) throws IOException {
        HttpResponse<String> r;
        try {
            r = http.send(request().timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() >= 400 && r.statusCode() < 500) {
            throw new IllegalArgumentException(call.path("type").asText() + " refused (" + r.statusCode() + "): "
                    + r.body());
        }
        if (r.statusCode() != 202) {
            throw new IOException(call.path("type").asText() + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** The tasks this executor was given whose end the framework has not acknowledged yet. */
    public synchronized Map<TaskId, TaskInfo> unacknowledgedTasks() {
        return Map.copyOf(unacknowledgedTasks);
    }

    /** Ends {@link #run}: the stream is closed and run returns 0. */
    public void stop() {
        stopped = true;
        InputStream s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
