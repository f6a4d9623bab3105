package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.Test;

public class MetricsTimerTest {

    @Test
    public void reportsTheLastValueCountExtremesAndPercentiles() {
        Metrics.Timer t = new Metrics.Timer();
        ObjectNode empty = JsonNodeFactory.instance.objectNode();
        t.addTo(empty, "x");
        assertFalse("nothing before the first sample", empty.has("x"));
        for (int i = 100; i >= 1; i--) {
            t.record(i);
        }
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        t.addTo(m, "x");
        assertEquals(1.0, m.get("x").asDouble(), 0);
        assertEquals(100.0, m.get("x/count").asDouble(), 0);
        assertEquals(1.0, m.get("x/min").asDouble(), 0);
        assertEquals(100.0, m.get("x/max").asDouble(), 0);
        assertEquals(50.5, m.get("x/p50").asDouble(), 1e-9);
        assertEquals(90.1, m.get("x/p90").asDouble(), 1e-9);
        assertEquals(99.01, m.get("x/p99").asDouble(), 1e-9);
    }

    @Test
    public void keepsOnlyTheRecentWindow() {
        Metrics.Timer t = new Metrics.Timer();
        for (int i = 0; i < Metrics.Timer.WINDOW; i++) {
            t.record(1000);
        }
        for (int i = 0; i < Metrics.Timer.WINDOW; i++) {
            t.record(1);
        }
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        t.addTo(m, "y");
        assertEquals(1.0, m.get("y/max").asDouble(), 0);
        assertEquals((double) Metrics.Timer.WINDOW, m.get("y/count").asDouble(), 0);
        assertEquals(2L * Metrics.Timer.WINDOW, t.count());
    }
}
