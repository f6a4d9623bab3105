package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.Test;

/** The parts of a read view encoded where the view is written: each once, in its place, and kept on the loop. */
public class DeferredJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A view of {@code n} deferred parts, written twice; returns what each write gave. */
    private static List<String> writeTwice(int n, AtomicIntegerArray makes, List<String> kept,
                                           Set<String> makers, List<Runnable> loop) throws Exception {
        DeferredJson.Batch batch = new DeferredJson.Batch(loop::add);
        ArrayNode view = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < n; i++) {
            int index = i;
            view.add(batch.node(() -> {
                makes.incrementAndGet(index);
                makers.add(Thread.currentThread().getName());
                return ("{\"task\":" + index + "}").getBytes(StandardCharsets.UTF_8);
            }, json -> kept.add(json.toString())));
        }
        return List.of(JSON.writeValueAsString(view), JSON.writeValueAsString(view));
    }

    private static String expected(int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"task\":").append(i).append('}');
        }
        return b.append(']').toString();
    }

    @Test
    public void aBigViewIsEncodedOnceEachInItsPlaceAndKeptOnTheLoopOnce() throws Exception {
        int n = DeferredJson.Batch.IN_PARALLEL_FROM * 8;
        AtomicIntegerArray makes = new AtomicIntegerArray(n);
        List<String> kept = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> loop = Collections.synchronizedList(new ArrayList<>());
        List<String> written = writeTwice(n, makes, kept, ConcurrentHashMap.newKeySet(), loop);

        assertEquals(expected(n), written.get(0));
        assertEquals("a second write gives the same bytes", written.get(0), written.get(1));
        for (int i = 0; i < n; i++) {
            assertEquals("part " + i + " encoded once", 1, makes.get(i));
        }
        assertEquals("handed to the loop in one task, once all were written", 1, loop.size());
        assertTrue("nothing kept before the loop runs it", kept.isEmpty());
        loop.get(0).run();
        assertEquals("every part kept", n, Set.copyOf(kept).size());
    }

    @Test
    public void aSmallViewIsEncodedAsItIsWrittenOnTheWritersThread() throws Exception {
        int n = DeferredJson.Batch.IN_PARALLEL_FROM - 1;
        AtomicIntegerArray makes = new AtomicIntegerArray(n);
        Set<String> makers = ConcurrentHashMap.newKeySet();
        List<Runnable> loop = new ArrayList<>();
        List<String> written = writeTwice(n, makes, Collections.synchronizedList(new ArrayList<>()), makers, loop);

        assertEquals(expected(n), written.get(0));
        assertEquals(expected(n), written.get(1));
        assertEquals(Set.of(Thread.currentThread().getName()), makers);
        assertEquals("a part is made again on the second write (kept only once the loop has run)", 2, makes.get(0));
        assertEquals(1, loop.size());
    }
}
