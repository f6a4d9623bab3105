package io.pangaea.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.mesos.v1.Protos;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A framework speaking only {@code application/x-protobuf}, with Mesos 1.11's own generated v1 messages, against the
 * built distributions: it subscribes, gets offers, launches a task and acknowledges its updates until
 * TASK_FINISHED; the operator API answers protobuf too; a body that is not a Call gets a 400 saying so.
 */
public class ProtobufSchedulerIT {

    private static final String PROTOBUF = "application/x-protobuf";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:2;mem:1024;disk:1024;ports:[31000-31100]");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<byte[]> post(String path, String contentType, String accept, byte[] body,
                                             String streamId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.masterUrl() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (streamId != null) {
            b.header("Mesos-Stream-Id", streamId);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    public void aProtobufFrameworkRunsATaskToFinished() throws Exception {
        Call subscribe = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
                .setFrameworkInfo(Protos.FrameworkInfo.newBuilder().setUser("root").setName("protobuf")
                        .addRoles("*").addCapabilities(Protos.FrameworkInfo.Capability.newBuilder()
                                .setType(Protos.FrameworkInfo.Capability.Type.MULTI_ROLE)))).build();
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.masterUrl()
                        + "/api/v1/scheduler")).header("Content-Type", PROTOBUF).header("Accept", PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofByteArray(subscribe.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(PROTOBUF, r.headers().firstValue("Content-Type").orElse(""));
        String streamId = r.headers().firstValue("Mesos-Stream-Id").orElseThrow();
        List<Event> events = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (InputStream in = r.body()) {
                byte[] rec;
                while ((rec = io.pangaea.model.json.RecordIo.read(in)) != null) {
                    events.add(Event.parseFrom(rec));
                }
            } catch (IOException e) {
                // the stream ends with the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            Event subscribed = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.stream()
                    .filter(e -> e.getType() == Event.Type.SUBSCRIBED).findFirst().orElse(null), e -> e != null);
            Protos.FrameworkID id = subscribed.getSubscribed().getFrameworkId();
            assertTrue(subscribed.getSubscribed().getHeartbeatIntervalSeconds() > 0);
            Protos.Offer offer = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events.stream()
                    .filter(e -> e.getType() == Event.Type.OFFERS).findFirst().orElse(null), e -> e != null)
                    .getOffers().getOffers(0);
            assertTrue(offer.getResourcesCount() > 0);

            Protos.TaskInfo task = Protos.TaskInfo.newBuilder().setName("pb").setTaskId(Protos.TaskID.newBuilder()
                    .setValue("pb-1")).setAgentId(offer.getAgentId()).setCommand(Protos.CommandInfo.newBuilder()
                    .setValue("echo protobuf")).addResources(Protos.Resource.newBuilder().setName("cpus")
                    .setType(Protos.Value.Type.SCALAR).setScalar(Protos.Value.Scalar.newBuilder().setValue(0.1)))
                    .build();
            Call accept = Call.newBuilder().setFrameworkId(id).setType(Call.Type.ACCEPT).setAccept(Call.Accept
                    .newBuilder().addOfferIds(offer.getId()).addOperations(Protos.Offer.Operation.newBuilder()
                            .setType(Protos.Offer.Operation.Type.LAUNCH).setLaunch(Protos.Offer.Operation.Launch
                                    .newBuilder().addTaskInfos(task)))).build();
            assertEquals(202, post("/api/v1/scheduler", PROTOBUF, null, accept.toByteArray(), streamId).statusCode());

            // every update is acknowledged with its uuid bytes, as a protobuf client does
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (Event e : events) {
                    if (e.getType() != Event.Type.UPDATE || !e.getUpdate().getStatus().hasUuid()) {
                        continue;
                    }
                    Protos.TaskStatus s = e.getUpdate().getStatus();
                    Call ack = Call.newBuilder().setFrameworkId(id).setType(Call.Type.ACKNOWLEDGE)
                            .setAcknowledge(Call.Acknowledge.newBuilder().setAgentId(s.getAgentId())
                                    .setTaskId(s.getTaskId()).setUuid(s.getUuid())).build();
                    post("/api/v1/scheduler", PROTOBUF, null, ack.toByteArray(), streamId);
                }
                return events.stream().anyMatch(e -> e.getType() == Event.Type.UPDATE
                        && e.getUpdate().getStatus().getState() == Protos.TaskState.TASK_FINISHED);
            });
            Protos.TaskStatus finished = events.stream().filter(e -> e.getType() == Event.Type.UPDATE
                    && e.getUpdate().getStatus().getState() == Protos.TaskState.TASK_FINISHED).findFirst()
                    .orElseThrow().getUpdate().getStatus();
            assertEquals("pb-1", finished.getTaskId().getValue());
            assertEquals(16, finished.getUuid().size());

            // a JSON call on a protobuf framework's stream is fine too
            HttpResponse<byte[]> teardown = post("/api/v1/scheduler", "application/json", null,
                    ("{\"type\":\"TEARDOWN\",\"framework_id\":{\"value\":\"" + id.getValue() + "\"}}")
                            .getBytes(StandardCharsets.UTF_8), streamId);
            assertEquals(202, teardown.statusCode());
        } finally {
            reader.interrupt();
        }
    }

    @Test
    public void aBodyThatIsNotACallIsRefusedWithTheReason() throws Exception {
        HttpResponse<byte[]> r = post("/api/v1/scheduler", PROTOBUF, null, new byte[] {(byte) 0xff, 0x7f, 0x01},
                null);
        assertEquals(400, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8),
                new String(r.body(), StandardCharsets.UTF_8).startsWith("Failed to parse body into Call protobuf"));
        // a SUBSCRIBE without the required framework_info fields
        Call partial = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
                .setFrameworkInfo(Protos.FrameworkInfo.newBuilder().setName("x").buildPartial()).buildPartial())
                .buildPartial();
        r = post("/api/v1/scheduler", PROTOBUF, PROTOBUF, partial.toByteArray(), null);
        assertEquals(400, r.statusCode());
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("framework_info.user"));
    }

    @Test
    public void theOperatorApiAnswersProtobuf() throws Exception {
        org.apache.mesos.v1.master.Protos.Call health = org.apache.mesos.v1.master.Protos.Call.newBuilder()
                .setType(org.apache.mesos.v1.master.Protos.Call.Type.GET_HEALTH).build();
        HttpResponse<byte[]> r = post("/api/v1", PROTOBUF, PROTOBUF, health.toByteArray(), null);
        assertEquals(200, r.statusCode());
        assertEquals(PROTOBUF, r.headers().firstValue("Content-Type").orElse(""));
        org.apache.mesos.v1.master.Protos.Response resp = org.apache.mesos.v1.master.Protos.Response
                .parseFrom(r.body());
        assertEquals(org.apache.mesos.v1.master.Protos.Response.Type.GET_HEALTH, resp.getType());
        assertTrue(resp.getGetHealth().getHealthy());
        // a JSON call answered in protobuf, as Accept asks
        r = post("/api/v1", "application/json", PROTOBUF, "{\"type\":\"GET_VERSION\"}".getBytes(StandardCharsets.UTF_8),
                null);
        assertEquals(200, r.statusCode());
        assertEquals("1.11.0", org.apache.mesos.v1.master.Protos.Response.parseFrom(r.body()).getGetVersion()
                .getVersionInfo().getVersion());
        // neither type acceptable
        assertEquals(406, post("/api/v1", "application/json", "text/html", "{\"type\":\"GET_HEALTH\"}"
                .getBytes(StandardCharsets.UTF_8), null).statusCode());
    }

    @Test
    public void theAgentsOperatorApiAnswersProtobuf() throws Exception {
        org.apache.mesos.v1.agent.Protos.Call health = org.apache.mesos.v1.agent.Protos.Call.newBuilder()
                .setType(org.apache.mesos.v1.agent.Protos.Call.Type.GET_HEALTH).build();
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.agentPort
                + "/api/v1")).header("Content-Type", PROTOBUF).header("Accept", PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofByteArray(health.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        var resp = org.apache.mesos.v1.agent.Protos.Response.parseFrom(r.body());
        assertEquals(org.apache.mesos.v1.agent.Protos.Response.Type.GET_HEALTH, resp.getType());
        assertTrue(resp.getGetHealth().getHealthy());
        // a JSON call answered in protobuf: the agent's info decodes into Mesos's AgentInfo
        r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.agentPort + "/api/v1"))
                .header("Content-Type", "application/json").header("Accept", PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"GET_AGENT\"}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        var agent = org.apache.mesos.v1.agent.Protos.Response.parseFrom(r.body()).getGetAgent().getAgentInfo();
        assertTrue(agent.getId().getValue(), agent.getId().getValue().endsWith("-S0"));
        assertTrue(agent.getResourcesCount() > 0);
    }
}
