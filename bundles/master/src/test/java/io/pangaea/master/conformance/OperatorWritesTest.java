package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The operator calls that answered 501 before, and the legacy endpoints Mesos users script against, as Mesos
 * 1.11 answers them: SET_QUOTA and REMOVE_QUOTA, CREATE_VOLUMES and DESTROY_VOLUMES, LIST_FILES and READ_FILE of
 * the master's log, {@code /master/teardown}, {@code /master/reserve}, {@code /master/unreserve},
 * {@code /master/create-volumes}, {@code /master/destroy-volumes}, {@code POST} and {@code DELETE /master/quota},
 * {@code /files/browse} and {@code /files/read}.
 */
public class OperatorWritesTest {

    private static Harness h;
    private static Harness.Agent agent;
    private static Path log;

    @BeforeClass
    public static void setUp() throws Exception {
        h = new Harness();
        agent = h.agent("cpus:4;mem:4096;disk:1000");
        log = Files.createTempFile("pangaea-master", ".log");
        Files.writeString(log, "line one\nline two\n");
        h.master.setLogFile(log);
    }

    @AfterClass
    public static void tearDown() throws Exception {
        h.close();
        Files.deleteIfExists(log);
    }

    private static HttpResponse<String> form(String path, String... fields) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.length; i += 2) {
            b.append(i == 0 ? "" : "&").append(fields[i]).append('=')
                    .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        return h.post(path, b.toString().getBytes(StandardCharsets.UTF_8), "Content-Type",
                "application/x-www-form-urlencoded");
    }

    private static JsonNode reserved(String role) throws Exception {
        return Harness.JSON.readTree(h.get("/master/slaves").body()).at("/slaves/0/reserved_resources/" + role);
    }

    private static String disk(String role, String volume) {
        String reservation = "\"reservations\":[{\"type\":\"DYNAMIC\",\"role\":\"" + role + "\"}]";
        String persistence = volume == null ? "" : ",\"disk\":{\"persistence\":{\"id\":\"" + volume + "\"},"
                + "\"volume\":{\"container_path\":\"data\",\"mode\":\"RW\"}}";
        return "[{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":100}," + reservation + persistence
                + "}]";
    }

    @Test
    public void setQuotaAndRemoveQuota() throws Exception {
        String set = "{\"type\":\"SET_QUOTA\",\"set_quota\":{\"quota_request\":{\"role\":\"analytics\","
                + "\"guarantee\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":2}}]}}}";
        assertEquals(200, h.postJson("/api/v1", set).statusCode());
        JsonNode quota = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_QUOTA\"}").body());
        assertTrue(quota.toString(), quota.toString().contains("analytics"));
        HttpResponse<String> again = h.postJson("/api/v1", set);
        assertEquals(400, again.statusCode());
        assertTrue(again.body(), again.body().contains("already has quota"));
        String remove = "{\"type\":\"REMOVE_QUOTA\",\"remove_quota\":{\"role\":\"analytics\"}}";
        assertEquals(200, h.postJson("/api/v1", remove).statusCode());
        assertTrue(h.postJson("/api/v1", remove).body().contains("has no quota set"));
        HttpResponse<String> bad = h.postJson("/api/v1", "{\"type\":\"SET_QUOTA\",\"set_quota\":{\"quota_request\":"
                + "{\"role\":\"x\",\"guarantee\":[{\"name\":\"ports\",\"type\":\"SCALAR\",\"scalar\":{\"value\":2}}]}}}");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body(), bad.body().contains("'ports' cannot have a quota"));
        // the legacy endpoint, with Mesos's JSON QuotaRequest
        assertEquals(200, h.post("/master/quota", ("{\"role\":\"batch\",\"guarantee\":[{\"name\":\"mem\","
                + "\"type\":\"SCALAR\",\"scalar\":{\"value\":512}}]}").getBytes(StandardCharsets.UTF_8))
                .statusCode());
        assertTrue(h.get("/master/quota").body().contains("batch"));
        HttpResponse<String> delete = Harness.HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                h.url("/master/quota/batch"))).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, delete.statusCode());
        assertTrue(!h.get("/master/quota").body().contains("batch"));
    }

    @Test
    public void reserveThenCreateAndDestroyVolumesThroughTheLegacyEndpointsAndTheOperatorApi() throws Exception {
        String id = agent.id.value();
        assertEquals(202, form("/master/reserve", "slaveId", id, "resources", disk("ops", null)).statusCode());
        assertEquals(100.0, reserved("ops").path("disk").asDouble(), 0);
        // a volume out of the reserved disk
        assertEquals(202, form("/master/create-volumes", "slaveId", id, "volumes", disk("ops", "v1")).statusCode());
        HttpResponse<String> twice = form("/master/create-volumes", "slaveId", id, "volumes", disk("ops", "v1"));
        assertEquals(twice.body(), 400, twice.statusCode());
        assertTrue(twice.body(), twice.body().contains("already exists"));
        assertEquals(202, form("/master/destroy-volumes", "slaveId", id, "volumes", disk("ops", "v1")).statusCode());
        // the same through the v1 API
        String create = "{\"type\":\"CREATE_VOLUMES\",\"create_volumes\":{\"agent_id\":{\"value\":\"" + id + "\"},"
                + "\"volumes\":" + disk("ops", "v2") + "}}";
        assertEquals(202, h.postJson("/api/v1", create).statusCode());
        String destroy = create.replace("CREATE_VOLUMES", "DESTROY_VOLUMES").replace("create_volumes",
                "destroy_volumes");
        assertEquals(202, h.postJson("/api/v1", destroy).statusCode());
        HttpResponse<String> gone = h.postJson("/api/v1", destroy);
        assertEquals(gone.body(), 409, gone.statusCode());
        // and the disk goes back unreserved
        assertEquals(202, form("/master/unreserve", "slaveId", id, "resources", disk("ops", null)).statusCode());
        assertTrue(reserved("ops").isMissingNode());
        // bad input: a clear 4xx, and nothing changes
        HttpResponse<String> missing = form("/master/reserve", "resources", disk("ops", null));
        assertEquals(400, missing.statusCode());
        assertEquals("Missing 'slaveId' query parameter in the request body", missing.body());
        HttpResponse<String> notJson = form("/master/reserve", "slaveId", id, "resources", "[{");
        assertEquals(400, notJson.statusCode());
        assertTrue(notJson.body(), notJson.body().startsWith("Error in parsing 'resources'"));
        assertEquals(405, h.get("/master/reserve").statusCode());
        assertTrue(reserved("ops").isMissingNode());
    }

    @Test
    public void teardownByForm() throws Exception {
        Harness.Scheduler s = h.scheduler("to-tear-down");
        s.awaitType("SUBSCRIBED");
        assertEquals(400, form("/master/teardown", "frameworkId", "nobody").statusCode());
        assertEquals(200, form("/master/teardown", "frameworkId", s.frameworkId).statusCode());
        JsonNode frameworks = Harness.JSON.readTree(h.get("/master/frameworks").body());
        assertTrue(frameworks.path("completed_frameworks").toString().contains(s.frameworkId));
    }

    @Test
    public void theMastersLogThroughListFilesReadFileAndFiles() throws Exception {
        JsonNode list = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"LIST_FILES\",\"list_files\":"
                + "{\"path\":\"/master/log\"}}").body());
        assertEquals("/master/log", list.at("/list_files/file_infos/0/path").asText());
        assertEquals(Files.size(log), list.at("/list_files/file_infos/0/size").asLong());
        JsonNode read = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"READ_FILE\",\"read_file\":"
                + "{\"path\":\"/master/log\",\"offset\":5,\"length\":3}}").body());
        assertEquals("one", new String(Base64.getDecoder().decode(read.at("/read_file/data").asText()),
                StandardCharsets.UTF_8));
        assertEquals(Files.size(log), read.at("/read_file/size").asLong());
        HttpResponse<String> nowhere = h.postJson("/api/v1", "{\"type\":\"LIST_FILES\",\"list_files\":"
                + "{\"path\":\"/etc/passwd\"}}");
        assertEquals(404, nowhere.statusCode());
        assertEquals("/master/log", Harness.JSON.readTree(h.get("/files/browse?path=/master/log").body())
                .at("/0/path").asText());
        assertEquals("line two\n", Harness.JSON.readTree(h.get("/files/read?path=/master/log&offset=9")
                .body()).path("data").asText());
    }

    private static String volume(String role, String id, double size) {
        return "{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":" + size + "},\"reservations\":"
                + "[{\"type\":\"DYNAMIC\",\"role\":\"" + role + "\"}],\"disk\":{\"persistence\":{\"id\":\"" + id
                + "\"},\"volume\":{\"container_path\":\"data\",\"mode\":\"RW\"}}}";
    }

    private static String reservedDisk(String role, double size) {
        return "{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":" + size + "},\"reservations\":"
                + "[{\"type\":\"DYNAMIC\",\"role\":\"" + role + "\"}]}";
    }

    /** The size of persistent volume {@code id} on the agent, from GET_AGENTS; -1 when there is none. */
    private static double volumeSize(String id) throws Exception {
        JsonNode agents = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_AGENTS\"}").body());
        for (JsonNode r : agents.at("/get_agents/agents/0/total_resources")) {
            if (id.equals(r.at("/disk/persistence/id").asText())) {
                return r.at("/scalar/value").asDouble();
            }
        }
        return -1;
    }

    @Test
    public void growAndShrinkAVolumeByTheOperator() throws Exception {
        String id = agent.id.value();
        assertEquals(202, form("/master/reserve", "slaveId", id, "resources", "[" + reservedDisk("grow", 100)
                + "]").statusCode());
        assertEquals(202, form("/master/create-volumes", "slaveId", id, "volumes", "[" + volume("grow", "g1", 40)
                + "]").statusCode());
        String grow = "{\"type\":\"GROW_VOLUME\",\"grow_volume\":{\"agent_id\":{\"value\":\"" + id
                + "\"},\"volume\":" + volume("grow", "g1", 40) + ",\"addition\":" + reservedDisk("grow", 20) + "}}";
        assertEquals(202, h.postJson("/api/v1", grow).statusCode());
        assertEquals(60.0, volumeSize("g1"), 0);
        // the volume named as it was is no longer there
        HttpResponse<String> stale = h.postJson("/api/v1", grow);
        assertEquals(400, stale.statusCode());
        assertTrue(stale.body(), stale.body().contains("is not on agent"));
        String shrink = "{\"type\":\"SHRINK_VOLUME\",\"shrink_volume\":{\"agent_id\":{\"value\":\"" + id
                + "\"},\"volume\":" + volume("grow", "g1", 60) + ",\"subtract\":{\"value\":SIZE}}}";
        HttpResponse<String> tooMuch = h.postJson("/api/v1", shrink.replace("SIZE", "60"));
        assertEquals(400, tooMuch.statusCode());
        assertTrue(tooMuch.body(), tooMuch.body().contains("below the volume's size"));
        assertEquals(202, h.postJson("/api/v1", shrink.replace("SIZE", "15")).statusCode());
        assertEquals(45.0, volumeSize("g1"), 0);
        // more than is free: 409, and nothing changes
        HttpResponse<String> greedy = h.postJson("/api/v1", grow.replace(volume("grow", "g1", 40),
                volume("grow", "g1", 45)).replace(reservedDisk("grow", 20), reservedDisk("grow", 500)));
        assertEquals(greedy.body(), 409, greedy.statusCode());
        assertEquals(45.0, volumeSize("g1"), 0);
        // all of it back: the volume, then the reservation
        assertEquals(202, form("/master/destroy-volumes", "slaveId", id, "volumes", "[" + volume("grow", "g1", 45)
                + "]").statusCode());
        assertEquals(202, form("/master/unreserve", "slaveId", id, "resources", "[" + reservedDisk("grow", 100)
                + "]").statusCode());
    }

    @Test
    public void growAndShrinkAsOfferOperationsInOneAccept() throws Exception {
        var subscribe = Harness.subscribe("resizer", "MULTI_ROLE");
        ((com.fasterxml.jackson.databind.node.ObjectNode) subscribe.at("/subscribe/framework_info")).putArray("roles")
                .add("resizer");
        Harness.Scheduler s = h.scheduler(subscribe);
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        var accept = s.call("ACCEPT");
        var a = accept.putObject("accept");
        a.putArray("offer_ids").add(offer.get("id"));
        var ops = a.putArray("operations");
        String role = offer.at("/allocation_info/role").asText();
        ops.add(Harness.JSON.readTree("{\"type\":\"RESERVE\",\"reserve\":{\"resources\":["
                + reservedDisk(role, 100).replace("\"reservations\"", "\"allocation_info\":{\"role\":\"" + role
                + "\"},\"reservations\"") + "]}}"));
        ops.add(Harness.JSON.readTree("{\"type\":\"CREATE\",\"create\":{\"volumes\":[" + alloc(volume(role,
                "o1", 50), role) + "]}}"));
        ops.add(Harness.JSON.readTree("{\"type\":\"GROW_VOLUME\",\"grow_volume\":{\"volume\":" + alloc(volume(
                role, "o1", 50), role) + ",\"addition\":" + alloc(reservedDisk(role, 30), role) + "}}"));
        ops.add(Harness.JSON.readTree("{\"type\":\"SHRINK_VOLUME\",\"shrink_volume\":{\"volume\":" + alloc(
                volume(role, "o1", 80), role) + ",\"subtract\":{\"value\":5}}}"));
        assertEquals(202, s.post(accept).statusCode());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> volumeSize("o1")
                == 75.0);
    }

    private static String alloc(String resource, String role) {
        return resource.replace("\"reservations\"", "\"allocation_info\":{\"role\":\"" + role + "\"},\"reservations\"");
    }
}
