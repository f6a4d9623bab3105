package io.pangaea.protobuf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.apache.mesos.v1.Protos;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.Test;

/** Round trips through Mesos's own generated v1 classes. */
public class ProtobufCodecTest {

    @Test
    public void aProtobufSubscribeCallBecomesMesosJson() throws Exception {
        Call call = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
                .setFrameworkInfo(Protos.FrameworkInfo.newBuilder().setUser("root").setName("pb")
                        .setFailoverTimeout(60).addRoles("web").addCapabilities(Protos.FrameworkInfo.Capability
                                .newBuilder().setType(Protos.FrameworkInfo.Capability.Type.MULTI_ROLE)))).build();
        String json = new String(ProtobufCodec.callToJson(ProtobufCodec.Api.SCHEDULER, call.toByteArray()));
        assertEquals("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"root\",\"name\":\"pb\","
                + "\"failover_timeout\":60.0,\"capabilities\":[{\"type\":\"MULTI_ROLE\"}],\"roles\":[\"web\"]}}}", json);
    }

    @Test
    public void garbageAndIncompleteCallsAreRefused() {
        ProtobufCodec.CodecException e = assertThrows(ProtobufCodec.CodecException.class,
                () -> ProtobufCodec.callToJson(ProtobufCodec.Api.SCHEDULER, new byte[] {(byte) 0xff, 0x01, 0x02}));
        assertTrue(e.getMessage(), e.getMessage().startsWith("Failed to parse body into Call protobuf"));
        // a SUBSCRIBE whose framework_info lacks the required 'user' and 'name'
        byte[] partial = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
                .setFrameworkInfo(Protos.FrameworkInfo.newBuilder().buildPartial()).buildPartial()).buildPartial()
                .toByteArray();
        e = assertThrows(ProtobufCodec.CodecException.class,
                () -> ProtobufCodec.callToJson(ProtobufCodec.Api.SCHEDULER, partial));
        assertTrue(e.getMessage(), e.getMessage().contains("subscribe.framework_info.user"));
    }

    @Test
    public void pangaeaJsonEventsBecomeMesosMessagesAndUnknownKeysAreDropped() throws Exception {
        String json = "{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"t1\"},"
                + "\"state\":\"TASK_RUNNING\",\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\",\"timestamp\":1.5,"
                + "\"agent_id\":{\"value\":\"S0\"},\"source\":\"SOURCE_EXECUTOR\"}},\"pangaea_extra\":1}";
        Event e = Event.parseFrom(ProtobufCodec.toProtobuf(ProtobufCodec.Api.SCHEDULER, json.getBytes()));
        assertEquals(Event.Type.UPDATE, e.getType());
        assertEquals("t1", e.getUpdate().getStatus().getTaskId().getValue());
        assertEquals(Protos.TaskState.TASK_RUNNING, e.getUpdate().getStatus().getState());
        assertEquals(16, e.getUpdate().getStatus().getUuid().size());
        assertEquals(1.5, e.getUpdate().getStatus().getTimestamp(), 0);
    }

    @Test
    public void aCallNestedPastAnyMesosMessageIsRefusedBeforeItsParse() {
        String deep = "{\"type\":\"HEARTBEAT\",\"x\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        String why = ProtobufCodec.invalidJsonCall(ProtobufCodec.Api.SCHEDULER,
                deep.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.junit.Assert.assertTrue(why, why.contains("nested more than 100 levels"));
        org.junit.Assert.assertEquals(3, ProtobufCodec.depth("{\"a\":[{\"b\":\"[[[[\\\"{{\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
