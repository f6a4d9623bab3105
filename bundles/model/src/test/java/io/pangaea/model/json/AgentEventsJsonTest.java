package io.pangaea.model.json;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import io.pangaea.model.FrameworkId;
import io.pangaea.model.TaskId;
import io.pangaea.model.agentproto.AgentEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.Test;

public class AgentEventsJsonTest {

    private static void same(FrameworkId f, TaskId t, String uuid) {
        byte[] generic = MesosJson.write(AgentEvent.acknowledge(new AgentEvent.Acknowledge(f, t, uuid)));
        byte[] direct = AgentEventsJson.acknowledge(f, t, uuid);
        assertArrayEquals(new String(generic, StandardCharsets.UTF_8) + "\n" + new String(direct,
                StandardCharsets.UTF_8), generic, direct);
    }

    @Test
    public void anAcknowledgementIsWhatTheGenericSerializerWrites() {
        same(FrameworkId.of("f1-0000"), TaskId.of("task-1"), "2b2d9a0e-0c36-4a52-9b8e-8e4f0f3d2a51");
        assertEquals("{\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"framework_id\":{\"value\":\"f\"},"
                + "\"task_id\":{\"value\":\"t\"},\"uuid\":\"u\"}}", new String(AgentEventsJson.acknowledge(
                        FrameworkId.of("f"), TaskId.of("t"), "u"), StandardCharsets.UTF_8));
    }

    @Test
    public void escapesNonAsciiAndMissingPartsAreWrittenAsTheGenericSerializerDoes() {
        for (String s : Arrays.asList("quote\" back\\slash", "tab\tnew\nline\u0001", "ünïcödé ✓ 𝄞", "</script>",
                "", null)) {
            same(FrameworkId.of(s), TaskId.of(s), s);
        }
        List<FrameworkId> frameworks = Arrays.asList(null, FrameworkId.of("f"));
        List<TaskId> tasks = Arrays.asList(null, TaskId.of("t"));
        for (FrameworkId f : frameworks) {
            for (TaskId t : tasks) {
                same(f, t, null);
                same(f, t, "u");
            }
        }
    }

    private static void sameLaunch(String frameworkInfo, String task) throws MesosJsonException {
        io.pangaea.model.FrameworkInfo info = MesosJson.read(frameworkInfo.getBytes(StandardCharsets.UTF_8),
                io.pangaea.model.FrameworkInfo.class);
        io.pangaea.model.TaskInfo t = task == null ? null : MesosJson.read(task.getBytes(StandardCharsets.UTF_8),
                io.pangaea.model.TaskInfo.class);
        byte[] generic = MesosJson.write(AgentEvent.launch(new AgentEvent.Launch(info, t)));
        byte[] direct = AgentEventsJson.launch(AgentEventsJson.frameworkInfo(info), t);
        assertArrayEquals(new String(generic, StandardCharsets.UTF_8) + "\n" + new String(direct,
                StandardCharsets.UTF_8), generic, direct);
    }

    @Test
    public void aLaunchIsWhatTheGenericSerializerWrites() throws MesosJsonException {
        String framework = "{\"id\":{\"value\":\"f-0001\"},\"user\":\"root\",\"name\":\"ünï \\\"q\\\"\","
                + "\"failover_timeout\":3600.5,\"checkpoint\":true,\"roles\":[\"a\",\"b/c\"],"
                + "\"capabilities\":[{\"type\":\"MULTI_ROLE\"}],\"labels\":{\"labels\":[{\"key\":\"k\","
                + "\"value\":\"v\"}]}}";
        sameLaunch(framework, "{\"name\":\"t\",\"task_id\":{\"value\":\"t1\"},\"agent_id\":{\"value\":\"a1\"},"
                + "\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1},"
                + "\"allocation_info\":{\"role\":\"a\"}},{\"name\":\"ports\",\"type\":\"RANGES\","
                + "\"ranges\":{\"range\":[{\"begin\":31000,\"end\":31001}]}}],"
                + "\"command\":{\"shell\":true,\"value\":\"echo \\u2713 && true\"},"
                + "\"labels\":{\"labels\":[{\"key\":\"x\",\"value\":\"</y>\"}]}}");
        sameLaunch("{\"user\":\"\",\"name\":\"\"}", "{\"name\":\"\",\"task_id\":{\"value\":\"\"},"
                + "\"agent_id\":{\"value\":\"a\"},\"resources\":[]}");
        sameLaunch(framework, null);
    }
}
