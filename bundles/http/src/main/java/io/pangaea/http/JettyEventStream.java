package io.pangaea.http;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * A RecordIO event stream over a chunked HTTP response. Records are queued by any thread and written one per chunk,
 * in order, never blocking the caller; Jetty's {@link IteratingCallback} keeps one write in flight at a time.
 *
 * <p>Over HTTP/1.1 the stream also ends as soon as the client closes its connection ({@link PeerWatch}). Jetty
 * reads nothing from an HTTP/1.1 connection while its response is being written, so a client that went away (a
 * scheduler process that crashed, an agent killed) was noticed only when a write to it failed: at the second
 * heartbeat after it, up to 30 s later, while its offers stayed out. Mesos notices at once, as its sockets are always
 * read. Over HTTP/2 Jetty reads the connection anyway and reports a reset or closed stream itself.
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
            if (watch != null) {
                watch.withdraw(); // the connection is Jetty's again, to read the next request from
            }
            done.succeeded();
            fireClosed();
        }

        @Override
        protected void onCompleteFailure(Throwable cause) {
            done.failed(cause);
            fireClosed();
        }
    };

    /** Reads the HTTP/1.1 connection while the stream lasts, to see it closed; null over HTTP/2. */
    private final PeerWatch watch;

    public JettyEventStream(Request request, Response response, Callback done) {
        this.response = response;
        this.done = done;
        request.addFailureListener(failure -> flusher.abort(failure));
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        HttpVersion version = request.getConnectionMetaData().getHttpVersion();
        this.watch = (version == HttpVersion.HTTP_1_1 || version == HttpVersion.HTTP_1_0)
                && endPoint instanceof AbstractEndPoint e ? new PeerWatch(e) : null;
        if (watch != null) {
            watch.watch();
        }
    }

    /**
     * Reads an HTTP/1.1 connection whose response is this stream, so that the client's closing it ends the stream.
     * The request has been read whole by then, and Jetty itself does not read the connection again until the
     * response is complete. A client that sends anything more on it is not speaking the protocol (nothing can be
     * answered on that connection before the stream ends): the stream is ended. When the stream ends normally, the
     * watch is withdrawn before Jetty is told, so that Jetty finds the connection as it left it.
     */
    private final class PeerWatch implements Callback {
        private final AbstractEndPoint endPoint;
        private final Object watchLock = new Object();
        private boolean withdrawn;
        /** This watch is the connection's fill interest now (and so may be withdrawn from it). */
        private boolean registered;

        PeerWatch(AbstractEndPoint endPoint) {
            this.endPoint = endPoint;
        }

        void watch() {
            synchronized (watchLock) {
                if (!withdrawn) {
                    // false: someone reads it already, and will see it close
                    registered = endPoint.tryFillInterested(this);
                }
            }
        }

        void withdraw() {
            synchronized (watchLock) {
                withdrawn = true;
                if (registered) { // else the interest, if any, is not this watch's to withdraw
                    endPoint.getFillInterest().onFail(WITHDRAWN);
                }
            }
        }

        @Override
        public void succeeded() {
            Throwable ended = null;
            synchronized (watchLock) {
                registered = false;
                if (withdrawn) {
                    return; // the stream ended meanwhile: what there is to read is Jetty's
                }
                try {
                    int read = endPoint.fill(BufferUtil.allocate(1));
                    if (read < 0) {
                        ended = new EofException("the client closed the connection");
                    } else if (read > 0) {
                        // (the response fails, and Jetty closes the connection)
                        ended = new EofException("the client sent more on the connection of an event stream");
                    } else {
                        watch(); // nothing yet: wait for the next readiness
                    }
                } catch (java.io.IOException e) {
                    ended = e;
                }
            }
            if (ended != null) {
                flusher.abort(ended);
            }
        }

        @Override
        public void failed(Throwable x) {
            synchronized (watchLock) {
                registered = false;
            }
            if (x != WITHDRAWN) {
                flusher.abort(x); // the connection was closed or failed
            }
        }
    }

    private static final Exception WITHDRAWN = new java.util.concurrent.CancellationException(
            "the event stream ended; the connection is read for the next request");

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
