package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.model.AgentId;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.Test;

/**
 * The operator event stream's SUBSCRIBED is written out off the loop; the events published meanwhile must follow it,
 * in the order they were published, and later ones go straight out.
 */
public class OperatorEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> events(PartsFixture.Sink sink) {
        return sink.records.stream().map(r -> {
            try {
                return JSON.readTree(r);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    public void eventsPublishedWhileTheStateIsWrittenFollowItInOrder() {
        try (PartsFixture f = new PartsFixture()) {
            for (int i = 0; i < 200; i++) {
                f.agent("a" + i, "cpus:2;mem:1024;ports:[31000-32000]");
            }
            PartsFixture.Sink sink = new PartsFixture.Sink();
            f.run(() -> {
                f.ctx.events.subscribe(sink, Viewer.ALL);
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    f.ctx.events.publish("AGENT_REMOVED", "agent_id", () -> AgentId.of("gone-" + n));
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> sink.records.size() == 101);
            f.run(() -> f.ctx.events.publish("AGENT_REMOVED", "agent_id", () -> AgentId.of("gone-after")));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> sink.records.size() == 102);
            List<JsonNode> events = events(sink);
            assertEquals("SUBSCRIBED", events.get(0).path("type").asText());
            assertEquals(200, events.get(0).at("/subscribed/get_state/get_agents/agents").size());
            for (int i = 0; i < 100; i++) {
                assertEquals("gone-" + i, events.get(i + 1).at("/agent_removed/agent_id/value").asText());
            }
            assertEquals("gone-after", events.get(101).at("/agent_removed/agent_id/value").asText());
        }
    }

    /** An agent's parts are kept encoded between reads, and made again once they change. */
    @Test
    public void anAgentsEncodedPartsFollowItsChanges() throws Exception {
        try (PartsFixture f = new PartsFixture()) {
            MasterState.AgentEntry a = f.agent("a1", "cpus:2;mem:1024");
            JsonNode before = JSON.readTree(io.pangaea.model.json.MesosJson.write(
                    f.on(() -> new MasterViews(null, f.state, Viewer.ALL).v1().getAgents())));
            assertEquals(2.0, before.at("/agents/0/total_resources/0/scalar/value").asDouble(), 0);
            f.run(() -> {
                a.setTotal(io.pangaea.model.Resources.parse("cpus:4;mem:1024"));
                a.setInfo(new io.pangaea.model.AgentInfo("renamed", 5051, a.total().toList(), List.of(), a.id));
            });
            JsonNode after = JSON.readTree(io.pangaea.model.json.MesosJson.write(
                    f.on(() -> new MasterViews(null, f.state, Viewer.ALL).v1().getAgents())));
            assertEquals(4.0, after.at("/agents/0/total_resources/0/scalar/value").asDouble(), 0);
            assertEquals("renamed", after.at("/agents/0/agent_info/hostname").asText());
            assertEquals(true, after.at("/agents/0/agent_info/checkpoint").asBoolean());
            // and /slaves (the legacy form), its attributes too
            JsonNode legacy = JSON.readTree(io.pangaea.model.json.MesosJson.write(
                    f.on(() -> new MasterViews(null, f.state, Viewer.ALL).slaves())));
            assertEquals(4.0, legacy.at("/slaves/0/resources/cpus").asDouble(), 0);
            f.run(() -> {
                a.setTotal(io.pangaea.model.Resources.parse("cpus:8;mem:1024"));
                a.setInfo(new io.pangaea.model.AgentInfo("renamed", 5051, a.total().toList(),
                        List.of(io.pangaea.model.Attribute.text("rack", "r1")), a.id));
            });
            legacy = JSON.readTree(io.pangaea.model.json.MesosJson.write(
                    f.on(() -> new MasterViews(null, f.state, Viewer.ALL).slaves())));
            assertEquals(8.0, legacy.at("/slaves/0/resources/cpus").asDouble(), 0);
            assertEquals(8.0, legacy.at("/slaves/0/unreserved_resources/cpus").asDouble(), 0);
            assertEquals("r1", legacy.at("/slaves/0/attributes/rack").asText());
        }
    }
    /**
     * An agent's whole entry in /master/state ({@code agentsEncoded}, its {@code slaves}) and in GET_AGENTS is kept
     * encoded between reads (the same node is written again), and is made again once any of its fields changes.
     */
    @Test
    public void anAgentsWholeEntryIsKeptEncodedAndFollowsItsChanges() throws Exception {
        try (PartsFixture f = new PartsFixture()) {
            MasterState.AgentEntry a = f.agent("a1", "cpus:2;mem:1024");
            MasterState.FrameworkEntry fw = f.framework("f1", "*");
            java.util.function.Supplier<JsonNode[]> views = () -> {
                MasterViews v = new MasterViews(null, f.state, Viewer.ALL);
                return new JsonNode[] {v.agentsEncoded().get(0), v.v1().getAgents().get("agents").get(0)};
            };
            JsonNode[] first = f.on(views);
            JsonNode legacy = JSON.readTree(io.pangaea.model.json.MesosJson.write(first[0]));
            JsonNode v1 = JSON.readTree(io.pangaea.model.json.MesosJson.write(first[1]));
            assertEquals(2.0, legacy.at("/resources/cpus").asDouble(), 0);
            assertEquals(0.0, legacy.at("/used_resources/cpus").asDouble(), 0);
            assertTrue(legacy.at("/active").asBoolean());
            assertEquals(2.0, v1.at("/total_resources/0/scalar/value").asDouble(), 0);
            // written, hence kept: the next reads place the same node, which writes the same JSON
            JsonNode[] second = f.on(views);
            JsonNode[] third = f.on(views);
            assertTrue("the legacy entry is kept", second[0] == third[0]);
            assertTrue("the v1 entry is kept", second[1] == third[1]);
            assertEquals(legacy, JSON.readTree(io.pangaea.model.json.MesosJson.write(third[0])));
            assertEquals(v1, JSON.readTree(io.pangaea.model.json.MesosJson.write(third[1])));
            // a task comes: what the agent uses changes
            f.run(() -> {
                MasterState.TaskEntry e = new MasterState.TaskEntry(new io.pangaea.model.TaskInfo("t",
                        io.pangaea.model.TaskId.of("t1"), a.id, List.of(), null, null, null, null, null, null, null),
                        fw.id, a.id, "*", io.pangaea.model.Resources.parse("cpus:1;mem:10"));
                e.setState(io.pangaea.model.TaskState.TASK_RUNNING);
                fw.tasks.put(e.info.taskId(), e);
                a.tasks.put(e.key(), e);
            });
            JsonNode[] used = f.on(views);
            assertEquals(1.0, JSON.readTree(io.pangaea.model.json.MesosJson.write(used[0]))
                    .at("/used_resources/cpus").asDouble(), 0);
            assertEquals(1.0, JSON.readTree(io.pangaea.model.json.MesosJson.write(used[1]))
                    .at("/allocated_resources/0/scalar/value").asDouble(), 0);
            // it disconnects, then is deactivated
            f.run(() -> a.setConnected(false));
            JsonNode gone = JSON.readTree(io.pangaea.model.json.MesosJson.write(f.on(views)[0]));
            assertEquals(false, gone.at("/active").asBoolean());
            assertEquals(false, gone.at("/deactivated").asBoolean());
            f.run(() -> a.setDeactivated(true));
            JsonNode[] off = f.on(views);
            assertEquals(true, JSON.readTree(io.pangaea.model.json.MesosJson.write(off[0]))
                    .at("/deactivated").asBoolean());
            assertEquals(true, JSON.readTree(io.pangaea.model.json.MesosJson.write(off[1]))
                    .at("/deactivated").asBoolean());
            // re-registered: its time shows
            f.run(() -> a.reregisteredTime = 1234.5);
            assertEquals(1234.5, JSON.readTree(io.pangaea.model.json.MesosJson.write(f.on(views)[0]))
                    .at("/reregistered_time").asDouble(), 0);
        }
    }

    /** What an agent's tasks and executors use, kept between reads, follows tasks that come, go and are recovered. */
    @Test
    public void anAgentsUsedResourcesFollowItsTasks() {
        MasterState.AgentEntry a = new MasterState.AgentEntry(io.pangaea.model.AgentId.of("a1"),
                new AgentViews(new java.util.HashMap<>()));
        io.pangaea.model.FrameworkId fw = io.pangaea.model.FrameworkId.of("f");
        java.util.function.Function<String, MasterState.TaskEntry> task = r -> new MasterState.TaskEntry(
                new io.pangaea.model.TaskInfo("t", io.pangaea.model.TaskId.of("t-" + r), a.id, List.of(), null,
                        null, null, null, null, null, null), fw, a.id, "*", io.pangaea.model.Resources.parse(r));
        assertEquals(io.pangaea.model.Resources.EMPTY, a.used());
        MasterState.TaskEntry one = task.apply("cpus:1;mem:10");
        a.tasks.put(new MasterState.TaskKey(fw, one.info.taskId()), one);
        assertEquals(io.pangaea.model.Resources.parse("cpus:1;mem:10"), a.used());
        MasterState.TaskEntry two = task.apply("cpus:2;mem:20");
        a.tasks.put(new MasterState.TaskKey(fw, two.info.taskId()), two);
        assertEquals(io.pangaea.model.Resources.parse("cpus:3;mem:30"), a.used());
        assertEquals(a.used(), a.used());
        one.resourcesRecovered = true;
        assertEquals(io.pangaea.model.Resources.parse("cpus:2;mem:20"), a.used());
        // another entry in the place of one: same count, another sum
        a.tasks.remove(new MasterState.TaskKey(fw, two.info.taskId()));
        MasterState.TaskEntry three = task.apply("cpus:5;mem:50");
        a.tasks.put(new MasterState.TaskKey(fw, three.info.taskId()), three);
        assertEquals(io.pangaea.model.Resources.parse("cpus:5;mem:50"), a.used());
        one.resourcesRecovered = false;
        assertEquals(io.pangaea.model.Resources.parse("cpus:6;mem:60"), a.used());
        a.tasks.clear();
        assertEquals(io.pangaea.model.Resources.EMPTY, a.used());
    }
    /**
     * A task's encodings are made where a view is written, not on the loop, and kept afterwards: the next view
     * writes what was kept, until the task changes.
     */
    @Test
    public void aTasksEncodingsAreMadeOffTheLoopThenKept() throws Exception {
        try (PartsFixture f = new PartsFixture()) {
            MasterState.AgentEntry a = f.agent("a1", "cpus:2;mem:1024");
            MasterState.FrameworkEntry fw = f.framework("f1", "*");
            MasterState.TaskEntry t = f.on(() -> {
                MasterState.TaskEntry e = new MasterState.TaskEntry(new io.pangaea.model.TaskInfo("t",
                        io.pangaea.model.TaskId.of("t1"), a.id, List.of(), null, null, null, null, null, null, null),
                        fw.id, a.id, "*", io.pangaea.model.Resources.parse("cpus:1;mem:10"));
                e.setState(io.pangaea.model.TaskState.TASK_RUNNING);
                fw.tasks.put(e.info.taskId(), e);
                return e;
            });
            java.util.function.Supplier<JsonNode[]> views = () -> {
                MasterViews v = new MasterViews(null, f.state, Viewer.ALL);
                return new JsonNode[] {v.tasks(), v.v1().getTasks()};
            };
            JsonNode[] first = f.on(views);
            assertEquals("nothing encoded on the loop", java.util.Arrays.asList(null, null),
                    f.on(() -> java.util.Arrays.asList(CachedEncoding.kept(t.json, t),
                            CachedEncoding.kept(t.v1Json, t))));
            JsonNode legacy = JSON.readTree(io.pangaea.model.json.MesosJson.write(first[0]));
            assertEquals("TASK_RUNNING", legacy.at("/tasks/0/state").asText());
            assertEquals(1.0, legacy.at("/tasks/0/resources/cpus").asDouble(), 0);
            JsonNode v1 = JSON.readTree(io.pangaea.model.json.MesosJson.write(first[1]));
            assertEquals("TASK_RUNNING", v1.at("/tasks/0/state").asText());
            assertTrue("kept once written", f.on(() -> CachedEncoding.kept(t.json, t) != null
                    && CachedEncoding.kept(t.v1Json, t) != null));
            // written again from what was kept: the same JSON
            JsonNode[] again = f.on(views);
            assertEquals(legacy, JSON.readTree(io.pangaea.model.json.MesosJson.write(again[0])));
            assertEquals(v1, JSON.readTree(io.pangaea.model.json.MesosJson.write(again[1])));
            // the task changes: made again
            f.run(() -> t.setState(io.pangaea.model.TaskState.TASK_FINISHED));
            JsonNode[] changed = f.on(views);
            assertEquals("TASK_FINISHED", JSON.readTree(io.pangaea.model.json.MesosJson.write(changed[0]))
                    .at("/tasks/0/state").asText());
            assertEquals("TASK_FINISHED", JSON.readTree(io.pangaea.model.json.MesosJson.write(changed[1]))
                    .at("/tasks/0/state").asText());
        }
    }
}
