package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * An event stream over HTTP/1.1 ends as soon as its client closes the connection, with nothing written to it
 * meanwhile (no heartbeat needed to find out), and a stream the server ends leaves the connection to the next request.
 */
public class EventStreamPeerTest {

    private Server server;
    private int port;
    /** The streams opened (at {@code /stream}), in order. */
    private final LinkedBlockingQueue<JettyEventStream> streams = new LinkedBlockingQueue<>();
    private final AtomicInteger closed = new AtomicInteger();

    @Before
    public void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!request.getHttpURI().getPath().equals("/stream")) {
                    response.setStatus(200);
                    response.write(true, java.nio.ByteBuffer.wrap("ok".getBytes(StandardCharsets.US_ASCII)),
                            callback);
                    return true;
                }
                response.setStatus(200);
                JettyEventStream stream = new JettyEventStream(request, response, callback);
                stream.onClose(closed::incrementAndGet);
                stream.send("{\"type\":\"SUBSCRIBED\"}".getBytes(StandardCharsets.UTF_8));
                streams.add(stream);
                return true;
            }
        });
        server.start();
        port = connector.getLocalPort();
    }

    @After
    public void stop() throws Exception {
        server.stop();
    }

    private Socket subscribe() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("POST /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}")
                .getBytes(StandardCharsets.US_ASCII));
        String head = readUntil(s.getInputStream(), "SUBSCRIBED\"}");
        assertTrue(head, head.startsWith("HTTP/1.1 200"));
        return s;
    }

    /** Reads until {@code end} has come (or fails on the socket's timeout). */
    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.US_ASCII).contains(end)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + got.toString(StandardCharsets.US_ASCII));
            }
            got.write(b);
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    @Test
    public void aClientThatClosesItsConnectionEndsTheStreamAtOnce() throws Exception {
        Socket s = subscribe();
        JettyEventStream stream = streams.poll(10, TimeUnit.SECONDS);
        assertEquals(0, closed.get());
        s.close();
        // nothing is written to it: before, the server found out only at its next write
        Awaitility.await("stream ended").atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
        assertFalse("a send after the end is refused", stream.send(new byte[] {'x'}));
    }

    @Test
    public void aClientThatSendsMoreOnTheStreamsConnectionEndsTheStream() throws Exception {
        try (Socket s = subscribe()) {
            streams.poll(10, TimeUnit.SECONDS);
            s.getOutputStream().write("GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Awaitility.await("stream ended").atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
        }
    }

    @Test
    public void aStreamTheServerEndsLeavesTheConnectionForTheNextRequest() throws Exception {
        try (Socket s = subscribe()) {
            JettyEventStream stream = streams.poll(10, TimeUnit.SECONDS);
            stream.send("{\"type\":\"HEARTBEAT\"}".getBytes(StandardCharsets.UTF_8));
            stream.close();
            InputStream in = s.getInputStream();
            assertTrue(readUntil(in, "\r\n0\r\n\r\n").contains("HEARTBEAT"));
            Awaitility.await("stream ended").atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 1);
            // the same connection serves the next request: the watch on it gave it back to Jetty
            OutputStream out = s.getOutputStream();
            out.write("GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = readUntil(in, "ok");
            assertTrue(answer, answer.startsWith("HTTP/1.1 200"));
            // and a second stream on it is watched as the first was
            out.write(("POST /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
            readUntil(in, "SUBSCRIBED\"}");
            streams.poll(10, TimeUnit.SECONDS);
        }
        Awaitility.await("second stream ended").atMost(Duration.ofSeconds(5)).until(() -> closed.get() == 2);
    }
}
