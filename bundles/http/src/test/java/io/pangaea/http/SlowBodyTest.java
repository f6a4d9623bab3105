package io.pangaea.http;

import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.Test;

/**
 * A client that sends part of its body and then nothing is answered 408 once the body has paused for
 * {@link HttpSupport#BODY_READ_IDLE}: it does not hold the thread reading it for the connection's whole idle timeout.
 */
public class SlowBodyTest {

    @Test
    public void aStalledBodyIsAnswered408AfterItsPause() throws Exception {
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        c.setIdleTimeout(75_000); // the master's: far longer than the body's pause allowed
        server.addConnector(c);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                byte[] body = HttpSupport.body(request, response, callback);
                if (body != null) {
                    HttpSupport.text(response, callback, 200, "read " + body.length);
                }
                return true;
            }
        });
        server.start();
        try (Socket s = new Socket("127.0.0.1", c.getLocalPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                    + "{\"type\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            s.setSoTimeout(40_000);
            InputStream in = s.getInputStream();
            String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(answer, answer.startsWith("HTTP/1.1 408"));
            assertTrue("answered after the pause allowed, not the connection's idle timeout: " + seconds,
                    seconds >= HttpSupport.BODY_READ_IDLE.toSeconds() - 1 && seconds < 30);
        } finally {
            server.stop();
        }
    }
}
