package io.pangaea.http;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.Test;

/** The stream's writes, against a response whose writes complete when the test says (a peer reading slowly). */
public class JettyEventStreamTest {

    /** The writes asked of the response, and their callbacks, completed by the test. */
    private final List<ByteBuffer> written = new ArrayList<>();
    private final List<Callback> pending = new ArrayList<>();
    private final List<Boolean> lasts = new ArrayList<>();

    private JettyEventStream stream() {
        Request request = (Request) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Request.class},
                (proxy, method, args) -> method.getName().equals("addFailureListener") ? null
                        : method.getName().equals("hashCode") ? 1 : null);
        Response response = (Response) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Response.class}, (proxy, method, args) -> {
                    if (method.getName().equals("write")) {
                        lasts.add((Boolean) args[0]);
                        ByteBuffer b = (ByteBuffer) args[1];
                        ByteBuffer copy = ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
                        written.add(copy);
                        pending.add((Callback) args[2]);
                        return null;
                    }
                    return method.getName().equals("hashCode") ? 2 : null;
                });
        return new JettyEventStream(request, response, Callback.NOOP);
    }

    private static byte[] record(int i) {
        return ("{\"type\":\"UPDATE\",\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] frames(int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            byte[] r = record(i);
            out.writeBytes((r.length + "\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(r);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    private void complete(int write) {
        pending.get(write).succeeded();
    }

    @Test
    public void recordsQueuedWhileAWriteIsOutGoOutTogetherInOrder() {
        JettyEventStream s = stream();
        assertTrue(s.send(record(0)));
        assertEquals("the first record is written at once", 1, written.size());
        for (int i = 1; i <= 50; i++) {
            s.send(record(i));
        }
        assertEquals("one write in flight at a time", 1, written.size());
        complete(0);
        assertEquals(2, written.size());
        assertArrayEquals("the 50 queued records in one write", frames(1, 51), bytes(written.get(1)));
        complete(1);
        assertEquals("nothing left: no write", 2, written.size());
        s.send(record(51));
        assertArrayEquals(frames(51, 52), bytes(written.get(2)));
        assertEquals(3, s.writes());
        complete(2);
        s.close();
        assertEquals(List.of(false, false, false, true), lasts);
    }

    @Test
    public void aWriteGathersNoMoreThanItsLimitAndTheRestFollows() {
        JettyEventStream s = stream();
        s.send(record(0));
        byte[] big = new byte[JettyEventStream.GATHER_BYTES / 3];
        java.util.Arrays.fill(big, (byte) 'x');
        for (int i = 0; i < 4; i++) {
            s.send(big);
        }
        complete(0);
        int frame = big.length + (big.length + "\n").length();
        assertEquals("two records fit in one write", 2 * frame, written.get(1).remaining());
        complete(1);
        assertEquals("and the other two follow", 2 * frame, written.get(2).remaining());
        complete(2);
        assertEquals(3, written.size());
    }
}
