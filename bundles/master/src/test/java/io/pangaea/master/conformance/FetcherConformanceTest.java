package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@code CommandInfo.uris} on a real agent: fetched into the sandbox before the command starts, or the task fails
 * with the reason, counted under Mesos's {@code containerizer/fetcher/*} metrics.
 */
public class FetcherConformanceTest {

    private Harness h;
    private Harness.RealAgent agent;
    private Harness.Scheduler s;

    @Before
    public void setUp() throws Exception {
        h = new Harness();
        agent = h.realAgent(Duration.ofSeconds(60));
        s = h.scheduler("fetching");
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    private void launch(JsonNode offer, String id, String command, String uri) throws Exception {
        launch(offer, id, command, uri, false);
    }

    private void launch(JsonNode offer, String id, String command, String uri, boolean cache) throws Exception {
        assertEquals(202, s.launch(offer, id, t -> {
            ObjectNode cmd = t.putObject("command").put("value", command);
            cmd.putArray("uris").addObject().put("value", uri).put("executable", true).put("cache", cache);
            t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                    .put("value", 0.1);
        }).statusCode());
    }

    private JsonNode acked(String task, String state) throws Exception {
        return s.acked(task, state);
    }

    private JsonNode agentMetrics() throws Exception {
        return Harness.JSON.readTree(Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                agent.url("/metrics/snapshot"))).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    public void urisAreFetchedBeforeTheCommandStarts() throws Exception {
        Path script = Files.createTempFile("pangaea-fetch", ".sh");
        try {
            Files.writeString(script, "#!/bin/sh\necho fetched-and-run > result.txt\n");
            launch(s.freshOffer(), "fetch-ok",
                    "./" + script.getFileName() + " && grep -q fetched-and-run result.txt", script.toString());
            acked("fetch-ok", "TASK_STARTING");
            acked("fetch-ok", "TASK_RUNNING");
            acked("fetch-ok", "TASK_FINISHED");

            launch(s.freshOffer(), "fetch-bad", "true",
                    script.resolveSibling("no-such-file").toString());
            acked("fetch-bad", "TASK_STARTING");
            JsonNode failed = acked("fetch-bad", "TASK_FAILED");
            assertEquals("REASON_CONTAINER_LAUNCH_FAILED", failed.path("reason").asText());
            assertTrue(failed.path("message").asText(), failed.path("message").asText().contains("no-such-file"));
            JsonNode m = agentMetrics();
            assertEquals(1.0, m.path("containerizer/fetcher/task_fetches_succeeded").asDouble(), 0.0);
            assertEquals(1.0, m.path("containerizer/fetcher/task_fetches_failed").asDouble(), 0.0);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    @Test
    public void cachedUrisServeLaterTasksFromTheAgentsCache() throws Exception {
        Path script = Files.createTempFile("pangaea-cached", ".sh");
        String body = "#!/bin/sh\necho from-cache\n";
        try {
            Files.writeString(script, body);
            String run = "./" + script.getFileName() + " | grep -q from-cache";
            launch(s.freshOffer(), "cached-1", run, script.toString(), true);
            acked("cached-1", "TASK_STARTING");
            acked("cached-1", "TASK_RUNNING");
            acked("cached-1", "TASK_FINISHED");
            // the source is gone: the second task can only have it from the cache
            Files.delete(script);
            launch(s.freshOffer(), "cached-2", run, script.toString(), true);
            acked("cached-2", "TASK_STARTING");
            acked("cached-2", "TASK_RUNNING");
            acked("cached-2", "TASK_FINISHED");
            JsonNode m = agentMetrics();
            assertEquals(body.length(), m.path("containerizer/fetcher/cache_size_used_bytes").asDouble(), 0.0);
            assertEquals(2L << 30, m.path("containerizer/fetcher/cache_size_total_bytes").asDouble(), 0.0);
            JsonNode flags = Harness.JSON.readTree(Harness.HTTP.send(HttpRequest.newBuilder(URI.create(
                    agent.url("/flags"))).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("2GB", flags.at("/flags/fetcher_cache_size").asText());
            assertEquals(agent.workDir.resolve("fetch").toString(), flags.at("/flags/fetcher_cache_dir").asText());
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
