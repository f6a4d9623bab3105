package io.pangaea.protobuf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pangaea's JSON for a Mesos message, written straight to the protobuf wire format as it is read, guided by the
 * message's descriptor. The result is the message protobuf's own JSON parser would build (keys Mesos does not define
 * and {@code null}s are skipped, enums go by name, bytes are base64, numbers may be quoted), without that parser's
 * tree of the whole document, its builders and its reflective setters: tens of microseconds per task less, which a
 * big cluster's first protobuf GET_STATE spends hundreds of thousands of times. It reads with Jackson's streaming
 * parser, straight from the UTF-8 bytes, into buffers each thread keeps for its next message. Fields come out in the
 * JSON's order, which protobuf readers accept. What it does not handle (map fields, protobuf's well-known types,
 * which Mesos's messages do not use) is refused with {@link Unsupported}, for the caller to fall back on protobuf's
 * own parser; so is JSON that does not fit the message.
 */
final class JsonToProtobuf {

    /** JSON this encoder does not take: the caller falls back on protobuf's parser, which says what is wrong. */
    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    /** Per message type: its fields by proto name and by JSON name. */
    private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS = new ConcurrentHashMap<>();
    /** Each thread's buffers, kept for its next message. */
    private static final ThreadLocal<Nesting> NESTING = ThreadLocal.withInitial(Nesting::new);

    private JsonToProtobuf() {}

    /** The message of type {@code type} that {@code json} (UTF-8) describes, encoded. */
    static byte[] encode(Descriptor type, byte[] json) throws Unsupported {
        Nesting nesting = NESTING.get();
        try (JsonParser in = JSON.createParser(json)) {
            Buffer top = nesting.top;
            top.bytes.reset();
            in.nextToken();
            nesting.message(in, type, top.out, 0);
            if (in.nextToken() != null) {
                throw new Unsupported("more after the message");
            }
            top.out.flush();
            byte[] encoded = top.bytes.toByteArray();
            nesting.trim();
            return encoded;
        } catch (IOException | RuntimeException | StackOverflowError e) {
            nesting.discard();
            throw new Unsupported(String.valueOf(e.getMessage()));
        } catch (Unsupported e) {
            nesting.discard();
            throw e;
        }
    }

    /** The bytes this thread's buffers hold on to between messages (for tests). */
    static int keptBytes() {
        Nesting n = NESTING.get();
        return n.top.bytes.array().length + n.buffers.stream().mapToInt(b -> b.bytes.array().length).sum();
    }

    private static Map<String, FieldDescriptor> fields(Descriptor type) {
        return FIELDS.computeIfAbsent(type, t -> {
            Map<String, FieldDescriptor> byName = new HashMap<>();
            for (FieldDescriptor f : t.getFields()) {
                byName.put(f.getJsonName(), f);
            }
            for (FieldDescriptor f : t.getFields()) {
                byName.put(f.getName(), f); // the proto name wins where the two clash
            }
            return byName;
        });
    }

    /**
     * One encoding's nested messages: each is written to the buffer of its depth first (its length goes before it),
     * and the buffers are used again for the next message at that depth.
     */
    private static final class Nesting {
        private static final int KEPT = 64 * 1024;

        private final java.util.List<Buffer> buffers = new java.util.ArrayList<>(8);
        private Buffer top = new Buffer();

        /** Buffers that grew past {@value #KEPT} bytes (a whole state, say) are let go of rather than kept. */
        void trim() {
            if (top.bytes.array().length > KEPT) {
                top = new Buffer();
            }
            buffers.removeIf(b -> b.bytes.array().length > KEPT); // any buffer serves any depth
        }

        /** After a failure, bytes may be left unflushed in the streams: they are not used again. */
        void discard() {
            buffers.clear();
            top = new Buffer();
        }

        void message(JsonParser in, Descriptor type, CodedOutputStream out, int depth) throws IOException,
                Unsupported {
            if (type.getFullName().startsWith("google.protobuf.")) {
                throw new Unsupported(type.getFullName() + " has a JSON form of its own");
            }
            Map<String, FieldDescriptor> fields = fields(type);
            if (in.currentToken() != JsonToken.START_OBJECT) {
                throw new Unsupported(type.getFullName() + " is not an object");
            }
            long seen = 0; // the fields given so far, by number (1-63); protobuf's parser refuses one given twice
            java.util.Set<Integer> seenHigh = null;
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                FieldDescriptor field = fields.get(in.currentName());
                JsonToken token = in.nextToken();
                if (field == null) {
                    in.skipChildren();
                    continue;
                }
                int number = field.getNumber();
                if (number < 64 ? (seen & (1L << number)) != 0 : seenHigh != null && seenHigh.contains(number)) {
                    throw new Unsupported(field.getFullName() + " is given twice");
                }
                if (number < 64) {
                    seen |= 1L << number;
                } else {
                    if (seenHigh == null) {
                        seenHigh = new java.util.HashSet<>();
                    }
                    seenHigh.add(number);
                }
                if (token == JsonToken.VALUE_NULL) {
                    continue;
                }
                if (field.isMapField()) {
                    throw new Unsupported(field.getFullName() + " is a map");
                }
                if (field.getContainingOneof() != null) {
                    throw new Unsupported(field.getFullName() + " is in a oneof");
                }
                if (field.isRepeated()) {
                    if (token != JsonToken.START_ARRAY) {
                        throw new Unsupported(field.getFullName() + " is not an array");
                    }
                    while ((token = in.nextToken()) != JsonToken.END_ARRAY) {
                        if (token == JsonToken.VALUE_NULL) {
                            throw new Unsupported(field.getFullName() + " has a null element");
                        }
                        value(in, field, out, depth);
                    }
                } else {
                    value(in, field, out, depth);
                }
            }
        }

        private void value(JsonParser in, FieldDescriptor field, CodedOutputStream out, int depth)
                throws IOException, Unsupported {
            int n = field.getNumber();
            switch (field.getType()) {
                case MESSAGE -> {
                    if (depth == buffers.size()) {
                        buffers.add(new Buffer());
                    }
                    Buffer nested = buffers.get(depth);
                    nested.bytes.reset();
                    message(in, field.getMessageType(), nested.out, depth + 1);
                    nested.out.flush();
                    out.writeTag(n, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt32NoTag(nested.bytes.size());
                    out.writeRawBytes(nested.bytes.array(), 0, nested.bytes.size());
                }
                case ENUM -> {
                    EnumValueDescriptor v;
                    if (in.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                        v = field.getEnumType().findValueByNumber(in.getIntValue());
                    } else if (in.currentToken() == JsonToken.VALUE_STRING) {
                        v = field.getEnumType().findValueByName(in.getText());
                    } else {
                        throw new Unsupported(field.getFullName() + " is not an enum's name");
                    }
                    if (v != null) {
                        out.writeEnum(n, v.getNumber()); // an unknown one is skipped, as protobuf's parser does here
                    }
                }
                case STRING -> out.writeString(n, text(in, field));
                case BYTES -> {
                    String s = text(in, field);
                    byte[] b;
                    try {
                        b = Base64.getDecoder().decode(s);
                    } catch (IllegalArgumentException notStandard) {
                        b = Base64.getUrlDecoder().decode(s);
                    }
                    out.writeBytes(n, ByteString.copyFrom(b));
                }
                case BOOL -> {
                    if (!in.currentToken().isBoolean()) {
                        throw new Unsupported(field.getFullName() + " is not true or false");
                    }
                    out.writeBool(n, in.getBooleanValue());
                }
                case DOUBLE -> out.writeDouble(n, real(in, field));
                case FLOAT -> {
                    double v = real(in, field);
                    if (Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE) {
                        throw new Unsupported(field.getFullName() + " is out of a float's range");
                    }
                    out.writeFloat(n, (float) v);
                }
                case INT32 -> out.writeInt32(n, Math.toIntExact(integer(in, field)));
                case SINT32 -> out.writeSInt32(n, Math.toIntExact(integer(in, field)));
                case SFIXED32 -> out.writeSFixed32(n, Math.toIntExact(integer(in, field)));
                case UINT32 -> out.writeUInt32(n, unsigned32(integer(in, field), field));
                case FIXED32 -> out.writeFixed32(n, unsigned32(integer(in, field), field));
                case INT64 -> out.writeInt64(n, integer(in, field));
                case SINT64 -> out.writeSInt64(n, integer(in, field));
                case SFIXED64 -> out.writeSFixed64(n, integer(in, field));
                case UINT64 -> out.writeUInt64(n, unsigned64(in, field));
                case FIXED64 -> out.writeFixed64(n, unsigned64(in, field));
                default -> throw new Unsupported(field.getFullName() + " has type " + field.getType());
            }
        }
    }

    /** A growable array that lends its bytes, and the stream writing to it. */
    private static final class Buffer {
        final Bytes bytes = new Bytes();
        final CodedOutputStream out = CodedOutputStream.newInstance(bytes, 512);
    }

    private static final class Bytes extends ByteArrayOutputStream {
        byte[] array() {
            return buf;
        }
    }

    private static String text(JsonParser in, FieldDescriptor field) throws IOException, Unsupported {
        if (in.currentToken() != JsonToken.VALUE_STRING) {
            throw new Unsupported(field.getFullName() + " is not a string");
        }
        return in.getText();
    }

    private static double real(JsonParser in, FieldDescriptor field) throws IOException, Unsupported {
        String s = number(in, field);
        double v = switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
        if (Double.isInfinite(v) && !s.endsWith("Infinity")) {
            throw new Unsupported(field.getFullName() + " is out of a double's range"); // "1e400"
        }
        return v;
    }

    /** A whole number, written plainly, quoted, or with a fraction of zero ("1.0", "1e3"). */
    private static long integer(JsonParser in, FieldDescriptor field) throws IOException, Unsupported {
        String s = number(in, field);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException notPlain) {
            return new BigDecimal(s).longValueExact();
        }
    }

    /** A number as written: a JSON number, or a string holding one. */
    private static String number(JsonParser in, FieldDescriptor field) throws IOException, Unsupported {
        if (!in.currentToken().isNumeric() && in.currentToken() != JsonToken.VALUE_STRING) {
            throw new Unsupported(field.getFullName() + " is not a number");
        }
        return in.getText();
    }

    private static int unsigned32(long v, FieldDescriptor field) throws Unsupported {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new Unsupported(field.getFullName() + " is out of range");
        }
        return (int) v;
    }

    private static long unsigned64(JsonParser in, FieldDescriptor field) throws IOException, Unsupported {
        java.math.BigInteger v = new BigDecimal(number(in, field)).toBigIntegerExact();
        if (v.signum() < 0 || v.bitLength() > 64) {
            throw new Unsupported(field.getFullName() + " is out of range");
        }
        return v.longValue();
    }

}
