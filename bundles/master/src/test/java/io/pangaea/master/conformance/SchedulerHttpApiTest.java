package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The behaviours Mesos's SchedulerHttpApiTest checks: request methods, content types and Accept, the SUBSCRIBE
 * response, stream ids, and calls for unknown frameworks, each with the status and body Mesos 1.11 gives.
 */
public class SchedulerHttpApiTest {

    private Harness h;

    @Before
    public void start() throws Exception {
        h = new Harness();
    }

    @After
    public void stop() throws Exception {
        h.close();
    }

    private static final String SUBSCRIBE = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":"
            + "{\"user\":\"root\",\"name\":\"c\"}}}";

    @Test
    public void getRequest() throws Exception {
        HttpResponse<String> r = h.get("/api/v1/scheduler");
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
        assertEquals("405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.", r.body());
    }

    @Test
    public void noContentType() throws Exception {
        HttpResponse<String> r = h.post("/api/v1/scheduler", SUBSCRIBE.getBytes(StandardCharsets.UTF_8));
        assertEquals(415, r.statusCode());
        assertEquals("Expecting 'Content-Type' of application/json or application/x-protobuf", r.body());
    }

    @Test
    public void unsupportedContentMediaType() throws Exception {
        HttpResponse<String> r = h.post("/api/v1/scheduler", SUBSCRIBE.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "text/plain");
        assertEquals(415, r.statusCode());
        assertEquals("Expecting 'Content-Type' of application/json or application/x-protobuf", r.body());
    }

    @Test
    public void malformedJson() throws Exception {
        HttpResponse<String> r = h.postJson("/api/v1/scheduler", "not json");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("Failed to parse body into JSON"));
    }

    @Test
    public void validJsonButInvalidCall() throws Exception {
        HttpResponse<String> r = h.postJson("/api/v1/scheduler", "{\"type\":\"SUBSCRIBE\"}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().contains("subscribe"));
    }

    @Test
    public void validProtobufInvalidCall() throws Exception {
        // a well-formed Call {type: SUBSCRIBE} without its 'subscribe' message
        HttpResponse<String> r = h.post("/api/v1/scheduler", new byte[] {0x10, 0x01},
                "Content-Type", "application/x-protobuf");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().contains("subscribe"));
    }

    @Test
    public void invalidProtobuf() throws Exception {
        HttpResponse<String> r = h.post("/api/v1/scheduler", new byte[] {0x0a, 0x7f, 0x01},
                "Content-Type", "application/x-protobuf");
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("Failed to parse body into Call protobuf"));
    }

    @Test
    public void notAcceptable() throws Exception {
        HttpResponse<String> r = h.postJson("/api/v1/scheduler", SUBSCRIBE, "Accept", "foo/bar");
        assertEquals(406, r.statusCode());
        assertEquals("Expecting 'Accept' to allow 'application/json' or 'application/x-protobuf'", r.body());
    }

    /** Without Accept every type is acceptable and Mesos picks JSON, whatever the request's own type. */
    @Test
    public void noAcceptHeader() throws Exception {
        byte[] protobuf = io.pangaea.protobuf.ProtobufCodec.callFromJson(io.pangaea.protobuf.ProtobufCodec.Api.SCHEDULER,
                SUBSCRIBE);
        for (String[] c : new String[][] {{"application/json", SUBSCRIBE}, {"application/x-protobuf", null}}) {
            HttpResponse<java.io.InputStream> r = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                    h.url("/api/v1/scheduler"))).header("Content-Type", c[0])
                    .POST(c[1] != null ? HttpRequest.BodyPublishers.ofString(c[1])
                            : HttpRequest.BodyPublishers.ofByteArray(protobuf)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try {
                assertEquals(c[0], 200, r.statusCode());
                assertEquals(c[0], "application/json", r.headers().firstValue("Content-Type").orElse(""));
            } finally {
                r.body().close();
            }
        }
    }

    /** Accept is read as libprocess reads it: the most specific range that matches decides, and q=0 refuses. */
    @Test
    public void acceptRangesAndQualities() throws Exception {
        String[][] cases = {
            {"*/*", "application/json"},
            {"application/*", "application/json"},
            {"application/x-protobuf", "application/x-protobuf"},
            {"application/json;q=0, */*", "application/x-protobuf"},
            {"application/json;q=0, application/x-protobuf;q=0.5", "application/x-protobuf"},
            {"text/html, application/x-protobuf", "application/x-protobuf"},
        };
        for (String[] c : cases) {
            HttpResponse<java.io.InputStream> r = Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                    h.url("/api/v1/scheduler"))).header("Content-Type", "application/json").header("Accept", c[0])
                    .POST(HttpRequest.BodyPublishers.ofString(SUBSCRIBE)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try {
                assertEquals(c[0], 200, r.statusCode());
                assertEquals(c[0], c[1], r.headers().firstValue("Content-Type").orElse(""));
            } finally {
                r.body().close();
            }
        }
        for (String refused : new String[] {"application/json;q=0, application/x-protobuf;q=0", "*/*;q=0",
                "text/html"}) {
            HttpResponse<String> r = h.postJson("/api/v1/scheduler", SUBSCRIBE, "Accept", refused);
            assertEquals(refused, 406, r.statusCode());
        }
    }

    @Test
    public void subscribe() throws Exception {
        Harness.Scheduler s = h.scheduler("subscribe", "MULTI_ROLE");
        assertEquals(200, s.response.statusCode());
        assertEquals("application/json", s.response.headers().firstValue("Content-Type").orElse(""));
        assertNotNull(s.streamId);
        JsonNode first = s.events.get(0);
        assertEquals("SUBSCRIBED", first.path("type").asText());
        assertEquals(15.0, first.at("/subscribed/heartbeat_interval_seconds").asDouble(), 0);
        assertTrue(first.at("/subscribed/master_info/id").isTextual());
        assertTrue(s.frameworkId.matches(".+-\\d{4}"));
    }

    @Test
    public void subscribedWithAStreamIdThatIsAUuid() throws Exception {
        Harness.Scheduler s = h.scheduler("uuid");
        assertEquals(s.streamId, java.util.UUID.fromString(s.streamId).toString());
    }

    @Test
    public void teardownWithoutStreamId() throws Exception {
        Harness.Scheduler s = h.scheduler("no-stream-id");
        HttpResponse<String> r = h.postJson("/api/v1/scheduler", s.call("TEARDOWN").toString());
        assertEquals(400, r.statusCode());
        assertEquals("All non-subscribe calls should include the 'Mesos-Stream-Id' header", r.body());
    }

    @Test
    public void teardownWrongStreamId() throws Exception {
        Harness.Scheduler s = h.scheduler("wrong-stream-id");
        HttpResponse<String> r = h.postJson("/api/v1/scheduler", s.call("TEARDOWN").toString(),
                "Mesos-Stream-Id", "bogus");
        assertEquals(400, r.statusCode());
        assertEquals("The stream ID 'bogus' included in this request didn't match the stream ID currently"
                + " associated with framework ID " + s.frameworkId, r.body());
    }

    @Test
    public void callForAnUnknownFramework() throws Exception {
        HttpResponse<String> r = h.postJson("/api/v1/scheduler",
                "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"nobody\"}}", "Mesos-Stream-Id", "x");
        assertEquals(400, r.statusCode());
        assertEquals("Framework cannot be found", r.body());
    }

    @Test
    public void rejectFrameworkWithInvalidRole() throws Exception {
        ObjectNode sub = Harness.subscribe("bad-role", "MULTI_ROLE");
        ((ObjectNode) sub.at("/subscribe/framework_info")).putArray("roles").add("a b");
        HttpResponse<String> r = h.postJson("/api/v1/scheduler", sub.toString());
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().contains("a b"));
    }

    @Test
    public void badAcknowledgementUuid() throws Exception {
        Harness.Scheduler s = h.scheduler("bad-uuid");
        ObjectNode ack = s.call("ACKNOWLEDGE");
        ack.putObject("acknowledge").put("uuid", "!!!").putObject("task_id").put("value", "t");
        ((ObjectNode) ack.get("acknowledge")).putObject("agent_id").put("value", "a");
        HttpResponse<String> r = s.post(ack);
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().contains("uuid"));
    }

    @Test
    public void killOfAnUnknownTaskIsAcceptedAndAnsweredOnTheStream() throws Exception {
        Harness.Scheduler s = h.scheduler("kill-unknown");
        ObjectNode kill = s.call("KILL");
        kill.putObject("kill").putObject("task_id").put("value", "ghost");
        assertEquals(202, s.post(kill).statusCode());
        JsonNode u = s.await("an update for ghost", e -> e.at("/update/status/task_id/value").asText()
                .equals("ghost"));
        assertEquals("TASK_LOST", u.at("/update/status/state").asText());
    }

    @Test
    public void requestIsAcceptedAndChangesNothing() throws Exception {
        Harness.Scheduler s = h.scheduler("request");
        ObjectNode req = s.call("REQUEST");
        req.putObject("request").putArray("requests").addObject().putArray("resources");
        assertEquals(202, s.post(req).statusCode());
    }

    /**
     * A scheduler whose process dies closes its connection: the master sees it at once, as Mesos does, not at the
     * next heartbeat (15 s), and takes back its offers while its failover timeout runs.
     */
    @Test
    public void aSchedulerWhoseConnectionClosesIsDisconnectedAtOnce() throws Exception {
        h.agent("cpus:2;mem:1024");
        URI master = URI.create(h.url("/"));
        byte[] body = ("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"root\","
                + "\"name\":\"gone\",\"failover_timeout\":60}}}").getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket s = new java.net.Socket(master.getHost(), master.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /api/v1/scheduler HTTP/1.1\r\nHost: " + master.getAuthority()
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            StringBuilder got = new StringBuilder();
            java.io.InputStream in = s.getInputStream();
            while (!got.toString().contains("\"OFFERS\"")) {
                int b = in.read();
                assertTrue("stream closed: " + got, b >= 0);
                got.append((char) b);
            }
            assertEquals(1, framework("gone").path("offers").size());
        }
        org.awaitility.Awaitility.await("framework disconnected").atMost(java.time.Duration.ofSeconds(5))
                .until(() -> !framework("gone").path("connected").asBoolean(true));
        JsonNode f = framework("gone");
        assertEquals(false, f.path("active").asBoolean(true));
        assertEquals(0, f.path("offers").size());
    }

    private JsonNode framework(String name) throws Exception {
        for (JsonNode f : h.state().path("frameworks")) {
            if (f.path("name").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no framework " + name + " in /master/state");
    }
}
