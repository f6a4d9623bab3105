package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.model.CommandInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Authentication on the real distributions (issue 17's first part): a master with every realm protected and
 * Mesos's credentials file, an agent that gives its credential. Calls without credentials get 401 and their realm;
 * the agent registers; a framework with its credential runs a task; a setting changed in the master's shell applies
 * live.
 */
public class SecurityIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String OPS = basic("ops", "ops-secret");
    private static LocalCluster cluster;
    private static Path dir;

    private static String basic(String principal, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((principal + ":" + secret).getBytes());
    }

    @BeforeClass
    public static void up() throws Exception {
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "security-");
        Path credentials = Files.writeString(dir.resolve("credentials.json"), "{\"credentials\":["
                + "{\"principal\":\"ops\",\"secret\":\"ops-secret\"},{\"principal\":\"fw\",\"secret\":\"fw-secret\"},"
                + "{\"principal\":\"agent\",\"secret\":\"agent-secret\"}]}");
        Path credential = Files.writeString(dir.resolve("agent-credential.json"),
                "{\"principal\":\"agent\",\"secret\":\"agent-secret\"}");
        cluster = new LocalCluster("cpus:2;mem:1024", Map.of("credential", credential.toString()), Map.of(
                "authenticate_agents", "true", "authenticate_http_frameworks", "true",
                "authenticate_http_readonly", "true", "authenticate_http_readwrite", "true",
                "credentials", credentials.toString(), "http_authentication_realm", "karaf"), 1, null, 1, OPS);
    }

    @AfterClass
    public static void down() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static HttpResponse<String> call(String method, String path, String body, String authorization)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.masterUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void everyApiAsksForCredentialsAndTheAuthenticatedAgentAndFrameworkWork() throws Exception {
        for (String[] c : new String[][] {{"GET", "/master/state", null, "mesos-master-readonly"},
                {"POST", "/api/v1", "{\"type\":\"GET_HEALTH\"}", "mesos-master-readwrite"},
                {"POST", "/api/v1/scheduler", "{\"type\":\"SUBSCRIBE\"}", "mesos-master-scheduler"},
                {"POST", "/internal/v1/agent", "{\"type\":\"PONG\"}", "mesos-master-agent"}}) {
            for (String authorization : new String[] {null, basic("ops", "wrong")}) {
                HttpResponse<String> r = call(c[0], c[1], c[2], authorization);
                assertEquals(c[1], 401, r.statusCode());
                assertEquals("Basic realm=\"" + c[3] + "\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
            }
        }
        // the agent, with its credential, registered (the cluster waited for it)
        assertTrue(call("GET", "/master/slaves", null, OPS).body().contains("\"active\":true"));
        String flags = call("GET", "/master/flags", null, OPS).body();
        for (String flag : List.of("authenticate_agents", "authenticate_http_frameworks", "authenticate_http_readonly",
                "authenticate_http_readwrite")) {
            assertTrue(flags, flags.contains("\"" + flag + "\":\"true\""));
        }

        List<TaskStatus> updates = new CopyOnWriteArrayList<>();
        List<Offer> offers = new CopyOnWriteArrayList<>();
        FrameworkInfo info = new FrameworkInfo("root", "authenticated-it", null, 0.0, false, "*", null, null, "fw",
                null, null, null);
        try (SchedulerDriver driver = SchedulerDriver.builder(URI.create(cluster.masterUrl()), info)
                .credential("fw", "fw-secret").scheduler(new Scheduler() {
                    @Override
                    public void offers(SchedulerDriver d, List<Offer> o) {
                        offers.addAll(o);
                    }

                    @Override
                    public void update(SchedulerDriver d, TaskStatus s) {
                        updates.add(s);
                    }
                }).build()) {
            driver.start();
            Offer offer = await("an offer").atMost(Duration.ofSeconds(60))
                    .until(() -> offers.isEmpty() ? null : offers.get(0), o -> o != null);
            driver.launch(List.of(offer.id()), List.of(new TaskInfo("t", TaskId.of("secure-1"), offer.agentId(),
                    List.of(Resource.scalar("cpus", 0.1), Resource.scalar("mem", 32)), null,
                    CommandInfo.shell("true"), null, null, null, null)), 0).get();
            await("the task finished").atMost(Duration.ofSeconds(60)).until(() -> updates.stream()
                    .anyMatch(u -> u.state() == TaskState.TASK_FINISHED));
            driver.teardown().get();
        }
    }

    /** With http_authentication_realm, the users of Karaf's JAAS realm (the shell's) authenticate over HTTP too. */
    @Test
    public void theShellsUsersAuthenticateOverHttpThroughTheJaasRealm() throws Exception {
        assertEquals(200, call("GET", "/master/state", null, basic("karaf", "karaf")).statusCode());
        assertEquals(401, call("GET", "/master/state", null, basic("karaf", "not-karaf")).statusCode());
        // the credentials file still counts
        assertEquals(200, call("GET", "/master/state", null, OPS).statusCode());
    }

    /** {@code authenticate_http_readonly} changed in the master's shell applies at once, and back. */
    @Test
    public void aChangedSettingAppliesLive() throws Exception {
        try {
            cluster.masterShell("config:property-set -p io.pangaea.master authenticate_http_readonly false");
            await("reads open").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> call("GET", "/master/state", null, null).statusCode() == 200);
            assertEquals(401, call("POST", "/api/v1", "{\"type\":\"GET_HEALTH\"}", null).statusCode());
        } finally {
            cluster.masterShell("config:property-set -p io.pangaea.master authenticate_http_readonly true");
        }
        await("reads closed again").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> call("GET", "/master/state", null, null).statusCode() == 401);
    }
}
