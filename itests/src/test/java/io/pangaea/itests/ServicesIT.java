package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.curator.test.TestingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The services adapter (Marathon API) against the real distributions: two masters electing through ZooKeeper, each
 * with the adapter installed at runtime (its two instances elect the acting one in ZooKeeper too), and two agents on
 * their own loopback addresses and host names. Apps run {@code busybox httpd}. The tests run in order on one
 * cluster; the last one kills the leading master.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ServicesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String HTTPD = "echo ok > index.html && exec busybox httpd -f -p $PORT0";

    private static TestingServer zk;
    private static LocalCluster cluster;
    /** The adapter instances' API ports: in master 0, in master 1, and in the stand-alone adapters distribution. */
    private static final int[] API = new int[3];
    private static final List<JsonNode> EVENTS = new CopyOnWriteArrayList<>();
    private static InputStream eventStream;

    @BeforeClass
    public static void start() throws Exception {
        zk = new TestingServer(true);
        String masters = "zk://" + zk.getConnectString() + "/pangaea";
        cluster = new LocalCluster("cpus:4;mem:2048;disk:1024;ports:[3{agent}000-3{agent}199]",
                Map.of("ip", "127.0.0.{agent}", "hostname", "agent-{agent}", "master", masters), Map.of(), 2,
                masters, 2);
        for (int i = 0; i < 2; i++) {
            API[i] = LocalCluster.freePort();
            configure(i);
            cluster.masterShell(i, "feature:install pangaea-framework-services");
        }
        await("an acting adapter").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> acting() >= 0 && get(API[acting()], "/v2/info").path("frameworkId").isTextual());
        followEvents();
    }

    /** The adapter's settings in the {@code i}th master's etc/ (its own port; election and state in ZooKeeper). */
    private static void configure(int i) throws IOException {
        Files.writeString(cluster.masterHome(i).resolve("etc/io.pangaea.framework.services.cfg"), String.join("\n",
                "port = " + API[i], "hostname = 127.0.0.1", "master = zk://" + zk.getConnectString() + "/pangaea",
                "zk = zk://" + zk.getConnectString() + "/pangaea-services", "zk_session_timeout_ms = 4000", ""));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (eventStream != null) {
            eventStream.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** The index of the acting adapter instance (its /v2/info says elected), or -1. */
    private static int acting() {
        for (int i = 0; i < API.length; i++) {
            if (API[i] == 0) {
                continue;
            }
            try {
                if (get(API[i], "/v2/info").path("elected").asBoolean()) {
                    return i;
                }
            } catch (Exception down) {
                // not this one
            }
        }
        return -1;
    }

    private static HttpResponse<String> call(int port, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> r = call(port, "GET", path, null);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** A request to the acting instance. */
    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return call(API[Math.max(0, acting())], method, path, body);
    }

    private static JsonNode app(String id) throws Exception {
        return get(API[Math.max(0, acting())], "/v2/apps" + id).path("app");
    }

    private static List<JsonNode> tasks(String id) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        app(id).path("tasks").forEach(out::add);
        return out;
    }

    private static Set<String> taskIds(String id) throws Exception {
        Set<String> out = new TreeSet<>();
        for (JsonNode t : tasks(id)) {
            out.add(t.path("id").asText());
        }
        return out;
    }

    /** Waits until the app has {@code n} tasks, all running and healthy, and no deployment. */
    private static void awaitHealthy(String id, int n) {
        await(id + " at " + n + " healthy").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> {
                    JsonNode a = app(id);
                    return a.path("tasksHealthy").asInt() == n && a.path("tasks").size() == n
                            && a.path("deployments").isEmpty();
                });
    }

    private static void followEvents() throws Exception {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + API[acting()] + "/v2/events")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        eventStream = r.body();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(eventStream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        EVENTS.add(JSON.readTree(line.substring(6)));
                    }
                }
            } catch (IOException ended) {
                // the stream ends with its adapter instance
            }
        }, "services-it-events");
        reader.setDaemon(true);
        reader.start();
    }

    private static Set<String> eventTypes() {
        Set<String> out = new TreeSet<>();
        EVENTS.forEach(e -> out.add(e.path("eventType").asText()));
        return out;
    }

    private static String webApp(int instances) {
        return "{\"id\":\"/it/web\",\"cmd\":\"" + HTTPD + "\",\"instances\":" + instances + ",\"cpus\":0.1,"
                + "\"mem\":16,\"backoffSeconds\":2,\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/\","
                + "\"gracePeriodSeconds\":10,\"intervalSeconds\":1,\"timeoutSeconds\":1,"
                + "\"maxConsecutiveFailures\":2,\"delaySeconds\":0}]}";
    }

    // ---- the tests -----------------------------------------------------------------------------------------

    @Test
    public void t00InvalidAppsAnswer422NamingTheFieldAndCreateNothing() throws Exception {
        String[][] table = {
                {"{\"id\":\"/Bad_Id\",\"cmd\":\"true\"}", "/id"},
                {"{\"id\":\"/neg\",\"cmd\":\"true\",\"instances\":-1}", "/instances"},
                {"{\"id\":\"/op\",\"cmd\":\"true\",\"constraints\":[[\"hostname\",\"NEAR\"]]}", "/constraints(0)"},
                {"{\"id\":\"/nothing\"}", "/"},
                {"{\"id\":\"/cpus\",\"cmd\":\"true\",\"cpus\":-0.5}", "/cpus"},
                {"{\"id\":\"/docker\",\"container\":{\"type\":\"DOCKER\",\"docker\":{}}}", "/container/docker/image"},
                {"{\"id\":\"/hc\",\"cmd\":\"true\",\"healthChecks\":[{\"protocol\":\"MESOS_HTTP\",\"portIndex\":3}]}",
                        "/healthChecks(0)/portIndex"},
                {"{\"id\":\"/type\",\"cmd\":\"true\",\"instances\":\"many\"}", "/instances"},
        };
        for (String[] row : table) {
            HttpResponse<String> r = api("POST", "/v2/apps", row[0]);
            assertEquals(row[0] + " -> " + r.body(), 422, r.statusCode());
            JsonNode body = JSON.readTree(r.body());
            assertEquals("Object is not valid", body.path("message").asText());
            List<String> paths = new ArrayList<>();
            body.path("details").forEach(d -> paths.add(d.path("path").asText()));
            assertTrue(row[0] + " -> " + paths, paths.contains(row[1]));
        }
        assertEquals(400, api("POST", "/v2/apps", "{not json").statusCode());
        assertEquals(0, get(API[acting()], "/v2/apps").path("apps").size());
        assertEquals(0, get(API[acting()], "/v2/deployments").size());
    }

    @Test
    public void t01CreateScaleUpAndDown() throws Exception {
        HttpResponse<String> created = api("POST", "/v2/apps", webApp(3));
        assertEquals(created.body(), 201, created.statusCode());
        assertTrue(created.headers().firstValue("Marathon-Deployment-Id").isPresent());
        assertEquals(409, api("POST", "/v2/apps", webApp(3)).statusCode());
        awaitHealthy("/it/web", 3);
        for (JsonNode t : tasks("/it/web")) {
            int port = t.path("ports").get(0).asInt();
            String host = t.path("host").asText();
            assertTrue(host, host.equals("agent-1") || host.equals("agent-2"));
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("ok", page.body().trim());
        }
        // through the instance that does not act: forwarded
        int other = 1 - acting();
        HttpResponse<String> scaled = call(API[other], "PUT", "/v2/apps/it/web", "{\"instances\":5}");
        assertEquals(scaled.body(), 200, scaled.statusCode());
        assertTrue(JSON.readTree(scaled.body()).path("deploymentId").isTextual());
        awaitHealthy("/it/web", 5);
        assertEquals(200, api("PUT", "/v2/apps/it/web", "{\"instances\":2}").statusCode());
        awaitHealthy("/it/web", 2);
        JsonNode app = app("/it/web");
        assertNotEquals(app.path("versionInfo").path("lastScalingAt").asText(),
                app.path("versionInfo").path("lastConfigChangeAt").asText());
        assertTrue(get(API[acting()], "/v2/apps/it/web/versions").path("versions").size() >= 3);
    }

    /** The pid of the process whose argv is exactly {@code args} (the task's httpd). */
    private static long pidOf(List<String> args) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (List.of(cmdline.split("\0")).equals(args)) {
                        return Long.parseLong(p.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        throw new AssertionError("no process " + args);
    }

    @Test
    public void t02TaskKilledFromOutsideIsReplacedAfterTheBackoff() throws Exception {
        JsonNode victim = tasks("/it/web").get(0);
        String id = victim.path("id").asText();
        long pid = pidOf(List.of("busybox", "httpd", "-f", "-p", victim.path("ports").get(0).asText()));
        LocalCluster.signal(ProcessHandle.of(pid).orElseThrow(), "KILL");
        await("replaced").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !taskIds("/it/web")
                .contains(id) && app("/it/web").path("tasksHealthy").asInt() == 2
                && tasks("/it/web").size() == 2);
        JsonNode failure = app("/it/web").path("lastTaskFailure");
        assertEquals(id, failure.path("taskId").asText());
        Instant failed = Instant.parse(failure.path("timestamp").asText());
        for (JsonNode t : tasks("/it/web")) {
            if (!t.path("id").asText().equals(id) && Instant.parse(t.path("stagedAt").asText()).isAfter(failed)) {
                // backoffSeconds is 2: the replacement waited for it
                assertTrue(Duration.between(failed, Instant.parse(t.path("stagedAt").asText())).toMillis() >= 1900);
            }
        }
    }

    @Test
    public void t03FailingHealthCheckGetsTheTaskKilledAndReplaced() throws Exception {
        String id = tasks("/it/web").get(0).path("id").asText();
        Files.delete(cluster.sandbox(id).resolve("index.html")); // httpd answers 404 from now on
        await("killed for its health").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> !taskIds("/it/web").contains(id));
        assertTrue(EVENTS.stream().anyMatch(e -> e.path("eventType").asText().equals("health_status_changed_event")
                && e.path("taskId").asText().equals(id) && !e.path("alive").asBoolean(true)));
        awaitHealthy("/it/web", 2);
    }

    @Test
    public void t04RollingUpgradeKeepsTheMinimumHealthCapacityAndRollsBack() throws Exception {
        assertEquals(200, api("PUT", "/v2/apps/it/web", "{\"instances\":4,\"upgradeStrategy\":"
                + "{\"minimumHealthCapacity\":0.75,\"maximumOverCapacity\":0.25}}").statusCode());
        awaitHealthy("/it/web", 4);
        Set<String> before = taskIds("/it/web");
        // the new version takes 2 s to serve: the upgrade spans several samples
        String slowStart = "sleep 2; " + HTTPD;
        HttpResponse<String> upgrade = api("PUT", "/v2/apps/it/web", "{\"env\":{\"RELEASE\":\"2\"},\"cmd\":\""
                + slowStart + "\"}");
        assertEquals(200, upgrade.statusCode());
        String version = JSON.readTree(upgrade.body()).path("version").asText();
        int lowest = Integer.MAX_VALUE;
        int samples = 0;
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            JsonNode a = app("/it/web");
            lowest = Math.min(lowest, a.path("tasksHealthy").asInt());
            samples++;
            boolean allNew = true;
            for (JsonNode t : a.path("tasks")) {
                allNew &= t.path("version").asText().equals(version);
            }
            if (a.path("deployments").isEmpty() && allNew && a.path("tasksHealthy").asInt() == 4
                    && a.path("tasks").size() == 4) {
                break;
            }
            await().pollDelay(Duration.ofMillis(200)).until(() -> true); // the 200 ms sampling period
        }
        assertTrue("the upgrade did not finish", app("/it/web").path("deployments").isEmpty());
        assertTrue("healthy fell to " + lowest, lowest >= 3);
        assertTrue("only " + samples + " samples", samples >= 10);
        System.out.println("Rolling upgrade of 4 instances: " + samples + " samples, lowest healthy count " + lowest);
        Set<String> after = taskIds("/it/web");
        after.retainAll(before);
        assertTrue("old instances remain: " + after, after.isEmpty());

        // a version that never gets healthy: its deployment is rolled back to the version before
        HttpResponse<String> broken = api("PUT", "/v2/apps/it/web", "{\"cmd\":\"exec sleep 600\"}");
        String deployment = JSON.readTree(broken.body()).path("deploymentId").asText();
        assertEquals(409, api("PUT", "/v2/apps/it/web", "{\"instances\":3}").statusCode());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> tasks("/it/web").size() > 4);
        HttpResponse<String> rollback = api("DELETE", "/v2/deployments/" + deployment, null);
        assertEquals(rollback.body(), 200, rollback.statusCode());
        await("rolled back").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                app("/it/web").path("cmd").asText().equals(slowStart) && app("/it/web").path("deployments").isEmpty()
                        && app("/it/web").path("tasksHealthy").asInt() == 4 && tasks("/it/web").size() == 4);
        assertTrue(EVENTS.stream().anyMatch(e -> e.path("eventType").asText().equals("deployment_failed")
                && e.path("id").asText().equals(deployment)));
    }

    @Test
    public void t05UniqueHostnamePlacesOnePerAgentAndTheQueueSaysWhyNotMore() throws Exception {
        String unique = "{\"id\":\"/it/unique\",\"cmd\":\"" + HTTPD + "\",\"instances\":2,\"cpus\":0.1,\"mem\":16,"
                + "\"constraints\":[[\"hostname\",\"UNIQUE\"]]}";
        assertEquals(201, api("POST", "/v2/apps", unique).statusCode());
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> app("/it/unique")
                .path("tasksRunning").asInt() == 2 && app("/it/unique").path("deployments").isEmpty());
        Set<String> hosts = new HashSet<>();
        tasks("/it/unique").forEach(t -> hosts.add(t.path("host").asText()));
        assertEquals(Set.of("agent-1", "agent-2"), hosts);
        assertEquals(200, api("PUT", "/v2/apps/it/unique", "{\"instances\":3}").statusCode());
        assertEquals(201, api("POST", "/v2/apps", "{\"id\":\"/it/huge\",\"cmd\":\"sleep 600\",\"cpus\":64}")
                .statusCode());
        await("the queue explains").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            JsonNode q = get(API[acting()], "/v2/queue").path("queue");
            return declined(q, "/it/unique", "UnfulfilledConstraint") > 0
                    && declined(q, "/it/huge", "InsufficientCpus") > 0;
        });
        assertEquals(2, tasks("/it/unique").size());
        // a deploying app is locked: removing it takes force
        assertEquals(409, api("DELETE", "/v2/apps/it/huge", null).statusCode());
        assertEquals(200, api("DELETE", "/v2/apps/it/huge?force=true", null).statusCode());
        assertEquals(200, api("PUT", "/v2/apps/it/unique?force=true", "{\"instances\":2}").statusCode());
    }

    @Test
    public void t05aTasksGroupsQueueDelayLeaderAndMetrics() throws Exception {
        int acting = acting();
        assertEquals("pong", call(API[acting], "GET", "/ping", null).body().trim());
        assertEquals("127.0.0.1:" + API[acting], get(API[1 - acting], "/v2/leader").path("leader").asText());
        JsonNode groups = get(API[acting], "/v2/groups");
        assertEquals("/it", groups.at("/groups/0/id").asText());
        assertEquals(2, groups.at("/groups/0/apps").size());
        assertEquals(2, get(API[acting], "/v2/groups/it").path("apps").size());
        assertTrue(get(API[acting], "/metrics").at("/counters/marathon.tasks.launched.counter/count").asInt() > 0);
        assertEquals(2, get(API[acting], "/v2/tasks?status=running").path("tasks").size()
                - tasks("/it/web").size());

        // one task of /it/unique killed with scale: the app shrinks instead of replacing it
        String victim = tasks("/it/unique").get(0).path("id").asText();
        HttpResponse<String> killed = api("POST", "/v2/tasks/delete?scale=true", "{\"ids\":[\"" + victim + "\"]}");
        assertEquals(killed.body(), 200, killed.statusCode());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> app("/it/unique").path("instances")
                .asInt() == 1 && tasks("/it/unique").size() == 1 && app("/it/unique").path("deployments").isEmpty());

        // an app that fails at once waits out its backoff in the queue; resetting the delay launches it again
        assertEquals(201, api("POST", "/v2/apps", "{\"id\":\"/it/crash\",\"cmd\":\"exit 1\",\"cpus\":0.1,"
                + "\"mem\":16,\"portDefinitions\":[],\"backoffSeconds\":300}").statusCode());
        await("delayed").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            JsonNode q = get(API[acting()], "/v2/queue").path("queue");
            return q.size() > 0 && q.get(0).at("/app/id").asText().equals("/it/crash")
                    && q.get(0).at("/delay/timeLeftSeconds").asInt() > 200;
        });
        String failed = app("/it/crash").at("/lastTaskFailure/taskId").asText();
        assertEquals(204, api("DELETE", "/v2/queue/it/crash/delay", null).statusCode());
        await("launched again").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                !app("/it/crash").at("/lastTaskFailure/taskId").asText().equals(failed));
        assertEquals(200, api("DELETE", "/v2/apps/it/crash?force=true", null).statusCode());
        assertEquals(404, api("GET", "/v2/apps/it/crash", null).statusCode());
    }

    private static long declined(JsonNode queue, String app, String reason) {
        for (JsonNode item : queue) {
            if (item.path("app").path("id").asText().equals(app)) {
                for (JsonNode r : item.path("processedOffersSummary").path("rejectSummaryLastOffers")) {
                    if (r.path("reason").asText().equals(reason)) {
                        return r.path("declined").asLong();
                    }
                }
            }
        }
        return 0;
    }

    @Test
    public void t06TheEventStreamCarriedAllOfIt() throws Exception {
        assertTrue(eventTypes().toString(), eventTypes().containsAll(List.of("status_update_event",
                "instance_changed_event", "health_status_changed_event", "deployment_info", "deployment_success",
                "deployment_failed", "deployment_step_success", "api_post_event")));
        assertEquals(405, call(API[acting()], "GET", "/v2/events", null).statusCode());
    }

    @Test
    public void t07UninstallAndInstallKeepTheTasksAndAdoptThem() throws Exception {
        awaitHealthy("/it/web", 4);
        Set<String> before = taskIds("/it/web");
        for (int i = 0; i < 2; i++) {
            cluster.masterShell(i, "feature:uninstall pangaea-framework-services");
        }
        await("no adapter").atMost(Duration.ofSeconds(30)).until(() -> acting() < 0);
        // the tasks run on without their framework's scheduler
        JsonNode state = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + cluster.masterPorts.get(Math.max(0, cluster.leader())) + "/master/tasks")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        Set<String> running = new HashSet<>();
        state.path("tasks").forEach(t -> {
            if (t.path("state").asText().equals("TASK_RUNNING")) {
                running.add(t.path("id").asText());
            }
        });
        assertTrue(running.containsAll(before));
        for (int i = 0; i < 2; i++) {
            configure(i);
            cluster.masterShell(i, "feature:install pangaea-framework-services");
        }
        await("adopted").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> acting() >= 0
                && taskIds("/it/web").equals(before) && app("/it/web").path("tasksRunning").asInt() == 4);
        assertTrue(cluster.masterShell(acting(), "adapter:list").contains("ACTIVE"));
        // nothing is launched in their place
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> taskIds("/it/web")
                .equals(before));
    }

    @Test
    public void t08MasterFailoverLosesNoAppAndDuplicatesNoInstance() throws Exception {
        Set<String> web = taskIds("/it/web");
        Set<String> unique = taskIds("/it/unique");
        int leading = cluster.leader();
        cluster.killMaster(leading);
        int survivor = 1 - leading;
        await("the adapter on the other master acts").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> get(API[survivor], "/v2/info").path("elected").asBoolean()
                        && app("/it/web").path("tasksRunning").asInt() == 4);
        assertEquals(Set.of("/it/unique", "/it/web"), appIds());
        // the same instances, and for a while no other
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> taskIds("/it/web").equals(web) && taskIds("/it/unique").equals(unique));
        JsonNode tasks = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + cluster.masterPorts.get(survivor) + "/master/tasks")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        int running = 0;
        for (JsonNode t : tasks.path("tasks")) {
            if (t.path("state").asText().equals("TASK_RUNNING")) {
                running++;
            }
        }
        assertEquals(web.size() + unique.size(), running);
        assertFalse(get(API[survivor], "/v2/info").path("frameworkId").asText().isEmpty());
    }

    @Test
    public void t09AnInstanceInAKarafOfItsOwnTakesOver() throws Exception {
        Set<String> web = taskIds("/it/web");
        int survivor = cluster.leader();
        API[2] = LocalCluster.freePort();
        Path home = cluster.startAdapters("adapters", Map.of("port", Integer.toString(API[2]), "hostname", "127.0.0.1",
                "master", "zk://" + zk.getConnectString() + "/pangaea",
                "zk", "zk://" + zk.getConnectString() + "/pangaea-services", "zk_session_timeout_ms", "4000"));
        // standing by, it forwards to the acting instance in the master
        try {
            await("the stand-alone instance answers").atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() ->
                    get(API[2], "/v2/apps/it/web").path("app").path("tasks").size() == web.size()
                            && !get(API[2], "/v2/info").path("elected").asBoolean());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Path log = home.resolve("data/log/karaf.log");
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of("(no log)");
            String info;
            try {
                info = call(API[2], "GET", "/v2/info", null).body() + " / " + call(API[2], "GET", "/v2/apps/it/web",
                        null).body();
            } catch (Exception x) {
                info = x.toString();
            }
            throw new AssertionError(info + "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 25),
                    lines.size())), e);
        }
        assertEquals("127.0.0.1:" + API[survivor], get(API[2], "/v2/leader").path("leader").asText());
        cluster.masterShell(survivor, "feature:uninstall pangaea-framework-services");
        await("it acts").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get(API[2], "/v2/info")
                .path("elected").asBoolean() && get(API[2], "/v2/apps/it/web").path("app").path("tasksRunning")
                .asInt() == web.size());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> taskIds("/it/web").equals(web));
    }

    private static Set<String> appIds() throws Exception {
        Set<String> out = new TreeSet<>();
        get(API[Math.max(0, acting())], "/v2/apps").path("apps").forEach(a -> out.add(a.path("id").asText()));
        return out;
    }
}
