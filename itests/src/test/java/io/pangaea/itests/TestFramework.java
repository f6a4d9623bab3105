package io.pangaea.itests;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A Mesos v1 HTTP scheduler written against the wire format only (plain JSON trees, no Pangaea classes), the way
 * a framework in another language would be. It acknowledges every update that carries a uuid, as the Mesos
 * scheduler library does.
 */
public final class TestFramework implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String master;
    public final List<JsonNode> events = new CopyOnWriteArrayList<>();
    /** When each event of {@link #events} arrived, in epoch seconds (same index). */
    public final List<Double> arrivals = new CopyOnWriteArrayList<>();
    private volatile InputStream stream;
    public volatile String frameworkId;
    public volatile String streamId;
    private final Thread reader;

    public TestFramework(String masterUrl, String name) throws Exception {
        this(masterUrl, name, null);
    }

    /** A framework in {@code role} (null: the default role). */
    public TestFramework(String masterUrl, String name, String role) throws Exception {
        this(masterUrl, name, role, List.of());
    }

    /** A framework in {@code role} (null: the default role) with these capabilities (e.g. PARTITION_AWARE). */
    public TestFramework(String masterUrl, String name, String role, List<String> capabilities) throws Exception {
        this(masterUrl, name, role, capabilities, false);
    }

    /** ... and {@code checkpoint}: its tasks outlive a restart of their agent, which recovers them. */
    public TestFramework(String masterUrl, String name, String role, List<String> capabilities, boolean checkpoint)
            throws Exception {
        this.master = masterUrl;
        ObjectNode call = JSON.createObjectNode().put("type", "SUBSCRIBE");
        ObjectNode info = call.putObject("subscribe").putObject("framework_info").put("user", "root").put("name", name);
        if (role != null) {
            info.put("role", role);
        }
        if (checkpoint) {
            info.put("checkpoint", true);
        }
        if (!capabilities.isEmpty()) {
            ArrayNode caps = info.putArray("capabilities");
            capabilities.forEach(c -> caps.addObject().put("type", c));
        }
        HttpResponse<InputStream> r = HTTP.send(request(call).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("SUBSCRIBE answered " + r.statusCode());
        }
        streamId = r.headers().firstValue("Mesos-Stream-Id").orElseThrow();
        stream = new BufferedInputStream(r.body());
        reader = new Thread(this::read, "test-framework-" + name);
        reader.setDaemon(true);
        reader.start();
        JsonNode subscribed = await("SUBSCRIBED", e -> e.path("type").asText().equals("SUBSCRIBED"));
        frameworkId = subscribed.at("/subscribed/framework_id/value").asText();
    }

    private HttpRequest.Builder request(JsonNode call) throws IOException {
        return HttpRequest.newBuilder(URI.create(master + "/api/v1/scheduler"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call)));
    }

    private void read() {
        try {
            while (true) {
                StringBuilder len = new StringBuilder();
                int c;
                while ((c = stream.read()) != '\n') {
                    if (c < 0) {
                        return;
                    }
                    len.append((char) c);
                }
                byte[] rec = stream.readNBytes(Integer.parseInt(len.toString()));
                JsonNode e = JSON.readTree(rec);
                arrivals.add(System.currentTimeMillis() / 1000.0);
                events.add(e);
                JsonNode status = e.at("/update/status");
                if (e.path("type").asText().equals("UPDATE") && status.has("uuid")) {
                    ObjectNode ack = call("ACKNOWLEDGE");
                    ack.putObject("acknowledge").put("uuid", status.get("uuid").asText())
                            .set("task_id", status.get("task_id"));
                    ((ObjectNode) ack.get("acknowledge")).set("agent_id", status.get("agent_id"));
                    // Asynchronously, as Mesos's scheduler driver does: the stream is never held up by an ack.
                    HTTP.sendAsync(request(ack).header("Mesos-Stream-Id", streamId).build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }
        } catch (Exception e) {
            // stream closed
        }
    }

    public ObjectNode call(String type) {
        ObjectNode c = JSON.createObjectNode().put("type", type);
        c.putObject("framework_id").put("value", frameworkId);
        return c;
    }

    public HttpResponse<String> post(JsonNode call) throws IOException, InterruptedException {
        return HTTP.send(request(call).header("Mesos-Stream-Id", streamId).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public JsonNode await(String what, Predicate<JsonNode> p) {
        return await(what, p, Duration.ofSeconds(60));
    }

    public JsonNode await(String what, Predicate<JsonNode> p, Duration timeout) {
        return org.awaitility.Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> events.stream().filter(p).findFirst().orElse(null), x -> x != null);
    }

    /** The next OFFERS event's offers that arrived after {@code after} events. */
    public JsonNode nextOffer(int after) {
        return org.awaitility.Awaitility.await("an offer").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    for (int i = after; i < events.size(); i++) {
                        JsonNode e = events.get(i);
                        if (e.path("type").asText().equals("OFFERS")) {
                            return e.at("/offers/offers/0");
                        }
                    }
                    return null;
                }, x -> x != null);
    }

    /** ACCEPT one offer with command tasks {@code (id, shell command)} of the given cpus and mem each. */
    public HttpResponse<String> launch(JsonNode offer, double cpus, double mem, String... idAndCommand)
            throws Exception {
        ObjectNode accept = call("ACCEPT");
        ObjectNode a = accept.putObject("accept");
        a.putArray("offer_ids").add(offer.get("id"));
        ArrayNode tasks = a.putArray("operations").addObject().put("type", "LAUNCH").putObject("launch")
                .putArray("task_infos");
        for (int i = 0; i < idAndCommand.length; i += 2) {
            ObjectNode t = tasks.addObject().put("name", idAndCommand[i]);
            t.putObject("task_id").put("value", idAndCommand[i]);
            t.set("agent_id", offer.get("agent_id"));
            t.putObject("command").put("value", idAndCommand[i + 1]);
            ArrayNode res = t.putArray("resources");
            res.addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar").put("value", cpus);
            res.addObject().put("name", "mem").put("type", "SCALAR").putObject("scalar").put("value", mem);
        }
        a.putObject("filters").put("refuse_seconds", 0.0);
        return post(accept);
    }

    /**
     * ACCEPT one offer with one command task of 0.1 cpus and 64 mem; {@code customize} may add to the TaskInfo (a
     * container, labels).
     */
    public HttpResponse<String> launchTask(JsonNode offer, String id, String command,
                                           java.util.function.Consumer<ObjectNode> customize) throws Exception {
        ObjectNode accept = call("ACCEPT");
        ObjectNode a = accept.putObject("accept");
        a.putArray("offer_ids").add(offer.get("id"));
        ObjectNode t = a.putArray("operations").addObject().put("type", "LAUNCH").putObject("launch")
                .putArray("task_infos").addObject().put("name", id);
        t.putObject("task_id").put("value", id);
        t.set("agent_id", offer.get("agent_id"));
        t.putObject("command").put("value", command);
        ArrayNode res = t.putArray("resources");
        res.addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar").put("value", 0.1);
        res.addObject().put("name", "mem").put("type", "SCALAR").putObject("scalar").put("value", 64);
        customize.accept(t);
        a.putObject("filters").put("refuse_seconds", 0.0);
        return post(accept);
    }

    /** Makes a TaskInfo a Docker one from {@code image}, network NONE. */
    public static void docker(ObjectNode task, String image) {
        ObjectNode c = task.putObject("container").put("type", "DOCKER");
        c.putObject("docker").put("image", image).put("network", "NONE");
    }

    public JsonNode terminalUpdate(String taskId) {
        return await("terminal update of " + taskId, e -> e.path("type").asText().equals("UPDATE")
                && e.at("/update/status/task_id/value").asText().equals(taskId)
                && List.of("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST")
                .contains(e.at("/update/status/state").asText()));
    }

    public boolean hasUpdate(String taskId, String state) {
        return events.stream().anyMatch(e -> e.path("type").asText().equals("UPDATE")
                && e.at("/update/status/task_id/value").asText().equals(taskId)
                && e.at("/update/status/state").asText().equals(state));
    }

    /** DECLINE {@code offer}, refusing its agent's resources for {@code refuseSeconds}. */
    public HttpResponse<String> decline(JsonNode offer, double refuseSeconds) throws Exception {
        ObjectNode decline = call("DECLINE");
        ObjectNode d = decline.putObject("decline");
        d.putArray("offer_ids").add(offer.get("id"));
        d.putObject("filters").put("refuse_seconds", refuseSeconds);
        return post(decline);
    }

    public void teardown() throws Exception {
        post(call("TEARDOWN"));
    }

    @Override
    public void close() throws Exception {
        InputStream s = stream;
        if (s != null) {
            s.close();
        }
    }
}
