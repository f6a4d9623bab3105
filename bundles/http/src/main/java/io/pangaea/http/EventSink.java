package io.pangaea.http;

/**
 * One subscriber's event stream (a framework's or an agent's). {@link #send} frames the record and queues it
 * without blocking; writes happen in order. When the peer goes away the sink runs its close listener once.
 */
public interface EventSink {

    /** Queues one record; returns false when the stream is already closed. */
    boolean send(byte[] record);

    /** Ends the stream (the response completes). */
    void close();

    /** Runs {@code listener} once, on any thread, when the stream ends for any reason. */
    void onClose(Runnable listener);

    /**
     * This stream with each record turned by {@code encode} before it is sent (for example JSON into the protobuf
     * a client asked for).
     */
    default EventSink encoded(java.util.function.UnaryOperator<byte[]> encode) {
        EventSink delegate = this;
        return new EventSink() {
            @Override
            public boolean send(byte[] record) {
                return delegate.send(encode.apply(record));
            }

            @Override
            public void close() {
                delegate.close();
            }

            @Override
            public void onClose(Runnable listener) {
                delegate.onClose(listener);
            }
        };
    }
}
