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
        Message.Builder b = api.out.get();
        try {
            PARSER.merge(new String(json, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("Cannot encode as " + b.getDescriptorForType().getFullName() + ": "
                    + e.getMessage(), e);
        }
        return b.buildPartial().toByteArray();
    }

    /** One task ({@code mesos.v1.Task}) from its JSON, encoded. */
    public static byte[] task(byte[] json) {
        Message.Builder b = org.apache.mesos.v1.Protos.Task.newBuilder();
        try {
            PARSER.merge(new String(json, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("Cannot encode as mesos.v1.Task: " + e.getMessage(), e);
        }
        return b.buildPartial().toByteArray();
    }

    /**
     * A master operator Response ({@code response}, encoded, without tasks) with tasks already encoded added to its
     * {@code GetTasks} at {@code path} (e.g. {@code get_state, get_tasks}): protobuf merges a message field that
     * comes twice and appends repeated ones, so the tasks follow the rest as one more field of the response. This
     * spares a large state its tasks' round trip through JSON on every read.
     */
    public static byte[] withTasks(byte[] response, List<String> path, List<byte[]> tasks, List<byte[]> unreachable,
                                   List<byte[]> completed) {
        com.google.protobuf.Descriptors.Descriptor getTasks =
                org.apache.mesos.v1.master.Protos.Response.GetTasks.getDescriptor();
        java.io.ByteArrayOutputStream inner = new java.io.ByteArrayOutputStream();
        try {
            com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(inner);
            writeAll(out, getTasks.findFieldByName("tasks").getNumber(), tasks);
            writeAll(out, getTasks.findFieldByName("unreachable_tasks").getNumber(), unreachable);
            writeAll(out, getTasks.findFieldByName("completed_tasks").getNumber(), completed);
            out.flush();
            byte[] body = inner.toByteArray();
            // wrapped from the inside out: Response.get_state.get_tasks, or Response.get_tasks
            List<Integer> numbers = new java.util.ArrayList<>();
            com.google.protobuf.Descriptors.Descriptor d = org.apache.mesos.v1.master.Protos.Response.getDescriptor();
            for (String field : path) {
                com.google.protobuf.Descriptors.FieldDescriptor f = d.findFieldByName(field);
                numbers.add(f.getNumber());
                d = f.getMessageType();
            }
            for (int i = numbers.size() - 1; i >= 0; i--) {
                java.io.ByteArrayOutputStream wrap = new java.io.ByteArrayOutputStream(body.length + 16);
                com.google.protobuf.CodedOutputStream w = com.google.protobuf.CodedOutputStream.newInstance(wrap);
                w.writeByteArray(numbers.get(i), body);
                w.flush();
                body = wrap.toByteArray();
            }
            byte[] all = java.util.Arrays.copyOf(response, response.length + body.length);
            System.arraycopy(body, 0, all, response.length, body.length);
            return all;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeAll(com.google.protobuf.CodedOutputStream out, int field, List<byte[]> messages)
            throws java.io.IOException {
        for (byte[] m : messages) {
            out.writeByteArray(field, m);
        }
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
