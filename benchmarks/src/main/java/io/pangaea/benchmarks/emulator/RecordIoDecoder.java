package io.pangaea.benchmarks.emulator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Cuts a RecordIO stream that arrives in pieces of any size (HTTP/2 frames) into its records, without a thread
 * per stream: each piece is fed as it comes and every record it completes is handed on.
 */
final class RecordIoDecoder {

    private static final int MAX_RECORD = 64 * 1024 * 1024;

    private final Consumer<byte[]> onRecord;
    private long length = -1;
    private long digits;
    private byte[] record;
    private int filled;

    RecordIoDecoder(Consumer<byte[]> onRecord) {
        this.onRecord = onRecord;
    }

    /** Consumes all of {@code piece}. */
    void feed(ByteBuffer piece) throws IOException {
        while (piece.hasRemaining()) {
            if (record == null) {
                byte c = piece.get();
                if (c == '\n') {
                    if (digits == 0) {
                        throw new IOException("Empty RecordIO length");
                    }
                    if (length > MAX_RECORD) {
                        throw new IOException("RecordIO record of " + length + " bytes is too large");
                    }
                    record = new byte[(int) length];
                    filled = 0;
                } else if (c >= '0' && c <= '9' && digits < 11) {
                    length = (length < 0 ? 0 : length * 10) + (c - '0');
                    digits++;
                } else {
                    throw new IOException("Bad RecordIO length prefix");
                }
            } else {
                int n = Math.min(piece.remaining(), record.length - filled);
                piece.get(record, filled, n);
                filled += n;
            }
            if (record != null && filled == record.length) {
                byte[] done = record;
                record = null;
                length = -1;
                digits = 0;
                onRecord.accept(done);
            }
        }
    }
}
