package io.pangaea.model.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes JSON as Mesos 1.11 does: proto field names in snake_case, enums by name, unset fields left out,
 * doubles always with a fraction and never in exponent form ({@code 15.0}, {@code 1795239324.793704}). On reading,
 * unknown keys are ignored, {@code null} means unset, and numbers and booleans may come as strings.
 */
public final class MesosJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .addDecorator((factory, gen) -> new MesosNumbers(gen))
                    // the same doubles as the JDK's parser, faster: a re-registration's timestamps (16 digits) took
                    // the JDK's slow path, some 7 % of reading them in a master failover
                    .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER).build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // enums by name, as Mesos writes and reads them: a number is not an index into the enum
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private MesosJson() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * The generic serializer onto a generator a field-by-field writer is filling ({@code OffersJson},
     * {@code AgentEventsJson}): the same bytes as {@link #write}, without a flush after each value.
     */
    static final com.fasterxml.jackson.databind.ObjectWriter IN_PLACE = MAPPER.writer()
            .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object value) {
        return new String(write(value), StandardCharsets.UTF_8);
    }

    /**
     * Parses {@code body} into {@code type}.
     *
     * @throws MesosJsonException with a message in Mesos's words that names the offending field
     */
    public static <T> T read(byte[] body, Class<T> type) throws MesosJsonException {
        // one pass straight into the type for a body that is a JSON object; anything that fails goes through the
        // tree below, which is what names the offending field (the two passes cost a re-registering agent's
        // tasks twice over)
        if (startsWithObject(body)) {
            try {
                T value = MAPPER.readValue(body, type);
                if (value != null) {
                    return value;
                }
            } catch (IOException | RuntimeException fallBack) {
                // described below
            }
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(body);
        } catch (JsonParseException e) {
            throw new MesosJsonException("Failed to parse body into JSON: syntax error at line "
                    + e.getLocation().getLineNr() + " near: " + near(body, e), e);
        } catch (IOException e) {
            throw new MesosJsonException("Failed to parse body into JSON: " + e.getMessage(), e);
        }
        if (tree == null || tree.isMissingNode()) {
            throw new MesosJsonException("Failed to parse body into JSON: empty body", null);
        }
        if (!tree.isObject()) {
            throw new MesosJsonException("Failed to convert JSON into " + protoName(type)
                    + " protobuf: expected a JSON object", null);
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonMappingException e) {
            throw new MesosJsonException("Failed to convert JSON into " + protoName(type) + " protobuf: "
                    + describe(e), e);
        } catch (JsonProcessingException e) {
            throw new MesosJsonException("Failed to convert JSON into " + protoName(type) + " protobuf: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * {@link #read}, with the body at hand for the parts that are read without being decoded
     * ({@link io.pangaea.model.agentproto.ReportedTasks}): an agent's re-registration, whose completed tasks are
     * decoded only when the master keeps them.
     */
    public static <T> T readReported(byte[] body, Class<T> type) throws MesosJsonException {
        return readReported(body, type, null);
    }

    /**
     * The same, decoding as they are read the completed tasks that end after what {@code decodeAfter} gives for
     * their framework's id (see {@link io.pangaea.model.agentproto.ReportedTasks#DECODE_AFTER}); null: none.
     */
    public static <T> T readReported(byte[] body, Class<T> type,
                                     java.util.function.ToDoubleFunction<String> decodeAfter)
            throws MesosJsonException {
        if (startsWithObject(body)) {
            try {
                com.fasterxml.jackson.databind.ObjectReader reader = MAPPER.readerFor(type)
                        .withAttribute(io.pangaea.model.agentproto.ReportedTasks.BODY, body);
                if (decodeAfter != null) {
                    reader = reader.withAttribute(io.pangaea.model.agentproto.ReportedTasks.DECODE_AFTER,
                            decodeAfter);
                }
                T value = reader.readValue(body);
                if (value != null) {
                    return value;
                }
            } catch (IOException | RuntimeException fallBack) {
                // read as any body, which decodes everything and names what is wrong
            }
        }
        return read(body, type);
    }

    private static boolean startsWithObject(byte[] body) {
        for (byte b : body) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return false;
    }

    /** Resources in the legacy endpoints' summary form: {"cpus": 2.0, "ports": "[31000-32000]", ...}. */
    public static com.fasterxml.jackson.databind.node.ObjectNode legacy(io.pangaea.model.Resources resources) {
        com.fasterxml.jackson.databind.node.ObjectNode n = MAPPER.createObjectNode();
        resources.toLegacyMap().forEach((k, v) -> {
            if (v instanceof Double d) {
                n.put(k, d);
            } else {
                n.put(k, v.toString());
            }
        });
        return n;
    }

    /** Attributes in the pre-v1 form of {@code /master/state} and {@code /state}: name to plain value. */
    public static com.fasterxml.jackson.databind.node.ObjectNode legacyAttributes(
            java.util.List<io.pangaea.model.Attribute> attributes) {
        com.fasterxml.jackson.databind.node.ObjectNode n = MAPPER.createObjectNode();
        for (io.pangaea.model.Attribute a : attributes == null ? java.util.List.<io.pangaea.model.Attribute>of()
                : attributes) {
            Object v = a.plainValue();
            if (v instanceof Double d) {
                n.put(a.name(), d);
            } else if (v != null) {
                n.put(a.name(), v.toString());
            }
        }
        return n;
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    private static String protoName(Class<?> type) {
        return type.getSimpleName();
    }

    private static String describe(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        String msg = e.getOriginalMessage();
        int nl = msg == null ? -1 : msg.indexOf('\n');
        if (nl > 0) {
            msg = msg.substring(0, nl);
        }
        return (path.length() > 0 ? "field '" + path + "': " : "") + msg;
    }

    /** The text around the error, as Mesos quotes it: the whole body when short, else 40 characters near it. */
    private static String near(byte[] body, JsonParseException e) {
        String s = new String(body, StandardCharsets.UTF_8).strip();
        if (s.length() <= 40) {
            return s;
        }
        int off = (int) Math.max(0, Math.min(s.length() - 1, e.getLocation().getCharOffset() - 20));
        return s.substring(off, Math.min(s.length(), off + 40));
    }

    /**
     * Mesos prints doubles with a fraction and without an exponent. Done on the generator, so that it holds for
     * records and for JSON trees alike.
     */
    static final class MesosNumbers extends JsonGeneratorDelegate {
        MesosNumbers(JsonGenerator d) {
            super(d, true);
        }

        /**
         * Jackson's delegate leaves this to the generator's default, which writes {@code raw.getValue()}: every
         * pre-encoded task of a read was decoded into a String and encoded to UTF-8 again, most of a big cluster's
         * {@code /master/state} CPU. Handed on, the generator copies the bytes as they are.
         */
        @Override
        public void writeRawValue(com.fasterxml.jackson.core.SerializableString raw) throws IOException {
            delegate.writeRawValue(raw);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            delegate.writeNumber(format(v));
        }

        @Override
        public void writeNumber(float v) throws IOException {
            delegate.writeNumber(format(v));
        }

        static String format(double d) {
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return "0.0";
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return (long) d + ".0";
            }
            String s = BigDecimal.valueOf(d).toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
    }
}
