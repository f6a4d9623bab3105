package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * CREATE and DESTROY (persistent volumes) on a real agent: reserved disk becomes a volume that is offered again
 * with its persistence id, tasks that use it find it at its container path and its data outlives them, and DESTROY
 * gives the disk back and deletes the data. Invalid volumes get OPERATION_ERROR and change nothing.
 */
public class PersistentVolumeTest {

    private Harness h;
    private Harness.RealAgent agent;
    private Harness.Scheduler s;
    private final Set<String> used = ConcurrentHashMap.newKeySet();

    @Before
    public void setUp() throws Exception {
        h = new Harness();
        ObjectNode sub = Harness.subscribe("volumes");
        ((ObjectNode) sub.at("/subscribe/framework_info")).put("role", "db");
        s = h.scheduler(sub);
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    /** An unused offer whose resources satisfy {@code p}. */
    private JsonNode offer(Predicate<JsonNode> p) {
        JsonNode o = s.await("an offer", e -> e.path("type").asText().equals("OFFERS")
                && !used.contains(e.at("/offers/offers/0/id/value").asText())
                && p.test(e.at("/offers/offers/0/resources"))).at("/offers/offers/0");
        used.add(o.at("/id/value").asText());
        return o;
    }

    private static boolean hasVolume(JsonNode resources, String id) {
        for (JsonNode r : resources) {
            if (r.at("/disk/persistence/id").asText().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasReservedDisk(JsonNode resources) {
        for (JsonNode r : resources) {
            if (r.path("name").asText().equals("disk") && r.path("reservations").size() > 0
                    && r.path("disk").isMissingNode()) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode disk(double size, String persistenceId, String path) {
        return disk(size, persistenceId, path, "RW");
    }

    private static ObjectNode disk(double size, String persistenceId, String path, String mode) {
        ObjectNode r = Harness.JSON.createObjectNode().put("name", "disk").put("type", "SCALAR");
        r.putObject("scalar").put("value", size);
        r.putArray("reservations").addObject().put("type", "DYNAMIC").put("role", "db");
        if (persistenceId != null) {
            ObjectNode d = r.putObject("disk");
            d.putObject("persistence").put("id", persistenceId);
            d.putObject("volume").put("container_path", path).put("mode", mode);
        }
        return r;
    }

    private int accept(JsonNode offer, ObjectNode... ops) throws Exception {
        return s.accept(offer, ops).statusCode();
    }

    private static ObjectNode op(String type, String id, String field, String listName, ObjectNode... resources) {
        ObjectNode op = Harness.JSON.createObjectNode().put("type", type);
        op.putObject("id").put("value", id);
        ArrayNode list = op.putObject(field).putArray(listName);
        for (ObjectNode r : resources) {
            list.add(r);
        }
        return op;
    }

    private ObjectNode taskUsingVolume(JsonNode offer, String id, String command) {
        return taskUsingVolumes(offer, id, command, disk(100, "pg-data", "data"));
    }

    private ObjectNode taskUsingVolumes(JsonNode offer, String id, String command, ObjectNode... volumes) {
        ObjectNode t = Harness.JSON.createObjectNode().put("name", id);
        t.putObject("task_id").put("value", id);
        t.set("agent_id", offer.get("agent_id"));
        t.putObject("command").put("value", command);
        ArrayNode rs = t.putArray("resources");
        rs.addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar").put("value", 0.1);
        for (ObjectNode v : volumes) {
            rs.add(v);
        }
        return Harness.JSON.createObjectNode().put("type", "LAUNCH").set("launch",
                Harness.JSON.createObjectNode().set("task_infos", Harness.JSON.createArrayNode().add(t)));
    }

    private JsonNode opStatus(String opId) {
        return s.await(opId, e -> e.path("type").asText().equals("UPDATE_OPERATION_STATUS")
                && e.at("/update_operation_status/status/operation_id/value").asText().equals(opId))
                .at("/update_operation_status/status");
    }

    private void runToEnd(String task, String end) throws Exception {
        for (String st : new String[] {"TASK_STARTING", "TASK_RUNNING", end}) {
            s.acked(task, st);
        }
    }

    @Test
    public void volumeOutlivesItsTasksUntilDestroyed() throws Exception {
        agent = h.realAgent(Duration.ofSeconds(60));
        JsonNode first = offer(r -> true);
        ObjectNode reserve = op("RESERVE", "reserve-disk", "reserve", "resources", disk(100, null, null));
        ObjectNode create = op("CREATE", "create-volume", "create", "volumes", disk(100, "pg-data", "data"));
        assertEquals(202, accept(first, reserve, create));
        assertEquals("OPERATION_FINISHED", opStatus("reserve-disk").path("state").asText());
        JsonNode created = opStatus("create-volume");
        assertEquals(created.toString(), "OPERATION_FINISHED", created.path("state").asText());
        assertEquals("pg-data", created.at("/converted_resources/0/disk/persistence/id").asText());

        // the volume is offered with its id; a task writes into it
        JsonNode withVolume = offer(r -> hasVolume(r, "pg-data"));
        assertEquals(202, accept(withVolume, taskUsingVolume(withVolume, "writer",
                "echo persisted > data/file && test -L data")));
        runToEnd("writer", "TASK_FINISHED");
        Path data = agent.workDir.resolve("volumes/roles/db/pg-data/file");
        assertEquals("persisted", Files.readString(data).trim());

        // the next task, in a new sandbox, reads what the first one left
        JsonNode again = offer(r -> hasVolume(r, "pg-data"));
        assertEquals(202, accept(again, taskUsingVolume(again, "reader", "grep -q persisted data/file")));
        runToEnd("reader", "TASK_FINISHED");
        JsonNode agents = Harness.JSON.readTree(h.postJson("/api/v1", "{\"type\":\"GET_AGENTS\"}").body());
        assertTrue(agents.toString(), hasVolume(agents.at("/get_agents/agents/0/total_resources"), "pg-data"));

        // DESTROY: the disk is plain reserved disk again and the data is gone
        JsonNode last = offer(r -> hasVolume(r, "pg-data"));
        assertEquals(202, accept(last, op("DESTROY", "destroy-volume", "destroy", "volumes",
                disk(100, "pg-data", "data"))));
        assertEquals("OPERATION_FINISHED", opStatus("destroy-volume").path("state").asText());
        Awaitility.await("volume data deleted").atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(data));
        JsonNode after = offer(r -> hasReservedDisk(r));
        assertFalse(hasVolume(after.path("resources"), "pg-data"));
    }

    @Test
    public void invalidVolumesGetOperationErrorAndChangeNothing() throws Exception {
        agent = h.realAgent(Duration.ofSeconds(60));
        JsonNode first = offer(r -> true);
        String before = h.state().at("/slaves/0/resources").toString();
        ObjectNode unreserved = disk(100, "v1", "data");
        unreserved.remove("reservations");
        ObjectNode absolute = disk(100, "v2", "/etc");
        ObjectNode escaping = disk(100, "v3", "../up");
        ObjectNode noId = disk(100, null, null);
        ObjectNode cpus = disk(1, "v4", "data").put("name", "cpus");
        assertEquals(202, accept(first,
                op("CREATE", "c-unreserved", "create", "volumes", unreserved),
                op("CREATE", "c-absolute", "create", "volumes", absolute),
                op("CREATE", "c-escaping", "create", "volumes", escaping),
                op("CREATE", "c-no-id", "create", "volumes", noId),
                op("CREATE", "c-cpus", "create", "volumes", cpus),
                op("CREATE", "c-not-reserved-first", "create", "volumes", disk(100, "v5", "data")),
                op("DESTROY", "d-unknown", "destroy", "volumes", disk(100, "nope", "data"))));
        for (String[] c : new String[][] {{"c-unreserved", "unreserved"}, {"c-absolute", "relative"},
                {"c-escaping", "relative"}, {"c-no-id", "persistence.id"}, {"c-cpus", "disk"},
                {"c-not-reserved-first", "not in the offer"}, {"d-unknown", "not in the offer"}}) {
            JsonNode st = opStatus(c[0]);
            assertEquals(c[0], "OPERATION_ERROR", st.path("state").asText());
            assertTrue(c[0] + ": " + st.path("message").asText(), st.path("message").asText().contains(c[1]));
        }
        assertEquals(before, h.state().at("/slaves/0/resources").toString());
        assertFalse(Files.exists(agent.workDir.resolve("volumes")));
    }

    @Test
    public void underFilesystemLinuxVolumesAreMountedAndReadOnlyOnesRefuseWrites() throws Exception {
        agent = h.realAgent(Duration.ofSeconds(60), java.util.Map.of("filesystem/linux",
                new io.pangaea.isolator.namespaces.FilesystemLinuxIsolator()));
        JsonNode first = offer(r -> true);
        assertEquals(202, accept(first, op("RESERVE", "reserve-both", "reserve", "resources", disk(200, null, null)),
                op("CREATE", "create-rw", "create", "volumes", disk(100, "rw-vol", "rw", "RW")),
                op("CREATE", "create-ro", "create", "volumes", disk(100, "ro-vol", "ro", "RO"))));
        assertEquals("OPERATION_FINISHED", opStatus("create-ro").path("state").asText());
        // something for the task to read in the read-only volume
        Path roData = agent.workDir.resolve("volumes/roles/db/ro-vol");
        Files.createDirectories(roData);
        Files.writeString(roData.resolve("seed"), "seeded");

        JsonNode withVolumes = offer(r -> hasVolume(r, "rw-vol") && hasVolume(r, "ro-vol"));
        assertEquals(202, accept(withVolumes, taskUsingVolumes(withVolumes, "mounted",
                "echo out > rw/out && grep -q seeded ro/seed && ! test -L rw && ! test -L ro"
                        + " && if echo x > ro/x; then exit 9; fi",
                disk(100, "rw-vol", "rw", "RW"), disk(100, "ro-vol", "ro", "RO"))));
        runToEnd("mounted", "TASK_FINISHED");
        assertEquals("out", Files.readString(agent.workDir.resolve("volumes/roles/db/rw-vol/out")).trim());
        assertFalse(Files.exists(roData.resolve("x")));
    }
}
