package io.pangaea.model.json;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** JSON encoded already goes out as its bytes: never decoded into a String and encoded again. */
public class MesosJsonRawTest {

    /** Pre-encoded JSON that refuses to be turned into characters. */
    private static final class Bytes implements SerializableString {
        private final byte[] utf8;

        Bytes(String json) {
            this.utf8 = json.getBytes(StandardCharsets.UTF_8);
        }

        private static AssertionError decoded() {
            return new AssertionError("the raw value was decoded into characters");
        }

        @Override
        public String getValue() {
            throw decoded();
        }

        @Override
        public int charLength() {
            throw decoded();
        }

        @Override
        public char[] asQuotedChars() {
            throw decoded();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return utf8;
        }

        @Override
        public byte[] asQuotedUTF8() {
            return utf8;
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            return appendUnquotedUTF8(buffer, offset);
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            throw decoded();
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + utf8.length > buffer.length) {
                return -1;
            }
            System.arraycopy(utf8, 0, buffer, offset, utf8.length);
            return utf8.length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            throw decoded();
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) throws IOException {
            return writeUnquotedUTF8(out);
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(utf8);
            return utf8.length;
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            return putUnquotedUTF8(buffer);
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (buffer.remaining() < utf8.length) {
                return -1;
            }
            buffer.put(utf8);
            return utf8.length;
        }
    }

    @Test
    public void rawValuesAreWrittenAsTheirBytesWithTheirSeparators() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.putArray("tasks").add(f.rawValueNode(new RawValue(new Bytes("{\"a\":1}"))))
                .add(f.rawValueNode(new RawValue(new Bytes("{\"b\":\"é\"}"))));
        root.set("agent", f.rawValueNode(new RawValue(new Bytes("[1,2]"))));
        root.put("cpus", 2.0);
        assertEquals("{\"tasks\":[{\"a\":1},{\"b\":\"é\"}],\"agent\":[1,2],\"cpus\":2.0}",
                new String(MesosJson.write(root), StandardCharsets.UTF_8));
    }
}
