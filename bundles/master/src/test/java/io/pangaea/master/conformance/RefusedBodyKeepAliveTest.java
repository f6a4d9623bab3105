package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A call refused before its body was needed (415, 406, 405) keeps the connection usable for the next request, even
 * when the body comes a moment after the headers, as the JDK's HTTP client sends it.
 */
public class RefusedBodyKeepAliveTest {

    private static Harness master;

    @BeforeClass
    public static void start() throws Exception {
        master = new Harness(MasterConfig.defaults());
    }

    @AfterClass
    public static void stop() throws Exception {
        master.close();
    }

    /** Status line, then the body of the answer (Content-Length only). */
    private static String[] answer(BufferedReader in) throws Exception {
        String status = in.readLine();
        if (status == null) {
            return new String[] {"connection closed", ""};
        }
        int length = 0;
        for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        char[] body = new char[length];
        for (int read = 0; read < length; ) {
            read += in.read(body, read, length - read);
        }
        return new String[] {status, new String(body)};
    }

    private static void refusedThenReused(String headers, String expectedStatus) throws Exception {
        java.net.URI uri = java.net.URI.create(master.url("/"));
        try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out.write(headers.getBytes(StandardCharsets.UTF_8));
            out.flush();
            // the body a moment later, as a client whose body goes in a packet of its own
            java.util.concurrent.locks.LockSupport.parkNanos(300_000_000L);
            out.write("{}".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String[] first = answer(in);
            assertTrue(first[0], first[0].contains(expectedStatus));
            out.write(("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String[] second = answer(in);
            assertEquals("the same connection answers the next request", "HTTP/1.1 200 OK", second[0]);
        }
    }

    @Test
    public void anUnsupportedMediaType() throws Exception {
        refusedThenReused("POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 2\r\n\r\n", "415");
    }

    @Test
    public void anAnswerTypeThatCannotBeGiven() throws Exception {
        refusedThenReused("POST /api/v1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Accept: text/html\r\nContent-Length: 2\r\n\r\n", "406");
    }

    @Test
    public void aMethodThatIsNotPost() throws Exception {
        refusedThenReused("PUT /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n", "405");
    }
}
