package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.RateLimits;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Mesos's rate_limits: a framework whose principal is over its rate, with no room left to wait, gets 429 while the
 * master keeps serving another framework; a call within the capacity waits its turn and is served.
 */
public class RateLimitTest {

    private static Harness h;

    @BeforeClass
    public static void up() throws Exception {
        h = new Harness();
        RateLimits limits = RateLimits.parse("{\"limits\": [{\"principal\": \"greedy\", \"qps\": 1, \"capacity\": 1},"
                + " {\"principal\": \"polite\"}]}");
        h.master.setRateLimits(() -> limits);
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    private static Harness.Scheduler framework(String name, String principal) throws Exception {
        ObjectNode s = Harness.subscribe(name);
        ((ObjectNode) s.at("/subscribe/framework_info")).put("principal", principal);
        return h.scheduler(s);
    }

    private static ObjectNode reconcile() {
        ObjectNode r = Harness.JSON.createObjectNode();
        r.putArray("tasks");
        return r;
    }

    @Test
    public void aFrameworkOverItsLimitGets429WhileAnotherIsServed() throws Exception {
        Harness.Scheduler greedy = framework("greedy", "greedy");
        Harness.Scheduler polite = framework("polite", "polite");
        // ten calls at once: one goes now, one waits its turn (capacity 1), the rest are refused
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(Harness.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(h.url("/api/v1/scheduler")))
                    .header("Content-Type", "application/json").header("Mesos-Stream-Id", greedy.streamId)
                    .POST(HttpRequest.BodyPublishers.ofString(greedy.call("RECONCILE").set("reconcile", reconcile())
                            .toString())).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> p = polite.post(polite.call("RECONCILE").set("reconcile", reconcile()));
            assertEquals("the other framework is served throughout", 202, p.statusCode());
        }
        int served = 0;
        int refused = 0;
        String refusal = null;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
            if (r.statusCode() == 202) {
                served++;
            } else {
                assertEquals(r.body(), 429, r.statusCode());
                refused++;
                refusal = r.body();
            }
        }
        assertTrue("most of greedy's calls were refused: " + refused, refused >= 7);
        assertTrue("greedy was still served at its pace: " + served, served >= 1);
        assertTrue(refusal, refusal.contains("principal 'greedy'") && refusal.contains("rate_limits"));
    }
}
