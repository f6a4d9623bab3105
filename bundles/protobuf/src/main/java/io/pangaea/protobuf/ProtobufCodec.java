package io.pangaea.protobuf;

import java.util.List;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Translates the v1 APIs' protobuf messages (Mesos 1.11's own generated classes) to and from the JSON the rest of
 * Pangaea reads and writes. Calls that arrive as {@code application/x-protobuf} are parsed with the Mesos message
 * class and printed as Mesos JSON (proto field names); events and responses that go to a protobuf client are parsed
 * from Pangaea's JSON into the Mesos message and serialized. So the wire mapping stays in one place (the JSON
 * mapping) and protobuf clients see exactly the messages Mesos defines.
 */
public final class ProtobufCodec {

    /** One v1 API: its call message and the message it answers or streams with. */
    public enum Api {
        SCHEDULER(org.apache.mesos.v1.scheduler.Protos.Call::newBuilder,
                org.apache.mesos.v1.scheduler.Protos.Event::newBuilder),
        EXECUTOR(org.apache.mesos.v1.executor.Protos.Call::newBuilder,
                org.apache.mesos.v1.executor.Protos.Event::newBuilder),
        MASTER_OPERATOR(org.apache.mesos.v1.master.Protos.Call::newBuilder,
                org.apache.mesos.v1.master.Protos.Response::newBuilder),
        MASTER_OPERATOR_EVENTS(org.apache.mesos.v1.master.Protos.Call::newBuilder,
                org.apache.mesos.v1.master.Protos.Event::newBuilder),
        AGENT_OPERATOR(org.apache.mesos.v1.agent.Protos.Call::newBuilder,
                org.apache.mesos.v1.agent.Protos.Response::newBuilder);

        private final Supplier<Message.Builder> call;
        private final Supplier<Message.Builder> out;

        Api(Supplier<Message.Builder> call, Supplier<Message.Builder> out) {
            this.call = call;
            this.out = out;
        }
    }

    /** A body that is not a valid protobuf message of the expected type. */
    public static final class CodecException extends Exception {
        public CodecException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private ProtobufCodec() {}

    /** A protobuf call as Mesos JSON; 64-bit integers come out as strings, which the JSON reader accepts. */
    public static byte[] callToJson(Api api, byte[] protobuf) throws CodecException {
        Message.Builder b = api.call.get();
        try {
            b.mergeFrom(protobuf);
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException("Failed to parse body into Call protobuf: " + e.getMessage(), e);
        }
        if (!b.isInitialized()) {
            throw new CodecException("Failed to parse body into Call protobuf: missing required fields "
                    + b.findInitializationErrors(), null);
        }
        try {
            return PRINTER.print(b).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException("Failed to convert the Call to JSON: " + e.getMessage(), e);
        }
    }

    /**
     * An event or response Pangaea wrote as JSON, as the Mesos protobuf message. Keys Mesos does not define are
     * dropped. Throws IllegalArgumentException if the JSON does not fit the message (a Pangaea bug, not the
     * client's).
     */
    public static byte[] toProtobuf(Api api, byte[] json) {
        return message(api.out.get(), json);
    }

    /** One task ({@code mesos.v1.Task}) from its JSON, encoded. */
    public static byte[] task(byte[] json) {
        return message(org.apache.mesos.v1.Protos.Task.newBuilder(), json);
    }

    /** One agent of GET_AGENTS ({@code mesos.v1.master.Response.GetAgents.Agent}) from its JSON, encoded. */
    public static byte[] agent(byte[] json) {
        return message(org.apache.mesos.v1.master.Protos.Response.GetAgents.Agent.newBuilder(), json);
    }

    /**
     * {@code json} as the message {@code b} builds, encoded: straight from the JSON to the wire where
     * {@link JsonToProtobuf} takes it, else through protobuf's own JSON parser (which also says what is wrong).
     */
    private static byte[] message(Message.Builder b, byte[] json) {
        try {
            return JsonToProtobuf.encode(b.getDescriptorForType(), json);
        } catch (JsonToProtobuf.Unsupported notHere) {
            // protobuf's parser decides
        }
        try {
            PARSER.merge(new String(json, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("Cannot encode as " + b.getDescriptorForType().getFullName() + ": "
                    + e.getMessage(), e);
        }
        return b.buildPartial().toByteArray();
    }

    /**
     * Messages already encoded, for the repeated fields of the master operator Response's message at {@code path}
     * (e.g. {@code get_state, get_agents}): field name to messages, in order.
     */
    public record Appended(List<String> path, java.util.Map<String, List<byte[]>> fields) {}

    /**
     * Writes a master operator Response ({@code response}, encoded) with messages already encoded added to repeated
     * fields: protobuf merges a message field that comes twice and appends repeated ones, so they follow the rest as
     * more fields of the response, after what {@code response} has in those fields. This spares a large state its
     * tasks' and agents' round trip through JSON on every read. Written to {@code sink} as it goes: a big cluster's
     * state (95 MB at 20,000 agents) is never held whole.
     */
    public static void writeWithRepeated(byte[] response, List<Appended> parts, java.io.OutputStream sink)
            throws java.io.IOException {
        record Level(int number, int size) {}
        List<List<Level>> levels = new java.util.ArrayList<>();
        List<List<java.util.Map.Entry<Integer, List<byte[]>>>> bodies = new java.util.ArrayList<>();
        long total = response.length;
        for (Appended part : parts) {
            com.google.protobuf.Descriptors.Descriptor d = org.apache.mesos.v1.master.Protos.Response.getDescriptor();
            List<Integer> numbers = new java.util.ArrayList<>();
            for (String field : part.path()) {
                com.google.protobuf.Descriptors.FieldDescriptor f = d.findFieldByName(field);
                numbers.add(f.getNumber());
                d = f.getMessageType();
            }
            List<java.util.Map.Entry<Integer, List<byte[]>>> body = new java.util.ArrayList<>();
            long size = 0;
            for (var e : part.fields().entrySet()) {
                com.google.protobuf.Descriptors.FieldDescriptor f = d.findFieldByName(e.getKey());
                if (f == null || !f.isRepeated()) {
                    throw new IllegalArgumentException(d.getFullName() + " has no repeated field " + e.getKey());
                }
                body.add(java.util.Map.entry(f.getNumber(), e.getValue()));
                for (byte[] m : e.getValue()) {
                    size += com.google.protobuf.CodedOutputStream.computeByteArraySize(f.getNumber(), m);
                }
            }
            // wrapped from the inside out: Response.get_state.get_tasks, or Response.get_tasks
            List<Level> wrap = new java.util.ArrayList<>();
            for (int i = numbers.size() - 1; i >= 0; i--) {
                wrap.add(0, new Level(numbers.get(i), Math.toIntExact(size)));
                size += com.google.protobuf.CodedOutputStream.computeTagSize(numbers.get(i))
                        + com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(Math.toIntExact(size));
            }
            levels.add(wrap);
            bodies.add(body);
            total += size;
        }
        Math.toIntExact(total); // a protobuf message holds at most 2 GB
        sink.write(response);
        com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(sink, 64 * 1024);
        for (int p = 0; p < parts.size(); p++) {
            for (Level l : levels.get(p)) {
                out.writeTag(l.number(), com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(l.size());
            }
            for (var e : bodies.get(p)) {
                writeAll(out, e.getKey(), e.getValue());
            }
        }
        out.flush();
        if (out.getTotalBytesWritten() != total - response.length) {
            throw new IllegalStateException("wrote " + out.getTotalBytesWritten() + " bytes after the response's "
                    + response.length + ", not " + (total - response.length));
        }
    }

    private static void writeAll(com.google.protobuf.CodedOutputStream out, int field, List<byte[]> messages)
            throws java.io.IOException {
        for (byte[] m : messages) {
            out.writeByteArray(field, m);
        }
    }

    /** The tasks of a GetTasks at {@code path} (e.g. {@code get_state, get_tasks}), for {@link #writeWithRepeated}. */
    public static Appended tasks(List<String> path, List<byte[]> tasks, List<byte[]> unreachable,
                                 List<byte[]> completed) {
        java.util.Map<String, List<byte[]>> fields = new java.util.LinkedHashMap<>();
        fields.put("tasks", tasks);
        fields.put("unreachable_tasks", unreachable);
        fields.put("completed_tasks", completed);
        return new Appended(path, fields);
    }

    /** The other direction of {@link #toProtobuf}, for tests and clients: a protobuf message as Mesos JSON. */
    public static String toJson(Api api, byte[] protobuf) throws CodecException {
        Message.Builder b = api.out.get();
        try {
            b.mergeFrom(protobuf);
            return PRINTER.print(b);
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException("Not a " + b.getDescriptorForType().getFullName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks a JSON call the way Mesos reads one, by converting it into the Call message: a value of the wrong type,
     * bad base64 or a missing required field makes it invalid. Returns the reason, or null when it converts. Unknown
     * keys are ignored, {@code null} is unset, and numbers and booleans may come as strings.
     */
    public static String invalidJsonCall(Api api, byte[] json) {
        if (depth(json) > MAX_DEPTH) {
            // protobuf's JSON parser recurses once a level: a deep enough body would overflow the thread's stack
            return "Failed to convert JSON into Call protobuf: nested more than " + MAX_DEPTH + " levels deep";
        }
        Message.Builder b = api.call.get();
        try {
            // the direct encoder first: a few times cheaper than protobuf's parser, which was a quarter of the
            // master's HTTP threads' time under load (every call is checked). It takes what the parser would
            // build the same message from; anything else, and a call missing a required field, is left to the
            // parser, which has the last word and gives the reason.
            b.mergeFrom(JsonToProtobuf.encode(b.getDescriptorForType(), json));
            if (b.isInitialized()) {
                return null;
            }
        } catch (JsonToProtobuf.Unsupported | InvalidProtocolBufferException notHere) {
            // the parser decides
        }
        b = api.call.get();
        try {
            PARSER.merge(new String(json, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            String why = String.valueOf(e.getMessage());
            int cut = why.lastIndexOf("Exception: ");
            if (cut >= 0) { // e.g. guava's base64 DecodingException, wrapped: keep its own words only
                why = "Failed to base64 decode a bytes field: " + why.substring(cut + "Exception: ".length());
            }
            return "Failed to convert JSON into Call protobuf: " + why;
        }
        if (!b.isInitialized()) {
            return "Failed to convert JSON into Call protobuf: Missing required fields: "
                    + String.join(", ", b.findInitializationErrors());
        }
        return null;
    }

    /** Deeper than any Mesos call: {@code Call.accept.operations[].launch_group.task_group.tasks[]...} is ~15. */
    static final int MAX_DEPTH = 100;

    /** How deep the objects and arrays of a JSON text nest (brackets inside strings do not count). */
    static int depth(byte[] json) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte c = json[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                max = Math.max(max, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return max;
    }

    /** A JSON call as protobuf bytes (for clients and tests). */
    public static byte[] callFromJson(Api api, String json) throws CodecException {
        Message.Builder b = api.call.get();
        try {
            PARSER.merge(json, b);
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException("Not a Call: " + e.getMessage(), e);
        }
        return b.buildPartial().toByteArray();
    }
}
