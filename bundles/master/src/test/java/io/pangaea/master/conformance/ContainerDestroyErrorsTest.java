package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.model.ContainerId;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.After;
import org.junit.Test;

/**
 * A container that could not be cleaned up completely is counted in the agent's
 * {@code containerizer/mesos/container_destroy_errors}, as Mesos names it, and its task still ends as it did.
 */
public class ContainerDestroyErrorsTest {

    private Harness h;

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    @Test
    public void aFailedCleanupIsCountedByTheAgent() throws Exception {
        h = new Harness();
        io.pangaea.agent.spi.Isolator failing = new io.pangaea.agent.spi.Isolator() {
            @Override
            public void cleanup(ContainerId id) {
                throw new IllegalStateException("cgroup of " + id.value() + " is busy");
            }
        };
        Harness.RealAgent agent = h.realAgent(Duration.ofSeconds(60), java.util.Map.of("test/failing", failing));
        assertEquals(0.0, metric(agent), 0);
        Harness.Scheduler s = h.scheduler("destroy-errors");
        assertEquals(202, s.launch(s.awaitType("OFFERS").at("/offers/offers/0"), "t1", t -> {
            t.putObject("command").put("value", "true");
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
        }).statusCode());
        s.acked("t1", "TASK_STARTING");
        s.acked("t1", "TASK_RUNNING");
        s.acked("t1", "TASK_FINISHED");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metric(agent) == 1.0);
    }

    private static double metric(Harness.RealAgent agent) throws Exception {
        JsonNode m = Harness.JSON.readTree(Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                agent.url("/metrics/snapshot"))).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
        return m.path("containerizer/mesos/container_destroy_errors").asDouble(-1);
    }
}
