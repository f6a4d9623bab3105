package io.pangaea.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small helpers shared by the master's and the agent's handlers. */
public final class HttpSupport {

    /** Bodies larger than this are refused (413) before they are parsed. */
    public static final int MAX_BODY = 16 * 1024 * 1024;

    private HttpSupport() {}

    private static final String GATE = "io.pangaea.http.gate";

    /**
     * Holds back responses produced on other threads until the handler's {@code handle} has returned: completing a
     * request from another thread while Jetty is still inside {@code handle} races in Jetty 12 (jetty/jetty.project
     * #11653, #13470: "stream is null" NPE, and the connection is closed under the next request).
     */
    public static final class Gate {
        private boolean open;
        private java.util.List<Runnable> held;

        public synchronized void open() {
            open = true;
            if (held != null) {
                held.forEach(Runnable::run);
                held = null;
            }
        }

        public void run(Runnable r) {
            synchronized (this) {
                if (!open) {
                    if (held == null) {
                        held = new java.util.ArrayList<>(1);
                    }
                    held.add(r);
                    return;
                }
            }
            r.run();
        }
    }

    /** Installs a gate for {@code request}; open it when {@code handle} returns. */
    public static Gate gate(org.eclipse.jetty.server.Request request) {
        Gate g = new Gate();
        request.setAttribute(GATE, g);
        return g;
    }

    /** Runs {@code respond} now if {@code handle} has returned, else as soon as it does. Any thread. */
    public static void later(Response response, Runnable respond) {
        Object g = response.getRequest().getAttribute(GATE);
        if (g instanceof Gate gate) {
            gate.run(respond);
        } else {
            respond.run();
        }
    }

    public static void text(Response response, Callback callback, int status, String message) {
        later(response, () -> textNow(response, callback, status, message));
    }

    private static void textNow(Response response, Callback callback, int status, String message) {
        response.setStatus(status);
        if (message == null || message.isEmpty()) {
            // an explicit last write, rather than completing the callback on an unwritten response: Jetty 12's
            // implicit completion raced with the next request on the connection (NPE, connection closed)
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            response.write(true, java.nio.ByteBuffer.allocate(0), callback);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, message, callback);
    }

    /**
     * 200 with {@code body} written as JSON while it is encoded, in 64 KB pieces (a large state is never held whole
     * as bytes). Any thread; it blocks until the client has taken the body, so not the master's loop.
     */
    public static void jsonStreamed(Response response, Callback callback, com.fasterxml.jackson.databind.JsonNode body) {
        streamed(response, callback, "application/json",
                out -> io.pangaea.model.json.MesosJson.mapper().writeValue(out, body));
    }

    /** What writes a body out. */
    public interface BodyWriter {
        void write(java.io.OutputStream out) throws java.io.IOException;
    }

    /**
     * 200 with the body {@code writer} writes, sent in 64 KB pieces as it is written. Any thread; it blocks until
     * the client has taken the body, so not the master's loop.
     */
    public static void streamed(Response response, Callback callback, String contentType, BodyWriter writer) {
        later(response, () -> {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            try (java.io.OutputStream out = new java.io.BufferedOutputStream(Content.Sink.asOutputStream(response),
                    64 * 1024)) {
                writer.write(out);
            } catch (java.io.IOException e) {
                // mostly a client that went away; anything else (an answer that cannot be encoded) is a bug to see
                if (!clientGone(e)) {
                    org.slf4j.LoggerFactory.getLogger(HttpSupport.class).warn("Cannot write the answer ({}): {}",
                            contentType, e.toString());
                }
                callback.failed(e);
                return;
            } catch (RuntimeException e) {
                // a view that could not be written is a bug: say which, not only Jetty's bare 500
                org.slf4j.LoggerFactory.getLogger(HttpSupport.class).warn("Cannot write the answer ({})", contentType,
                        e);
                callback.failed(e);
                return;
            }
            callback.succeeded();
        });
    }

    /** Whether {@code e} (or what caused it) is the client closing its end: nothing to report. */
    static boolean clientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.eclipse.jetty.io.EofException || t instanceof java.nio.channels.ClosedChannelException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    public static void json(Response response, Callback callback, byte[] body) {
        ok(response, callback, "application/json", body);
    }

    /** 200 with {@code body} of {@code contentType}. Any thread. */
    public static void ok(Response response, Callback callback, String contentType, byte[] body) {
        later(response, () -> {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.write(true, java.nio.ByteBuffer.wrap(body), callback);
        });
    }

    /** How much of a refused body is still read and dropped, so the client is not cut off before the answer. */
    static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    /**
     * The body, or null when it is larger than {@link #MAX_BODY}. Chunked bodies are accepted. A refused body is read
     * to its end (up to {@link #DRAIN_LIMIT}) and dropped: closing the connection under a client that is still
     * sending would lose the 413 it is owed.
     */
    public static byte[] body(Request request) throws IOException {
        // read once: a route that declined the request may have read it already
        if (request.getAttribute(BODY) instanceof byte[] read) {
            return read;
        }
        long declared = request.getLength();
        // a slow client holds a thread while its body is read: each read waits at most BODY_READ_IDLE, and the whole
        // body must come within BODY_DEADLINE
        org.eclipse.jetty.io.EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleBefore = endPoint.getIdleTimeout();
        if (idleBefore <= 0 || idleBefore > BODY_READ_IDLE.toMillis()) {
            endPoint.setIdleTimeout(BODY_READ_IDLE.toMillis());
        }
        long deadline = System.nanoTime() + BODY_DEADLINE.toNanos();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > MAX_BODY) {
                drain(in);
                return null;
            }
            BodyBuffer out = new BodyBuffer(declared > 0 ? (int) declared : 1024);
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (out.size() + n > MAX_BODY) {
                    drain(in);
                    return null;
                }
                out.write(buf, 0, n);
                if (System.nanoTime() > deadline) {
                    throw new SlowBodyException("The request body did not arrive within "
                            + BODY_DEADLINE.toSeconds() + " s");
                }
            }
            byte[] b = out.bytes();
            request.setAttribute(BODY, b);
            return b;
        } catch (IOException e) {
            if (e instanceof SlowBodyException) {
                throw e;
            }
            Throwable cause = e.getCause();
            if (e instanceof java.io.InterruptedIOException || cause instanceof java.util.concurrent.TimeoutException
                    || e.getClass().getSimpleName().contains("Timeout")) {
                throw new SlowBodyException("The request body stalled for more than " + BODY_READ_IDLE.toSeconds()
                        + " s");
            }
            throw e;
        } finally {
            endPoint.setIdleTimeout(idleBefore);
        }
    }

    /** A body's bytes, handed over without a copy when its declared length was right (the usual case). */
    private static final class BodyBuffer extends java.io.ByteArrayOutputStream {
        BodyBuffer(int size) {
            super(size);
        }

        byte[] bytes() {
            return count == buf.length ? buf : java.util.Arrays.copyOf(buf, count);
        }
    }

    /** The longest a whole request body may take to arrive. */
    public static final java.time.Duration BODY_DEADLINE = java.time.Duration.ofSeconds(30);
    /** The longest a request body may pause between two of its bytes. */
    public static final java.time.Duration BODY_READ_IDLE = java.time.Duration.ofSeconds(10);

    /** A request body that came too slowly: answered 408. */
    public static final class SlowBodyException extends IOException {
        SlowBodyException(String message) {
            super(message);
        }
    }

    /** The request attribute that keeps a body once read. */
    private static final String BODY = "io.pangaea.http.body";

    /**
     * Lets go of the body {@link #body} kept on the request, once the handler has decoded it. A request whose response
     * is a long-lived stream (an agent's or a framework's SUBSCRIBE) lives as long as its connection, and so did its
     * body: 10,000 agents re-registering with 110 tasks each kept ~800 MB of SUBSCRIBE bodies in the master.
     */
    public static void forgetBody(Request request) {
        request.removeAttribute(BODY);
    }

    /** The body, or null after answering 413 when it is larger than {@link #MAX_BODY}. */
    public static byte[] body(Request request, Response response, Callback callback) throws IOException {
        byte[] body;
        try {
            body = body(request);
        } catch (SlowBodyException e) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            text(response, callback, 408, e.getMessage());
            return null;
        }
        if (body == null) {
            text(response, callback, 413, "Request body is larger than " + MAX_BODY + " bytes");
        }
        return body;
    }

    /** Turns a v1 Call sent as protobuf into its Mesos JSON; the exception's message is the 400 the client gets. */
    @FunctionalInterface
    public interface CallDecoder {
        byte[] toJson(byte[] protobuf) throws Exception;
    }

    /**
     * A v1 call's body as Mesos JSON: read (413 past the size limit) and, when it came as
     * {@code application/x-protobuf}, decoded by {@code fromProtobuf} (400 when it is not a Call). Null when the
     * request has been answered already.
     */
    public static byte[] callBody(Request request, Response response, Callback callback, CallDecoder fromProtobuf)
            throws IOException {
        byte[] body = body(request, response, callback);
        if (body == null || !PROTOBUF.equals(mediaType(request))) {
            return body;
        }
        try {
            return fromProtobuf.toJson(body);
        } catch (Exception e) {
            text(response, callback, 400, e.getMessage());
            return null;
        }
    }

    public static final String JSON = "application/json";
    public static final String PROTOBUF = "application/x-protobuf";

    /** True for a POST; otherwise answers 405 with {@code Allow: POST}, in libprocess's words, as Mesos does. */
    public static boolean isPost(Request request, Response response, Callback callback) {
        if ("POST".equals(request.getMethod())) {
            return true;
        }
        discardBody(request);
        response.getHeaders().put(HttpHeader.ALLOW, "POST");
        text(response, callback, 405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received '"
                + request.getMethod() + "'.");
        return false;
    }

    /** True when the v1 call came as JSON or protobuf; otherwise answers 415 as Mesos does. */
    public static boolean isCallType(Request request, Response response, Callback callback) {
        String type = mediaType(request);
        if (JSON.equals(type) || PROTOBUF.equals(type)) {
            return true;
        }
        discardBody(request);
        text(response, callback, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
        return false;
    }

    /**
     * The media type to answer a v1 call in ({@link #responseType}), or null after answering 406 as Mesos does when
     * Accept allows neither.
     */
    public static String responseType(Request request, Response response, Callback callback) {
        String out = responseType(request);
        if (out == null) {
            discardBody(request);
            text(response, callback, 406, "Expecting 'Accept' to allow 'application/json' or 'application/x-protobuf'");
        }
        return out;
    }

    /**
     * Reads and drops what is left of a request's body (up to {@link #DRAIN_LIMIT}) before an answer that did not
     * need it. Jetty closes a connection whose request body was not read by the time the answer is complete, and by
     * then the answer has gone out without saying so: a client that sends its next request on the connection
     * meanwhile gets no answer at all (CI saw "header parser received no bytes" after a 415, when the body came a
     * moment after the headers). Handler threads only: it waits for the body, each read at most
     * {@link #BODY_READ_IDLE}.
     */
    public static void discardBody(Request request) {
        if (request.getLength() == 0 || request.getAttribute(BODY) != null) {
            return;
        }
        org.eclipse.jetty.io.EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleBefore = endPoint.getIdleTimeout();
        if (idleBefore <= 0 || idleBefore > BODY_READ_IDLE.toMillis()) {
            endPoint.setIdleTimeout(BODY_READ_IDLE.toMillis());
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            drain(in);
        } catch (IOException | RuntimeException e) {
            // a client that does not send its body: the connection is closed, as it would have been
        } finally {
            endPoint.setIdleTimeout(idleBefore);
        }
    }

    private static void drain(InputStream in) throws IOException {
        long left = DRAIN_LIMIT;
        byte[] buf = new byte[64 * 1024];
        int n;
        while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
            left -= n;
        }
    }

    public static String mediaType(Request request) {
        String ct = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (ct == null) {
            return null;
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * True when the Accept header allows {@code type} (no header allows everything). As libprocess decides it: the
     * most specific range that matches ({@code type} itself, then {@code application/*}, then {@code *}{@code /*})
     * says, by a quality above zero.
     */
    public static boolean accepts(Request request, String type) {
        boolean any = false;
        int bestSpecificity = -1;
        double bestQuality = 0;
        String family = type.substring(0, type.indexOf('/') + 1) + "*";
        for (HttpField f : request.getHeaders()) {
            if (f.getHeader() != HttpHeader.ACCEPT) {
                continue;
            }
            any = true;
            for (String part : f.getValue().split(",")) {
                String[] params = part.split(";");
                String range = params[0].trim().toLowerCase(java.util.Locale.ROOT);
                int specificity = range.equals(type) ? 2 : range.equals(family) ? 1 : range.equals("*/*") ? 0 : -1;
                if (specificity > bestSpecificity) {
                    bestSpecificity = specificity;
                    bestQuality = quality(params);
                }
            }
        }
        return !any || (bestSpecificity >= 0 && bestQuality > 0);
    }

    private static double quality(String[] params) {
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            if (p.startsWith("q=")) {
                try {
                    return Double.parseDouble(p.substring(2).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }

    /**
     * The media type of a v1 API response as Mesos picks it: JSON when Accept allows it (so also when there is no
     * Accept header, whatever the request's own type), else protobuf when Accept allows that, else null (406).
     */
    public static String responseType(Request request) {
        return accepts(request, JSON) ? JSON : accepts(request, PROTOBUF) ? PROTOBUF : null;
    }

    public static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
