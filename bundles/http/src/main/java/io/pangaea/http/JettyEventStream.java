package io.pangaea.http;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * A RecordIO event stream over a chunked HTTP response. Records are queued by any thread and written one per chunk,
 * in order, never blocking the caller; Jetty's {@link IteratingCallback} keeps one write in flight at a time.
 */
public final class JettyEventStream implements EventSink {

    /** Past this many unwritten records the peer is not reading; the stream is dropped rather than grow forever. */
    private static final int MAX_QUEUED = 100_000;

    private final Response response;
    private final Callback done;
    private final Object lock = new Object();
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private boolean closing;
    private boolean ended;
    private volatile boolean closed;

    private final IteratingCallback flusher = new IteratingCallback() {
        @Override
        protected Action process() {
            ByteBuffer next;
            boolean last = false;
            synchronized (lock) {
                if (ended) {
                    return Action.SUCCEEDED;
                }
                next = queue.poll();
                if (next == null) {
                    if (!closing) {
                        return Action.IDLE;
                    }
                    ended = true;
                    last = true;
                }
            }
            response.write(last, last ? BufferUtil.EMPTY_BUFFER : next, this);
            return Action.SCHEDULED;
        }

        @Override
        protected void onCompleteSuccess() {
            done.succeeded();
            fireClosed();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            done.failed(cause);
            fireClosed();
        }
    };

    public JettyEventStream(Request request, Response response, Callback done) {
        this.response = response;
        this.done = done;
        request.addFailureListener(failure -> flusher.abort(failure));
    }

    @Override
    public boolean send(byte[] record) {
        synchronized (lock) {
            if (closing || closed) {
                return false;
            }
            if (queue.size() >= MAX_QUEUED) {
                closing = true;
                queue.clear();
            } else {
                queue.add(frame(record));
            }
        }
        flusher.iterate();
        return true;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
        }
        flusher.iterate();
    }

    @Override
    public void onClose(Runnable listener) {
        listeners.add(listener);
        if (closed) {
            listener.run();
        }
    }

    private void fireClosed() {
        if (closed) {
            return;
        }
        closed = true;
        for (Runnable r : listeners) {
            r.run();
        }
    }

    /** One RecordIO record: the length in decimal, a newline, the bytes. */
    private static ByteBuffer frame(byte[] record) {
        byte[] head = (record.length + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(head.length + record.length);
        b.put(head).put(record).flip();
        return b;
    }
}
