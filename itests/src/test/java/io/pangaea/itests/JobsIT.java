package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.test.TestingServer;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The jobs adapter (Chronos API) against the real distributions: two masters electing through ZooKeeper, each with
 * the adapter (its instances elect in ZooKeeper too; the one in the leading master acts first), and an agent. Jobs
 * run real commands. The tests run in order on one cluster: every job is made first, checked as time passes, and
 * the leading master with the acting adapter is killed with SIGKILL while a job runs.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class JobsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static TestingServer zk;
    private static LocalCluster cluster;
    private static final int[] API = new int[2];
    private static Instant tickStart;

    @BeforeClass
    public static void start() throws Exception {
        zk = new TestingServer(true);
        String masters = "zk://" + zk.getConnectString() + "/pangaea";
        cluster = new LocalCluster("cpus:4;mem:4096;disk:8192", Map.of("master", masters), Map.of(), 2, masters, 1);
        int leading = await().atMost(Duration.ofSeconds(60)).until(cluster::leader, i -> i >= 0);
        // the adapter in the leading master first, so that it acts there
        for (int i : new int[] {leading, 1 - leading}) {
            API[i] = LocalCluster.freePort();
            configure(i);
            cluster.masterShell(i, "feature:install pangaea-framework-jobs");
            if (i == leading) {
                await("the jobs adapter acts").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> acting() == leading);
            }
        }
    }

    private static void configure(int i) throws Exception {
        Files.writeString(cluster.masterHome(i).resolve("etc/io.pangaea.framework.jobs.cfg"), String.join("\n",
                "port = " + API[i], "hostname = 127.0.0.1", "master = zk://" + zk.getConnectString() + "/pangaea",
                "zk = zk://" + zk.getConnectString() + "/pangaea-jobs", "zk_session_timeout_ms = 4000", ""));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    /** The instance the others forward to (from /scheduler/leader), or -1. */
    private static int acting() {
        for (int i = 0; i < 2; i++) {
            if (API[i] == 0) {
                continue;
            }
            try {
                String leader = JSON.readTree(call(API[i], "GET", "/scheduler/leader", null).body()).path("leader")
                        .asText();
                for (int j = 0; j < 2; j++) {
                    if (leader.equals("127.0.0.1:" + API[j])) {
                        return j;
                    }
                }
            } catch (Exception down) {
                // ask the other one
            }
        }
        return -1;
    }

    private static HttpResponse<String> call(int port, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return call(API[Math.max(0, acting())], method, path, body);
    }

    private static JsonNode job(String name) throws Exception {
        return JSON.readTree(api("GET", "/scheduler/job/" + name, null).body());
    }

    private static JsonNode history(String name) throws Exception {
        return JSON.readTree(api("GET", "/scheduler/job/" + name + "/history", null).body());
    }

    private static void post(String endpoint, String job) throws Exception {
        HttpResponse<String> r = api("POST", "/scheduler/" + endpoint, job);
        assertEquals(job + " -> " + r.body(), 204, r.statusCode());
    }

    private static String scheduled(String name, String command, String schedule, String extra) {
        return "{\"name\":\"" + name + "\",\"command\":\"" + command + "\",\"schedule\":\"" + schedule
                + "\",\"cpus\":0.1,\"mem\":32,\"disk\":0" + extra + "}";
    }

    private static String dependent(String name, String command, String... parents) {
        return "{\"name\":\"" + name + "\",\"command\":\"" + command + "\",\"parents\":[\"" + String.join("\",\"",
                parents) + "\"],\"cpus\":0.1,\"mem\":32,\"disk\":0}";
    }

    @Test
    public void t00InvalidJobsAnswer400AndStoreNothing() throws Exception {
        String[][] table = {
                {"iso8601", scheduled("bad name", "true", "R//PT1M", ""), "name:"},
                {"iso8601", scheduled("z", "true", "R//PT0S", ""), "schedule: the period must be more"},
                {"iso8601", scheduled("z", "true", "not a schedule", ""), "schedule:"},
                {"iso8601", scheduled("z", "true", "R/2026-13-45T99:00:00Z/PT1M", ""), "schedule:"},
                {"dependency", dependent("z", "true", "nobody"), "parents: no job named 'nobody'"},
                {"iso8601", "{\"name\":\"z\",\"command\":\"true\",\"cron\":\"* * *\"}", "cron:"},
                {"iso8601", "{\"name\":\"z\",\"schedule\":\"R//PT1M\"}", "command:"},
                {"iso8601", "{not json", "invalid JSON"},
        };
        for (String[] row : table) {
            HttpResponse<String> r = api("POST", "/v1/scheduler/" + row[0], row[1]);
            assertEquals(row[1] + " -> " + r.body(), 400, r.statusCode());
            assertTrue(row[1] + " -> " + r.body(), r.body().startsWith(row[2]));
        }
        post("iso8601", scheduled("loop-a", "true", "R1/2030-01-01T00:00:00Z/PT1H", ""));
        post("dependency", dependent("loop-b", "true", "loop-a"));
        HttpResponse<String> cycle = api("POST", "/scheduler/dependency", dependent("loop-a", "true", "loop-b"));
        assertEquals(400, cycle.statusCode());
        assertTrue(cycle.body(), cycle.body().contains("would be a cycle"));
        assertEquals(204, api("DELETE", "/scheduler/job/loop-b", null).statusCode());
        assertEquals(204, api("DELETE", "/scheduler/job/loop-a", null).statusCode());
        assertEquals(0, JSON.readTree(api("GET", "/scheduler/jobs", null).body()).size());
    }

    @Test
    public void t01MakeTheJobs() throws Exception {
        tickStart = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
        // the parents start once their children exist: a parent that succeeded before a child was posted does not
        // run that child (as in Chronos), which once left c, and with it d, never run on a slow machine
        Instant parentsStart = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
        post("iso8601", scheduled("tick", "true", "R/" + tickStart + "/PT10S", ""));
        post("iso8601", scheduled("flaky", "exit 1", "R1//PT1H", ""));
        post("iso8601", scheduled("parent", "true", "R1/" + parentsStart + "/PT1H", ""));
        post("dependency", dependent("child", "true", "parent"));
        post("iso8601", scheduled("bad-parent", "exit 3", "R1/" + parentsStart + "/PT1H", ",\"retries\":0"));
        post("dependency", dependent("orphan", "true", "bad-parent"));
        post("iso8601", scheduled("a", "true", "R1/" + parentsStart + "/PT1H", ""));
        post("dependency", dependent("b", "true", "a"));
        post("dependency", dependent("c", "sleep 1", "a"));
        post("dependency", dependent("d", "true", "b", "c"));
        post("iso8601", "{\"name\":\"cron5\",\"command\":\"true\",\"cron\":\"*/5 * * * * ?\",\"cpus\":0.1,"
                + "\"mem\":32,\"disk\":0}");
        // succeeds only with the argument given by hand: "test hello = hello"
        post("iso8601", scheduled("by-hand", "test hello =", "R1/2030-01-01T00:00:00Z/PT1H", ",\"retries\":0"));
        post("iso8601", scheduled("sleeper", "sleep 600", "R1//PT1H", ""));
        assertEquals(13, JSON.readTree(api("GET", "/scheduler/jobs", null).body()).size());
        assertTrue("the jobs took more than 10 s to post; the parents may have run before their children existed",
                Instant.now().isBefore(parentsStart));
        assertEquals(1, JSON.readTree(api("GET", "/scheduler/jobs/search?name=flak", null).body()).size());
    }

    @Test
    public void t02AFailingJobIsRetriedTwiceThenCountsOneError() throws Exception {
        await("flaky failed").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                job("flaky").path("errorCount").asInt() == 1);
        JsonNode h = history("flaky");
        assertEquals(1, h.size());
        assertEquals("FAILED", h.get(0).path("state").asText());
        assertEquals(3, h.get(0).path("attempts").size());
        assertEquals(0, job("flaky").path("successCount").asInt());
    }

    @Test
    public void t03AChildRunsAfterItsParentSucceededAndNotAfterItFailed() throws Exception {
        await("child ran").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                job("child").path("successCount").asInt() == 1);
        assertTrue(Instant.parse(history("child").get(0).path("attempts").get(0).path("startedAt").asText())
                .isAfter(Instant.parse(job("parent").path("lastSuccess").asText()).minusMillis(1)));
        await("bad-parent failed").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                job("bad-parent").path("errorCount").asInt() == 1);
        assertEquals(0, history("orphan").size());
    }

    @Test
    public void t04InADiamondTheLastRunsOncePerRound() throws Exception {
        await("d ran").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                job("d").path("successCount").asInt() == 1);
        assertEquals(1, history("b").size());
        assertEquals(1, history("c").size());
        assertEquals(1, history("d").size());
        String dStart = history("d").get(0).path("attempts").get(0).path("startedAt").asText();
        assertTrue(Instant.parse(dStart).isAfter(Instant.parse(job("c").path("lastSuccess").asText())
                .minusMillis(1)));
    }

    @Test
    public void t05AJobRunByHandAndAnotherKilled() throws Exception {
        assertEquals(204, api("PUT", "/scheduler/job/by-hand?arguments=hello", null).statusCode());
        await("by-hand ran").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                job("by-hand").path("successCount").asInt() == 1);
        assertEquals("MANUAL", history("by-hand").get(0).path("kind").asText());
        await("sleeper runs").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                history("sleeper").get(0).path("state").asText().equals("RUNNING"));
        assertEquals(204, api("DELETE", "/scheduler/task/kill/sleeper", null).statusCode());
        await("sleeper killed").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                history("sleeper").get(0).path("state").asText().equals("FAILED"));
        assertEquals("killed", history("sleeper").get(0).path("reason").asText());
        assertEquals(1, history("sleeper").get(0).path("attempts").size());
    }

    @Test
    public void t06TheGraph() throws Exception {
        String dot = api("GET", "/scheduler/graph/dot", null).body();
        for (String edge : List.of("\"a\" -> \"b\"", "\"a\" -> \"c\"", "\"b\" -> \"d\"", "\"c\" -> \"d\"",
                "\"parent\" -> \"child\"")) {
            assertTrue(dot, dot.contains(edge));
        }
        String csv = api("GET", "/scheduler/graph/csv", null).body();
        assertTrue(csv, csv.contains("link,b,d"));
        assertTrue(csv, csv.contains("node,d,success,"));
        JsonNode stat = JSON.readTree(api("GET", "/scheduler/job/stat/d", null).body());
        assertEquals(1, stat.at("/histogram/count").asInt());
    }

    @Test
    public void t07ACronJobRunsAtItsTimes() throws Exception {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> history("cron5").size() >= 3);
        for (JsonNode o : history("cron5")) {
            assertEquals(0, Instant.parse(o.path("scheduledAt").asText()).getEpochSecond() % 5);
        }
    }

    /** Each occurrence of tick with its due time in [from, to): one attempt, run once, with a task id of its own. */
    private static void eachTickOnce(Instant from, Instant to, Set<String> taskIds) throws Exception {
        List<Instant> due = new ArrayList<>();
        for (JsonNode o : history("tick")) {
            Instant at = Instant.parse(o.path("scheduledAt").asText());
            if (at.isBefore(from) || !at.isBefore(to)) {
                continue;
            }
            due.add(at);
            String state = o.path("state").asText();
            assertTrue(o.toString(), state.equals("SUCCEEDED") || (state.equals("SKIPPED")
                    && !o.path("reason").asText().isEmpty()));
            if (state.equals("SUCCEEDED")) {
                assertEquals(o.toString(), 1, o.path("attempts").size());
                assertTrue("a task id used twice: " + o, taskIds.add(o.at("/attempts/0/taskId").asText()));
            }
        }
        // no due time missing
        for (Instant t = from; t.isBefore(to); t = t.plusSeconds(10)) {
            assertTrue("no occurrence for " + t + " in " + due, due.contains(t));
        }
    }

    @Test
    public void t08EachOccurrenceOfAMinuteHasExactlyOneTask() throws Exception {
        Instant end = tickStart.plusSeconds(60);
        await("a minute of ticks").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().until(() -> {
                    int done = 0;
                    for (JsonNode o : history("tick")) {
                        Instant at = Instant.parse(o.path("scheduledAt").asText());
                        if (at.isBefore(end) && !o.path("state").asText().matches("WAITING|LAUNCHING|RUNNING")) {
                            done++;
                        }
                    }
                    return done == 6;
                });
        Set<String> ids = new HashSet<>();
        eachTickOnce(tickStart, end, ids);
        assertEquals(6, ids.size());
    }

    @Test
    public void t09KillingTheLeadingMasterAndItsAdapterRunsNothingTwiceAndSkipsNothingSilently() throws Exception {
        post("iso8601", scheduled("long", "sleep 8", "R/" + Instant.now().plusSeconds(2).truncatedTo(
                ChronoUnit.SECONDS) + "/PT30S", ""));
        await("long runs").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                history("long").get(0).path("state").asText().equals("RUNNING"));
        String longTask = history("long").get(0).at("/attempts/0/taskId").asText();
        Instant killedAt = Instant.now();
        int leading = cluster.leader();
        assertEquals("the acting adapter is in the leading master", leading, acting());
        cluster.killMaster(leading);
        int survivor = 1 - leading;
        await("the other adapter acts").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                acting() == survivor && history("long").get(0).path("state").asText().equals("SUCCEEDED"));
        // the running job was reconciled, not launched again
        JsonNode first = history("long").get(0);
        assertEquals(1, first.path("attempts").size());
        assertEquals(longTask, first.at("/attempts/0/taskId").asText());
        // a tick after the failover has run, and none is missing or doubled since the start
        Instant after = killedAt.plusSeconds(30);
        await("ticks after the failover").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().until(() -> Instant.now().isAfter(after.plusSeconds(15)));
        Instant to = tickStart.plusSeconds(10 * ((after.getEpochSecond() - tickStart.getEpochSecond()) / 10));
        eachTickOnce(tickStart, to, new HashSet<>());
    }

    @Test
    public void t10UninstallAndInstallKeepTheRunningJobAndTheSchedule() throws Exception {
        int survivor = acting();
        await("long runs again").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            JsonNode h = history("long");
            return h.get(h.size() - 1).path("state").asText().equals("RUNNING");
        });
        JsonNode h = history("long");
        String runningTask = h.get(h.size() - 1).at("/attempts/0/taskId").asText();
        String runningId = h.get(h.size() - 1).path("id").asText();
        Instant from = Instant.now();
        cluster.masterShell(survivor, "feature:uninstall pangaea-framework-jobs");
        configure(survivor);
        cluster.masterShell(survivor, "feature:install pangaea-framework-jobs");
        await("adopted and finished").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            for (JsonNode o : history("long")) {
                if (o.path("id").asText().equals(runningId)) {
                    return o.path("state").asText().equals("SUCCEEDED") && o.path("attempts").size() == 1
                            && o.at("/attempts/0/taskId").asText().equals(runningTask);
                }
            }
            return false;
        });
        await("ticks go on").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> Instant.now().isAfter(from.plusSeconds(25)));
        Instant to = tickStart.plusSeconds(10 * ((Instant.now().minusSeconds(5).getEpochSecond()
                - tickStart.getEpochSecond()) / 10));
        eachTickOnce(tickStart, to, new HashSet<>());
        assertTrue(cluster.masterShell(survivor, "adapter:list").contains("jobs"));
    }
}
