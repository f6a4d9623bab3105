package io.pangaea.protobuf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.mesos.v1.Protos;
import org.junit.Test;

/**
 * The direct encoder against protobuf's own JSON parser, which it replaces: the same message for the real Mesos
 * 1.11 answers and events in {@code testdata/mesos-reference}, for generated tasks, and for what it must refuse.
 */
public class JsonToProtobufTest {

    private static final Path REFERENCE = Path.of("../../testdata/mesos-reference");
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    /** What {@code json} gives through protobuf's parser and through the encoder; asserts they are one message. */
    private static Message same(Message.Builder type, String json) throws Exception {
        Message.Builder viaParser = type.clone();
        PARSER.merge(json, viaParser);
        Message expected = viaParser.buildPartial();
        byte[] direct = JsonToProtobuf.encode(type.getDescriptorForType(), json.getBytes(StandardCharsets.UTF_8));
        Message actual = type.clone().mergeFrom(direct).buildPartial();
        assertEquals(expected, actual);
        assertEquals("the same size on the wire", expected.getSerializedSize(), direct.length);
        return actual;
    }

    @Test
    public void mesosOperatorAnswersGiveTheSameMessages() throws Exception {
        int checked = 0;
        try (var files = Files.list(REFERENCE)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("operator_")).sorted().toList()) {
                same(org.apache.mesos.v1.master.Protos.Response.newBuilder(), Files.readString(f));
                checked++;
            }
        }
        assertTrue("the reference answers were found: " + checked, checked >= 8);
        Message state = same(org.apache.mesos.v1.master.Protos.Response.newBuilder(),
                Files.readString(REFERENCE.resolve("operator_GET_STATE.json")));
        assertTrue(((org.apache.mesos.v1.master.Protos.Response) state).getGetState().getGetTasks().getTasksCount()
                > 0);
    }

    @Test
    public void mesosSchedulerEventsGiveTheSameMessages() throws Exception {
        String stream = Files.readString(REFERENCE.resolve("scheduler-stream.recordio"));
        List<String> events = new ArrayList<>();
        for (int at = 0; at < stream.length(); ) {
            int newline = stream.indexOf('\n', at);
            int length = Integer.parseInt(stream.substring(at, newline).trim());
            byte[] rest = stream.substring(newline + 1).getBytes(StandardCharsets.UTF_8);
            String event = new String(rest, 0, length, StandardCharsets.UTF_8);
            events.add(event);
            at = newline + 1 + event.length();
        }
        assertTrue(events.size() >= 3);
        for (String e : events) {
            same(org.apache.mesos.v1.scheduler.Protos.Event.newBuilder(), e);
        }
    }

    @Test
    public void generatedTasksGiveTheSameMessages() throws Exception {
        Random random = new Random(16);
        String[] states = {"TASK_STAGING", "TASK_RUNNING", "TASK_FINISHED", "TASK_LOST"};
        for (int i = 0; i < 200; i++) {
            StringBuilder labels = new StringBuilder();
            for (int l = random.nextInt(4); l > 0; l--) {
                labels.append(labels.length() == 0 ? "" : ",").append("{\"key\":\"k").append(l)
                        .append("\",\"value\":\"v\\u00e9\\\"").append(random.nextInt()).append("\"}");
            }
            String json = "{\"name\":\"t" + i + "\",\"task_id\":{\"value\":\"t-" + i + "\"},"
                    + "\"framework_id\":{\"value\":\"F\"},\"agent_id\":{\"value\":\"S" + random.nextInt(9) + "\"},"
                    + "\"state\":\"" + states[random.nextInt(states.length)] + "\",\"resources\":["
                    + "{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":" + random.nextDouble() + "},"
                    + "\"role\":\"*\",\"allocation_info\":{\"role\":\"web\"}},"
                    + "{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":[{\"begin\":31000,\"end\":"
                    + (31000 + random.nextInt(1000)) + "}]}},"
                    + "{\"name\":\"disks\",\"type\":\"SET\",\"set\":{\"item\":[\"a\",\"b\"]}}],"
                    + "\"statuses\":[{\"task_id\":{\"value\":\"t-" + i + "\"},\"state\":\"TASK_RUNNING\","
                    + "\"timestamp\":" + (1.7e9 + random.nextInt()) + ",\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\","
                    + "\"source\":\"SOURCE_EXECUTOR\",\"healthy\":" + random.nextBoolean() + ","
                    + "\"container_status\":{\"executor_pid\":" + random.nextInt(99999) + ",\"network_infos\":["
                    + "{\"ip_addresses\":[{\"ip_address\":\"10.0.0.1\"}]}]}}],"
                    + "\"labels\":{\"labels\":[" + labels + "]},\"pangaea_only\":{\"x\":[1,{\"y\":null}]},"
                    + "\"user\":null,\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"busybox\","
                    + "\"network\":\"NONE\",\"force_pull_image\":false,\"parameters\":[]}}}";
            same(Protos.Task.newBuilder(), json);
        }
    }

    @Test
    public void numbersMayBeQuotedOrWholeDecimals() throws Exception {
        Protos.Offer offer = (Protos.Offer) same(Protos.Offer.newBuilder(), "{\"id\":{\"value\":\"o\"},"
                + "\"framework_id\":{\"value\":\"f\"},\"agent_id\":{\"value\":\"a\"},\"hostname\":\"h\","
                + "\"url\":{\"scheme\":\"http\",\"address\":{\"port\":\"5051\",\"ip\":\"127.0.0.1\"},"
                + "\"path\":\"/\"},\"resources\":[{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":"
                + "[{\"begin\":\"31000\",\"end\":3.2e4}]}}],\"unavailability\":{\"start\":{\"nanoseconds\":"
                + "\"-12\"}}}");
        assertEquals(5051, offer.getUrl().getAddress().getPort());
        assertEquals(32000, offer.getResources(0).getRanges().getRange(0).getEnd());
        assertEquals(-12, offer.getUnavailability().getStart().getNanoseconds());
    }

    @Test
    public void aBigMessageIsNotKeptAndAFailureLeavesNothingBehind() throws Exception {
        StringBuilder tasks = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            tasks.append(i == 0 ? "" : ",").append("{\"name\":\"task-").append(i).append("\",\"task_id\":{\"value\":\"t")
                    .append(i).append("\"},\"framework_id\":{\"value\":\"F\"},\"agent_id\":{\"value\":\"S\"},")
                    .append("\"state\":\"TASK_RUNNING\"}");
        }
        String big = "{\"type\":\"GET_TASKS\",\"get_tasks\":{\"tasks\":[" + tasks + "]}}";
        Message answer = same(org.apache.mesos.v1.master.Protos.Response.newBuilder(), big);
        assertEquals(5_000, ((org.apache.mesos.v1.master.Protos.Response) answer).getGetTasks().getTasksCount());
        assertTrue("kept " + JsonToProtobuf.keptBytes(), JsonToProtobuf.keptBytes() <= 4 * 64 * 1024);

        // a message that fails deep inside, after bytes were written at every depth, then a good one
        assertThrows(JsonToProtobuf.Unsupported.class, () -> JsonToProtobuf.encode(Protos.Task.getDescriptor(),
                ("{\"name\":\"x\",\"statuses\":[{\"task_id\":{\"value\":\"t\"},\"container_status\":"
                        + "{\"network_infos\":[{\"ip_addresses\":[{\"ip_address\":7}]}]}}]}")
                        .getBytes(StandardCharsets.UTF_8)));
        same(Protos.Task.newBuilder(), "{\"name\":\"y\",\"statuses\":[{\"task_id\":{\"value\":\"u\"},"
                + "\"state\":\"TASK_RUNNING\",\"container_status\":{\"executor_pid\":3}}]}");
    }

    @Test
    public void whatDoesNotFitIsLeftToProtobufsParser() {
        for (String wrong : new String[] {"[]", "{\"name\":{}}", "{\"name\":\"t\",\"statuses\":{}}",
                "{\"name\":\"t\"} trailing", "{\"statuses\":[null]}", "{\"task_id\":{\"value\":1.5e400x}}",
                "{\"resources\":[{\"scalar\":{\"value\":true}}]}"}) {
            assertThrows(wrong, JsonToProtobuf.Unsupported.class, () -> JsonToProtobuf.encode(
                    Protos.Task.getDescriptor(), wrong.getBytes(StandardCharsets.UTF_8)));
        }
        // and through the codec, what neither takes is still an error that names the message
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProtobufCodec.task("{\"statuses\":{}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage(), e.getMessage().startsWith("Cannot encode as mesos.v1.Task"));
    }
}
