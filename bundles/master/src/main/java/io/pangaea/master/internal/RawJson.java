package io.pangaea.master.internal;

import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A piece of JSON already encoded (UTF-8), written as it is where a value goes: the read endpoints keep each task
 * this way (see {@code MasterViews}), so that a large state is mostly copied, not encoded, on each read. Only the
 * unquoted forms are meaningful; the quoted ones exist because the interface has them.
 */
final class RawJson implements SerializableString {

    private final byte[] utf8;
    /**
     * Made once: a read of a big state places 400,000 tasks' nodes in its tree, and two new objects per task per read
     * were most of what survived the collections while a large answer was written. Immutable (final fields all
     * the way down), so it may be shared between reads and made on any thread.
     */
    private com.fasterxml.jackson.databind.JsonNode node;

    RawJson(byte[] utf8) {
        this.utf8 = utf8;
    }

    /** A tree node that writes this JSON as it is where it stands; the same node each time. */
    com.fasterxml.jackson.databind.JsonNode node() {
        com.fasterxml.jackson.databind.JsonNode n = node;
        if (n == null) {
            n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.rawValueNode(
                    new com.fasterxml.jackson.databind.util.RawValue(this));
            node = n;
        }
        return n;
    }

    @Override
    public String getValue() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
        return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
        return getValue().toCharArray();
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
        return appendUnquoted(buffer, offset);
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
        char[] chars = asQuotedChars();
        if (offset + chars.length > buffer.length) {
            return -1;
        }
        System.arraycopy(chars, 0, buffer, offset, chars.length);
        return chars.length;
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

    @Override
    public String toString() {
        return getValue();
    }
}
