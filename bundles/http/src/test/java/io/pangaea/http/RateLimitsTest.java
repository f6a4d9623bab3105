package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import org.junit.Test;

/** Mesos's rate_limits: a pace per principal, a queue of capacity calls, and a shared default for the others. */
public class RateLimitsTest {

    @Test
    public void callsBeyondTheRateWaitAndBeyondTheCapacityAreRefused() throws IOException {
        RateLimits limits = RateLimits.parse("{\"limits\": [{\"principal\": \"a\", \"qps\": 1, \"capacity\": 2},"
                + " {\"principal\": \"free\"}]}");
        RateLimits.Limiter a = limits.limiter("a");
        assertEquals(0, a.acquire());
        long first = a.acquire();
        long second = a.acquire();
        assertTrue(first + "", first > 0 && first <= 1_000_000_000L);
        assertTrue(second + " after " + first, second > first);
        assertEquals("two wait already", -1, a.acquire());
        a.done();
        assertTrue(a.acquire() > second);
        // no qps: unlimited
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, limits.limiter("free").acquire());
        }
        assertNull("not listed, no aggregate default: not limited", limits.limiter("other"));
        assertNull(limits.limiter(null));
    }

    @Test
    public void theOthersShareTheAggregateDefault() throws IOException {
        RateLimits limits = RateLimits.parse("{\"limits\": [{\"principal\": \"a\", \"qps\": 100}],"
                + " \"aggregate_default_qps\": 5, \"aggregate_default_capacity\": 0}");
        assertSame(limits.limiter("b"), limits.limiter("c"));
        assertSame(limits.limiter("b"), limits.limiter(null));
        assertEquals(0, limits.limiter("b").acquire());
        assertEquals("capacity 0: nothing waits", -1, limits.limiter("c").acquire());
        assertEquals(0, limits.limiter("a").acquire());
    }

    @Test
    public void badLimitsNameTheField() {
        assertMessage("{\"limits\": [{\"qps\": 1}]}", "rate_limits.limits[0].principal");
        assertMessage("{\"limits\": [{\"principal\": \"a\", \"qps\": -1}]}", "rate_limits.limits[0].qps");
        assertMessage("{\"limits\": [{\"principal\": \"a\", \"capacity\": 1.5}]}", "rate_limits.limits[0].capacity");
        assertMessage("{\"limits\": [{\"principal\": \"a\"}, {\"principal\": \"a\"}]}", "rate_limits.limits[1]");
        assertMessage("{\"limit\": []}", "rate_limits.limit: unknown field");
        assertMessage("{\"aggregate_default_capacity\": 3}", "rate_limits.aggregate_default_capacity");
        assertMessage("/no/such/file", "rate_limits: no such file");
    }

    private static void assertMessage(String json, String expected) {
        IOException e = assertThrows(IOException.class, () -> RateLimits.parse(json));
        assertTrue(e.getMessage(), e.getMessage().startsWith(expected));
    }
}
