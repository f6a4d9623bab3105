package io.pangaea.protobuf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/**
 * A JSON call is checked through the direct encoder first, and through protobuf's JSON parser only when the encoder
 * does not take it: the verdict (and the reason given) must be the parser's own in every case.
 */
public class CallCheckTest {

    /** What protobuf's parser alone says: null for a valid call, else the reason. */
    private static String parserVerdict(ProtobufCodec.Api api, String json) {
        Message.Builder b = api == ProtobufCodec.Api.EXECUTOR ? org.apache.mesos.v1.executor.Protos.Call.newBuilder()
                : org.apache.mesos.v1.scheduler.Protos.Call.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return "invalid: " + e.getMessage();
        }
        return b.isInitialized() ? null : "missing: " + b.findInitializationErrors();
    }

    private static void sameVerdict(ProtobufCodec.Api api, String json) {
        String parser = parserVerdict(api, json);
        String checked = ProtobufCodec.invalidJsonCall(api, json.getBytes(StandardCharsets.UTF_8));
        assertEquals(json + " -> parser: " + parser + ", check: " + checked, parser == null, checked == null);
    }

    private static final String FW = "\"framework_id\":{\"value\":\"f1\"}";

    @Test
    public void validCallsPass() {
        String[] valid = {
            "{\"type\":\"HEARTBEAT\"}",
            "{" + FW + ",\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"S0\"},"
                    + "\"task_id\":{\"value\":\"t1\"},\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\"}}",
            "{" + FW + ",\"type\":\"DECLINE\",\"decline\":{\"offer_ids\":[{\"value\":\"o1\"},{\"value\":\"o2\"}],"
                    + "\"filters\":{\"refuse_seconds\":5.0}}}",
            "{" + FW + ",\"type\":\"REVIVE\",\"revive\":{\"roles\":[\"web\"]},\"unknown_key\":[1,{\"a\":null}]}",
            "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\","
                    + "\"failover_timeout\":\"60\",\"checkpoint\":true,\"capabilities\":[{\"type\":\"MULTI_ROLE\"}]}}}",
            // a value given as null is unset
            "{" + FW + ",\"type\":\"SUPPRESS\",\"suppress\":null}",
        };
        for (String json : valid) {
            assertNull(json, ProtobufCodec.invalidJsonCall(ProtobufCodec.Api.SCHEDULER,
                    json.getBytes(StandardCharsets.UTF_8)));
            sameVerdict(ProtobufCodec.Api.SCHEDULER, json);
        }
    }

    @Test
    public void eachTrickyCallGetsTheParsersVerdict() {
        String[] tricky = {
            // a field given twice: the same key (the parser keeps the last), and by its proto and JSON names
            "{\"type\":\"HEARTBEAT\",\"type\":\"REVIVE\"}",
            "{" + FW + ",\"frameworkId\":{\"value\":\"f2\"},\"type\":\"HEARTBEAT\"}",
            // required fields missing, at the top and nested
            "{" + FW + ",\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"task_id\":{\"value\":\"t1\"}}}",
            "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\"}}}",
            // values of the wrong type, numbers and booleans as strings, strings as numbers
            "{\"type\":\"HEARTBEAT\",\"framework_id\":\"f1\"}",
            "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\","
                    + "\"checkpoint\":\"true\"}}}",
            "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":7,\"name\":\"n\"}}}",
            "{" + FW + ",\"type\":\"DECLINE\",\"decline\":{\"offer_ids\":{\"value\":\"o1\"}}}",
            "{" + FW + ",\"type\":\"DECLINE\",\"decline\":{\"offer_ids\":[null]}}",
            // numbers out of range, or not whole where they must be
            "{" + FW + ",\"type\":\"DECLINE\",\"decline\":{\"offer_ids\":[],\"filters\":{\"refuse_seconds\":1e400}}}",
            "{" + FW + ",\"type\":\"DECLINE\",\"decline\":{\"offer_ids\":[],\"filters\":{\"refuse_seconds\":"
                    + "\"-Infinity\"}}}",
            "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"},"
                    + "\"suppressed_roles\":[\"a\"]}}",
            // bytes: bad base64, URL-safe base64
            "{" + FW + ",\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"S0\"},"
                    + "\"task_id\":{\"value\":\"t1\"},\"uuid\":\"not base64!\"}}",
            "{" + FW + ",\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"agent_id\":{\"value\":\"S0\"},"
                    + "\"task_id\":{\"value\":\"t1\"},\"uuid\":\"-_8=\"}}",
            // enums: unknown names and numbers
            "{\"type\":\"NO_SUCH_TYPE\"}",
            "{\"type\":3}",
            "{\"type\":999}",
            // not an object, trailing text, broken JSON
            "[]", "\"HEARTBEAT\"", "{\"type\":\"HEARTBEAT\"} {}", "{\"type\":", "",
        };
        for (String json : tricky) {
            sameVerdict(ProtobufCodec.Api.SCHEDULER, json);
        }
    }

    @Test
    public void executorCallsToo() {
        sameVerdict(ProtobufCodec.Api.EXECUTOR, "{\"type\":\"UPDATE\",\"executor_id\":{\"value\":\"e\"},"
                + FW + ",\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_RUNNING\","
                + "\"uuid\":\"AAECAwQFBgcICQoLDA0ODw==\",\"source\":\"SOURCE_EXECUTOR\"}}}");
        sameVerdict(ProtobufCodec.Api.EXECUTOR, "{\"type\":\"UPDATE\",\"executor_id\":{\"value\":\"e\"},"
                + FW + ",\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"}}}}");
    }
}
