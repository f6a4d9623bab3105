package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.allocator.drf.DrfAllocator;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.master.internal.ha.LeaderElectedMaster;
import io.pangaea.model.FrameworkId;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Two masters elect a leader through a real ZooKeeper server: the one that does not lead answers 307 with the
 * leader's {@code //host:port/path} (503 while none leads); the contenders are in ZooKeeper as Mesos lays them out.
 * When the leader goes, the other takes over: the agent and the framework (through the scheduler library) find it,
 * the running task is known again, and the registry (weights) comes from ZooKeeper.
 */
public class HighAvailabilityTest {

    private static final HttpClient NO_REDIRECTS = HttpClient.newHttpClient();
    private TestingServer zk;
    private final List<AutoCloseable> open = new ArrayList<>();

    @Before
    public void setUp() throws Exception {
        zk = new TestingServer(true);
    }

    @After
    public void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // already gone
            }
        }
        zk.close();
    }

    private LeaderElectedMaster master() throws Exception {
        return master(0);
    }

    /** A master that rehearses a takeover with {@code rehearsal} made-up agents while it stands by. */
    private LeaderElectedMaster master(int rehearsal) throws Exception {
        LeaderElectedMaster m = new LeaderElectedMaster(MasterConfig.defaults().withPort(0)
                .withAllocationInterval(Duration.ofMillis(50)), "zk://" + zk.getConnectString() + "/pangaea/test",
                Duration.ofSeconds(4), x -> x.setAllocator(new DrfAllocator()), x -> { });
        open.add(m);
        m.rehearse(rehearsal);
        m.start();
        return m;
    }

    /**
     * A standby rehearses a takeover with a private master: every made-up agent registers with it, none reaches
     * the leader or the standby's own state; when the standby is elected, the rehearsal stops and the new leader
     * starts without a trace of it. A leader does not rehearse.
     */
    @Test
    public void aStandbyRehearsesATakeoverAndStopsWhenElected() throws Exception {
        LeaderElectedMaster a = master(50);
        Awaitility.await("a leads").atMost(Duration.ofSeconds(20)).until(() -> a.master() != null);
        LeaderElectedMaster b = master(200);
        Awaitility.await("b rehearsed").atMost(Duration.ofSeconds(60)).until(() -> b.rehearsed() == 200);
        assertNull(b.master());
        assertEquals(200.0, Harness.JSON.readTree(get(b.port(), "/metrics/snapshot").body())
                .path("master/pangaea/standby_rehearsal_agents").asDouble(), 0);
        assertEquals("the leader did not rehearse", 0, a.rehearsed());
        assertEquals(0, Harness.JSON.readTree(get(a.port(), "/master/slaves").body()).path("slaves").size());
        a.close();
        Awaitility.await("b leads").atMost(Duration.ofSeconds(30)).until(() -> b.master() != null);
        assertEquals("nothing of the rehearsal in the new leader", 0, Harness.JSON.readTree(get(b.port(),
                "/master/slaves").body()).path("slaves").size());
        assertEquals(0.0, Harness.JSON.readTree(get(b.port(), "/metrics/snapshot").body())
                .path("master/tasks_running").asDouble(-1), 0);

        // a standby elected in the middle of its rehearsal stops it
        LeaderElectedMaster c = master(1_000_000);
        Awaitility.await("c rehearses").atMost(Duration.ofSeconds(60)).until(() -> c.rehearsed() > 20);
        b.close();
        Awaitility.await("c leads").atMost(Duration.ofSeconds(30)).until(() -> c.master() != null);
        int at = c.rehearsed();
        Awaitility.await("the rehearsal stopped").pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                .until(() -> c.rehearsed() == at);
        assertTrue(at < 1_000_000);
        assertEquals(0, Harness.JSON.readTree(get(c.port(), "/master/slaves").body()).path("slaves").size());
    }

    private static HttpResponse<String> post(int port, String path, String body) throws Exception {
        return NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Two masters: the first leads and the second follows it (it answers 307), in that order. */
    private LeaderElectedMaster[] leaderAndFollower() throws Exception {
        LeaderElectedMaster a = master();
        Awaitility.await("a leads").atMost(Duration.ofSeconds(20)).until(() -> a.master() != null);
        LeaderElectedMaster b = master();
        Awaitility.await("b follows a").atMost(Duration.ofSeconds(20)).until(() ->
                get(b.port(), "/master/state").statusCode() == 307);
        return new LeaderElectedMaster[] {a, b};
    }

    /**
     * A follower's 307 to a POST leaves the connection usable for the next request, even when the body comes a moment
     * after the headers (CI once saw the JDK's client get no answer on the reused connection).
     */
    @Test
    public void aFollowersRedirectOfAPostKeepsTheConnection() throws Exception {
        LeaderElectedMaster b = leaderAndFollower()[1];
        String body = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}";
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", b.port())) {
            s.setSoTimeout(20_000);
            java.io.OutputStream out = s.getOutputStream();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            out.write(("POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            // the body a moment later, in a packet of its own
            java.util.concurrent.locks.LockSupport.parkNanos(300_000_000L);
            out.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            String status = in.readLine();
            assertTrue(status, status.contains("307"));
            for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
                assertFalse("the connection is kept: " + h, h.equalsIgnoreCase("Connection: close"));
            }
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            assertEquals("the same connection answers the next request", "HTTP/1.1 200 OK", in.readLine());
        }
    }

    @Test
    public void theMasterThatDoesNotLeadRedirectsThenTakesOver() throws Exception {
        LeaderElectedMaster[] ab = leaderAndFollower();
        LeaderElectedMaster a = ab[0];
        LeaderElectedMaster b = ab[1];
        assertNull(b.master());

        // a master that does not lead: 307 to the leader, as Mesos's do
        String leader = "//127.0.0.1:" + a.port();
        HttpResponse<String> sub = post(b.port(), "/api/v1/scheduler",
                "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}");
        assertEquals(307, sub.statusCode());
        assertEquals(leader + "/api/v1/scheduler", sub.headers().firstValue("Location").orElse(""));
        assertEquals(leader + "/api/v1", post(b.port(), "/api/v1", "{\"type\":\"GET_STATE\"}").headers()
                .firstValue("Location").orElse(""));
        assertEquals(leader + "/master/state?jsonp=x", get(b.port(), "/master/state?jsonp=x").headers()
                .firstValue("Location").orElse(""));
        assertEquals(leader, get(b.port(), "/master/redirect").headers().firstValue("Location").orElse(""));
        assertEquals(200, get(b.port(), "/health").statusCode());
        // what a master says of itself, leading or not: its own metrics (not elected) and version
        HttpResponse<String> followerMetrics = get(b.port(), "/metrics/snapshot");
        assertEquals(200, followerMetrics.statusCode());
        assertEquals(0.0, Harness.JSON.readTree(followerMetrics.body()).path("master/elected").asDouble(1), 0);
        assertEquals(1.0, Harness.JSON.readTree(get(a.port(), "/metrics/snapshot").body())
                .path("master/elected").asDouble(0), 0);
        HttpResponse<String> version = get(b.port(), "/version");
        assertEquals(200, version.statusCode());
        assertEquals("1.11.0", Harness.JSON.readTree(version.body()).path("version").asText());
        // the registry is kept in ZooKeeper, and the flags say so
        HttpResponse<String> flags = get(a.port(), "/master/flags");
        assertEquals("zookeeper", Harness.JSON.readTree(flags.body()).at("/flags/registry").asText());

        // the contenders, as Mesos keeps them: json.info_<seq> with the MasterInfo, lowest first
        try (ZooKeeper client = new ZooKeeper(zk.getConnectString(), 4000, e -> { })) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.getState().isConnected());
            List<String> nodes = new ArrayList<>(client.getChildren("/pangaea/test", false));
            nodes.removeIf(n -> !n.startsWith("json.info_"));
            nodes.sort(Comparator.naturalOrder());
            assertEquals(nodes.toString(), 2, nodes.size());
            JsonNode first = Harness.JSON.readTree(client.getData("/pangaea/test/" + nodes.get(0), false, null));
            assertEquals(a.port(), first.at("/address/port").asInt());
            assertEquals("127.0.0.1", first.at("/address/ip").asText());
            assertTrue(first.path("pid").asText().startsWith("master@"));
        }

        // weights set through the follower land in the leader's registry, kept in ZooKeeper
        HttpClient follow = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> weights = follow.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port()
                + "/api/v1")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                "{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"ha\",\"weight\":3}]}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(weights.body(), 200, weights.statusCode());

        // an agent given both masters, the follower first; a framework that only knows the follower
        Path work = Files.createTempDirectory("pangaea-ha-agent");
        int agentPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            agentPort = s.getLocalPort();
        }
        var agentConfig = new io.pangaea.agent.internal.AgentConfig("127.0.0.1:" + b.port() + ",127.0.0.1:" + a.port(),
                "127.0.0.1", agentPort, "localhost", work, io.pangaea.model.Resources.parse("cpus:2;mem:1024"),
                List.of(), List.of(), List.of("native"), Duration.ofSeconds(1), Duration.ofSeconds(60));
        var containerizer = new io.pangaea.containerizer.nativ.NativeContainerizer(java.util.Map.of());
        var agent = new io.pangaea.agent.internal.Agent(agentConfig, n -> n.equals("native") ? containerizer : null);
        open.add(() -> {
            agent.close();
            try (var walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        });
        agent.start();
        Awaitility.await("agent registered with the leader").atMost(Duration.ofSeconds(20)).until(agent::registered);

        List<TaskStatus> updates = new CopyOnWriteArrayList<>();
        List<Offer> offers = new CopyOnWriteArrayList<>();
        FrameworkInfo info = new FrameworkInfo("root", "ha-framework", null, 300.0, false, "*", null, null, null,
                null, null, null);
        SchedulerDriver driver = SchedulerDriver.builder(URI.create("http://127.0.0.1:" + b.port()), info)
                .maxBackoff(Duration.ofSeconds(1)).scheduler(new Scheduler() {
                    @Override
                    public void offers(SchedulerDriver d, List<Offer> o) {
                        offers.addAll(o);
                    }

                    @Override
                    public void update(SchedulerDriver d, TaskStatus s) {
                        updates.add(s);
                    }
                }).build();
        open.add(driver);
        driver.start();
        Offer offer = Awaitility.await("an offer").atMost(Duration.ofSeconds(20))
                .until(() -> offers.isEmpty() ? null : offers.get(0), o -> o != null);
        TaskInfo task = new TaskInfo("long", TaskId.of("survivor"), offer.agentId(),
                List.of(Resource.scalar("cpus", 0.1)), null, io.pangaea.model.CommandInfo.shell("sleep 600"), null,
                null, null, null);
        driver.launch(List.of(offer.id()), List.of(task), 0).get();
        Awaitility.await("task running").atMost(Duration.ofSeconds(20)).until(() ->
                updates.stream().anyMatch(u -> u.state() == TaskState.TASK_RUNNING));
        FrameworkId id = driver.frameworkId();

        // the leader goes: b leads, with the registry from ZooKeeper, and the agent and framework come to it
        a.close();
        Awaitility.await("b leads").atMost(Duration.ofSeconds(30)).until(() -> b.master() != null);
        Awaitility.await("the task is known to the new leader").atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode tasks = Harness.JSON.readTree(post(b.port(), "/api/v1", "{\"type\":\"GET_TASKS\"}").body());
            return tasks.at("/get_tasks/tasks/0/task_id/value").asText().equals("survivor")
                    && tasks.at("/get_tasks/tasks/0/state").asText().equals("TASK_RUNNING");
        });
        Awaitility.await("the framework re-subscribed").atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode fws = Harness.JSON.readTree(post(b.port(), "/api/v1", "{\"type\":\"GET_FRAMEWORKS\"}").body());
            return fws.at("/get_frameworks/frameworks/0/framework_info/id/value").asText().equals(id.value())
                    && fws.at("/get_frameworks/frameworks/0/connected").asBoolean();
        });
        JsonNode w = Harness.JSON.readTree(post(b.port(), "/api/v1", "{\"type\":\"GET_WEIGHTS\"}").body());
        assertEquals(3.0, w.at("/get_weights/weight_infos/0/weight").asDouble(), 0);
        assertEquals(1.0, Harness.JSON.readTree(get(b.port(), "/metrics/snapshot").body())
                .path("master/elected").asDouble(), 0);
    }

    @Test
    public void aFrameworkGivenTheZooKeeperUrlFindsTheLeaderAndThenTheNextOne() throws Exception {
        LeaderElectedMaster a = master();
        Awaitility.await("a leads").atMost(Duration.ofSeconds(20)).until(() -> a.master() != null);
        LeaderElectedMaster b = master();
        List<Boolean> subscriptions = new CopyOnWriteArrayList<>();
        FrameworkInfo info = new FrameworkInfo("root", "zk-framework", null, 3600.0, false, "*", null, null, null,
                null, null, null);
        try (SchedulerDriver driver = SchedulerDriver.builder(URI.create("zk://" + zk.getConnectString()
                + "/pangaea/test"), info).maxBackoff(Duration.ofMillis(500)).scheduler(new Scheduler() {
                    @Override
                    public void subscribed(SchedulerDriver d, io.pangaea.model.FrameworkId id,
                                           io.pangaea.model.MasterInfo master, boolean reconnected) {
                        subscriptions.add(reconnected);
                    }
                }).build()) {
            driver.start();
            Awaitility.await("subscribed to a, found in ZooKeeper").atMost(Duration.ofSeconds(20))
                    .until(() -> driver.frameworkId() != null
                            && a.master().read(v -> v.frameworks().toString()).get().contains("zk-framework"));
            String id = driver.frameworkId().value();
            a.close();
            Awaitility.await("b leads and the framework is back with it, with its id").atMost(Duration.ofSeconds(40))
                    .until(() -> b.master() != null && b.master().read(v -> v.frameworks().toString()).get()
                            .contains(id) && subscriptions.contains(true));
            assertEquals(id, driver.frameworkId().value());
        }
    }

    @Test
    public void anElectedMasterThatCannotStartTriesAgain() throws Exception {
        try (ZooKeeper client = new ZooKeeper(zk.getConnectString(), 4000, e -> { })) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.getState().isConnected());
            for (String node : List.of("/pangaea", "/pangaea/test")) {
                client.create(node, new byte[0], org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        org.apache.zookeeper.CreateMode.PERSISTENT);
            }
            // a registry this master cannot read: it is elected, and cannot start
            client.create("/pangaea/test/registry", "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE, org.apache.zookeeper.CreateMode.PERSISTENT);
            LeaderElectedMaster a = master();
            Awaitility.await("a elected").atMost(Duration.ofSeconds(20)).until(a::elected);
            assertNull(a.master());
            assertEquals("no leader serves meanwhile", 503, get(a.port(), "/master/state").statusCode());
            // the registry mended, it leads without being elected again
            client.delete("/pangaea/test/registry", -1);
            Awaitility.await("a leads").atMost(Duration.ofSeconds(20)).until(() -> a.master() != null);
            assertEquals(200, get(a.port(), "/master/state").statusCode());
        }
    }

    @Test
    public void withoutALeaderTheAnswerIs503() throws Exception {
        LeaderElectedMaster a = master();
        Awaitility.await("a leads").atMost(Duration.ofSeconds(20)).until(() -> a.master() != null);
        zk.stop(); // ZooKeeper goes away: a's session expires, so it no longer leads
        Awaitility.await("a steps down").atMost(Duration.ofSeconds(30)).until(() -> a.master() == null);
        HttpResponse<String> r = get(a.port(), "/master/state");
        assertEquals(503, r.statusCode());
        assertEquals("No leader elected", r.body());
        zk.restart();
        Awaitility.await("a leads again").atMost(Duration.ofSeconds(30)).until(() -> a.master() != null);
        assertEquals(200, get(a.port(), "/master/state").statusCode());
    }
}
