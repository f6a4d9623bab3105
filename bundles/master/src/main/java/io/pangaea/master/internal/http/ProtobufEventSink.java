package io.pangaea.master.internal.http;

import io.pangaea.http.EventSink;
import io.pangaea.protobuf.ProtobufCodec;

/** An event stream to a protobuf client: each JSON record the master sends goes out as the Mesos message. */
final class ProtobufEventSink implements EventSink {

    private final EventSink delegate;
    private final ProtobufCodec.Api api;

    ProtobufEventSink(EventSink delegate, ProtobufCodec.Api api) {
        this.delegate = delegate;
        this.api = api;
    }

    @Override
    public boolean send(byte[] record) {
        return delegate.send(ProtobufCodec.toProtobuf(api, record));
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public void onClose(Runnable listener) {
        delegate.onClose(listener);
    }
}
