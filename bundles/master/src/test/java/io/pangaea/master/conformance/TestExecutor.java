package io.pangaea.master.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.model.json.RecordIo;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A custom executor run as its own process by the agent under test: it finds the agent through the Mesos
 * environment and speaks the v1 executor API in JSON, as any executor would. What it does with a task is named by
 * the task's {@code data}: {@code finish} (RUNNING then FINISHED), {@code wait} (RUNNING until killed) or
 * {@code crash} (RUNNING, then the process exits with status 3). Its TASK_RUNNING carries the MESOS_* environment
 * it was given (JSON, in {@code data}); a framework message comes back as {@code echo:<message>}.
 */
public final class TestExecutor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static URI endpoint;
    private static String frameworkId;
    private static String executorId;

    public static void main(String[] args) throws Exception {
        endpoint = URI.create("http://" + System.getenv("MESOS_AGENT_ENDPOINT") + "/api/v1/executor");
        frameworkId = System.getenv("MESOS_FRAMEWORK_ID");
        executorId = System.getenv("MESOS_EXECUTOR_ID");
        ObjectNode subscribe = call("SUBSCRIBE");
        subscribe.putObject("subscribe");
        HttpResponse<InputStream> r = HTTP.send(request()
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(subscribe.toString())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            System.err.println("SUBSCRIBE answered " + r.statusCode());
            System.exit(2);
        }
        try (InputStream in = r.body()) {
            byte[] record;
            while ((record = RecordIo.read(in)) != null) {
                JsonNode event = JSON.readTree(record);
                System.out.println("event " + event.path("type").asText());
                switch (event.path("type").asText()) {
                    case "LAUNCH" -> launch(event.at("/launch/task"));
                    case "LAUNCH_GROUP" -> {
                        for (JsonNode t : event.at("/launch_group/task_group/tasks")) {
                            launch(t);
                        }
                    }
                    case "KILL" -> update(event.at("/kill/task_id/value").asText(), "TASK_KILLED", null);
                    case "MESSAGE" -> {
                        String text = new String(Base64.getDecoder().decode(event.at("/message/data").asText()),
                                StandardCharsets.UTF_8);
                        ObjectNode m = call("MESSAGE");
                        m.putObject("message").put("data", Base64.getEncoder().encodeToString(
                                ("echo:" + text).getBytes(StandardCharsets.UTF_8)));
                        post(m);
                    }
                    case "SHUTDOWN" -> System.exit(0);
                    default -> { }
                }
            }
        }
        System.exit(0);
    }

    private static void launch(JsonNode task) throws Exception {
        String id = task.at("/task_id/value").asText();
        String what = new String(Base64.getDecoder().decode(task.path("data").asText("")), StandardCharsets.UTF_8);
        Map<String, String> env = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("MESOS_")) {
                env.put(k, v);
            }
        });
        update(id, "TASK_RUNNING", JSON.writeValueAsBytes(env));
        switch (what) {
            case "finish" -> update(id, "TASK_FINISHED", null);
            case "crash" -> System.exit(3);
            default -> { }
        }
    }

    private static ObjectNode call(String type) {
        ObjectNode c = JSON.createObjectNode().put("type", type);
        c.putObject("framework_id").put("value", frameworkId);
        c.putObject("executor_id").put("value", executorId);
        return c;
    }

    private static void update(String taskId, String state, byte[] data) throws Exception {
        ObjectNode c = call("UPDATE");
        ObjectNode s = c.putObject("update").putObject("status");
        s.putObject("task_id").put("value", taskId);
        s.put("state", state);
        s.put("source", "SOURCE_EXECUTOR");
        UUID u = UUID.randomUUID();
        s.put("uuid", Base64.getEncoder().encodeToString(ByteBuffer.allocate(16)
                .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array()));
        if (data != null) {
            s.put("data", Base64.getEncoder().encodeToString(data));
        }
        post(c);
    }

    private static void post(ObjectNode c) throws Exception {
        HttpResponse<String> r = HTTP.send(request().header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(c.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            System.err.println(c.path("type").asText() + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** A call to the agent, with the token it gave this executor when it gave one (authenticate_http_executors). */
    private static HttpRequest.Builder request() {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint);
        String token = System.getenv("MESOS_EXECUTOR_AUTHENTICATION_TOKEN");
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }
}
