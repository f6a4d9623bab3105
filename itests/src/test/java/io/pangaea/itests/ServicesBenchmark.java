package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.Test;

/**
 * The time until every instance of one 500-instance app runs, through the services adapter (Marathon API) in the
 * master distribution, on two real agents (native tasks running {@code sleep}). Anchor: Marathon started 500 Docker
 * instances on 189 agents in 14.18 s. Run: {@code benchmarks/services.sh}.
 */
public class ServicesBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int INSTANCES = Integer.getInteger("instances", 500);

    private static HttpResponse<String> call(int port, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int running(int port) throws Exception {
        JsonNode app = JSON.readTree(call(port, "GET", "/v2/apps/bench/sleepers", null).body()).path("app");
        return app.path("tasksRunning").asInt();
    }

    @Test
    public void fiveHundredInstancesOfOneApp() throws Exception {
        try (LocalCluster c = new LocalCluster("cpus:64;mem:65536;disk:4096",
                Map.of("ip", "127.0.0.{agent}", "hostname", "agent-{agent}"), Map.of(), 1, null, 2)) {
            int port = LocalCluster.freePort();
            Files.writeString(c.masterHome().resolve("etc/io.pangaea.framework.services.cfg"), "port = " + port
                    + "\nmaster = 127.0.0.1:" + c.masterPort + "\n");
            c.masterShell("feature:install pangaea-framework-services");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> JSON.readTree(call(port, "GET",
                    "/v2/info", null).body()).path("frameworkId").isTextual());
            double[] cpu0 = c.cpuSeconds();
            long start = System.nanoTime();
            HttpResponse<String> r = call(port, "POST", "/v2/apps", "{\"id\":\"/bench/sleepers\",\"cmd\":\"exec sleep"
                    + " 600\",\"instances\":" + INSTANCES + ",\"cpus\":0.01,\"mem\":8,\"portDefinitions\":[]}");
            assertEquals(r.body(), 201, r.statusCode());
            long half = 0;
            while (true) {
                int n = running(port);
                if (half == 0 && n >= INSTANCES / 2) {
                    half = System.nanoTime();
                }
                if (n == INSTANCES) {
                    break;
                }
                if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
                    throw new AssertionError("only " + n + " of " + INSTANCES + " running after 5 minutes");
                }
                await().pollDelay(Duration.ofMillis(100)).until(() -> true);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] cpu1 = c.cpuSeconds();
            System.out.printf(Locale.ROOT, "BENCHMARK services: %d instances of one app running in %.2f s (half in"
                    + " %.2f s), %.0f instances/s; CPU-seconds meanwhile: master JVM (with the adapter) %.1f, first"
                    + " agent %.1f%n", INSTANCES, seconds, (half - start) / 1e9, INSTANCES / seconds,
                    cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]);
            if (Boolean.getBoolean("services.log")) {
                Files.readAllLines(c.masterHome().resolve("data/log/karaf.log")).stream()
                        .filter(l -> l.contains("ServiceScheduler")).forEach(System.out::println);
            }
            assertEquals(200, call(port, "DELETE", "/v2/apps/bench/sleepers?force=true", null).statusCode());
            await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> call(port, "GET",
                    "/v2/apps/bench/sleepers", null).statusCode() == 404 && JSON.readTree(call(port, "GET",
                    "/v2/deployments", null).body()).isEmpty());
        }
    }
}
