package io.pangaea.model.json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** RecordIO framing as Mesos streams use it: the record length in decimal, a newline, then the record. */
public final class RecordIo {

    /** A record larger than this is taken as a broken stream. */
    public static final int MAX_RECORD = 64 * 1024 * 1024;

    private RecordIo() {}

    public static byte[] frame(byte[] record) {
        byte[] prefix = (record.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + record.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(record, 0, out, prefix.length, record.length);
        return out;
    }

    /** Reads one record, or returns null at a clean end of stream. */
    public static byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream len = new ByteArrayOutputStream(12);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                if (len.size() == 0) {
                    return null;
                }
                throw new IOException("Truncated RecordIO length");
            }
            if (c < '0' || c > '9' || len.size() > 10) {
                throw new IOException("Bad RecordIO length prefix");
            }
            len.write(c);
        }
        long n = Long.parseLong(len.toString(StandardCharsets.US_ASCII));
        if (n > MAX_RECORD) {
            throw new IOException("RecordIO record of " + n + " bytes is too large");
        }
        byte[] record = in.readNBytes((int) n);
        if (record.length != n) {
            throw new IOException("Truncated RecordIO record");
        }
        return record;
    }
}
