package io.pangaea.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.inject.Inject;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Hot swap of the allocation policy on a running master, through the shell as an operator would: two agents (speaking
 * the agent protocol from the test) and two frameworks, in roles {@code high} (weight 10) and {@code low}. Under
 * {@code drf} each framework holds one agent. After {@code feature:install pangaea-allocator-priority} and
 * {@code allocator:use priority}, the low framework's offer is rescinded and the agent goes to the high one.
 * Uninstalling the feature falls back to {@code drf}, which gives it back to the low one. The task the high framework
 * started before the switch is still running at the end.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SwapAllocatorIT extends MasterContainerSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    private SessionFactory sessions;

    /** A subscriber of a RecordIO stream: every event it received, in order. */
    final class Stream {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final String streamId;
        final InputStream in;

        Stream(String path, String body) throws Exception {
            HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(uri(path))
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            streamId = r.headers().firstValue("Mesos-Stream-Id").orElse(null);
            in = new BufferedInputStream(r.body());
            Thread t = new Thread(this::read, "stream-reader");
            t.setDaemon(true);
            t.start();
        }

        private void read() {
            try {
                while (true) {
                    StringBuilder len = new StringBuilder();
                    int c;
                    while ((c = in.read()) != '\n') {
                        if (c < 0) {
                            return;
                        }
                        len.append((char) c);
                    }
                    events.add(JSON.readTree(in.readNBytes(Integer.parseInt(len.toString()))));
                }
            } catch (Exception e) {
                // closed
            }
        }

        JsonNode await(String what, int from, Predicate<JsonNode> p) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Object lock = new Object();
            while (System.nanoTime() < deadline) {
                for (int i = from; i < events.size(); i++) {
                    if (p.test(events.get(i))) {
                        return events.get(i);
                    }
                }
                synchronized (lock) {
                    lock.wait(20); // polling a list filled by the reader thread
                }
            }
            throw new AssertionError("timed out waiting for " + what + "; got " + events);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + masterPort() + path);
    }

    private int post(String path, String body, String streamId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (streamId != null) {
            b.header("Mesos-Stream-Id", streamId);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Runs a shell command; commands of a bundle appear shortly after it starts, so an unknown one is retried. */
    private String shell(String command) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Object lock = new Object();
        while (true) {
            try {
                return shellOnce(command);
            } catch (Exception e) {
                // gogo's CommandNotFoundException; its package is not exported to the probe
                if (!e.getClass().getSimpleName().equals("CommandNotFoundException") || System.nanoTime() > deadline) {
                    throw e;
                }
                synchronized (lock) {
                    lock.wait(100);
                }
            }
        }
    }

    private String shellOnce(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        // as an administrator: Karaf hides the commands a subject's roles may not run (feature:* needs admin)
        javax.security.auth.Subject admin = new javax.security.auth.Subject();
        admin.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.UserPrincipal("karaf"));
        admin.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal("admin"));
        // config:* needs the manager role, as the karaf user of the distribution has it
        admin.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal("manager"));
        admin.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal("viewer"));
        try (Session s = sessions.create(new java.io.ByteArrayInputStream(new byte[0]), ps, ps)) {
            Object result = javax.security.auth.Subject.doAs(admin,
                    (java.security.PrivilegedExceptionAction<Object>) () -> s.execute(command));
            if (result != null) {
                ps.println(result);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Stream framework(String name, String role) throws Exception {
        return new Stream("/api/v1/scheduler", "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":"
                + "\"root\",\"name\":\"" + name + "\",\"roles\":[\"" + role + "\"],\"capabilities\":[{\"type\":"
                + "\"MULTI_ROLE\"}]}}}");
    }

    private static String id(Stream s, String field) throws InterruptedException {
        return s.await("SUBSCRIBED/REGISTERED", 0, e -> e.has("subscribed") || e.has("registered"))
                .findPath(field).path("value").asText();
    }

    private static boolean offers(JsonNode e, String agentId) {
        if (!"OFFERS".equals(e.path("type").asText())) {
            return false;
        }
        for (JsonNode o : e.at("/offers/offers")) {
            if (agentId == null || o.at("/agent_id/value").asText().equals(agentId)) {
                return true;
            }
        }
        return false;
    }

    private JsonNode getJson(String path) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** A master flag's value, or "" while the master does not answer. */
    private String flag(String name) {
        try {
            return getJson("/master/flags").at("/flags/" + name).asText();
        } catch (Exception e) {
            return "";
        }
    }

    /**
     * {@code config:property-set} of a live setting applies at once: the same master (same id) keeps its streams,
     * and heartbeats follow the new interval. {@code master:settings} tells which settings apply live.
     */
    @Test
    public void liveSettingsApplyWithoutRestartingTheMaster() throws Exception {
        awaitMasterService();
        String id = getJson("/master/state").path("id").asText();
        Stream fw = framework("steady", "steady");
        id(fw, "framework_id");
        try {
            // both in one edit: one update of the configuration
            shell("config:edit io.pangaea.master\nconfig:property-set allocation_interval 3secs\n"
                    + "config:property-set http_framework_heartbeat_interval 1secs\nconfig:update");
            eventually("the new interval in /master/flags", Duration.ofSeconds(30),
                    () -> "3secs".equals(flag("allocation_interval")));
            int from = fw.events.size();
            fw.await("a first heartbeat at the new interval", from, e -> "HEARTBEAT".equals(e.path("type")
                    .asText()));
            int second = fw.events.size();
            fw.await("a second one", second, e -> "HEARTBEAT".equals(e.path("type").asText()));
            assertEquals("the same master", id, getJson("/master/state").path("id").asText());
            assertTrue(fw.events.toString(), fw.events.stream().noneMatch(e -> "ERROR".equals(e.path("type")
                    .asText())));
            String settings = shell("master:settings");
            assertTrue(settings, settings.matches("(?s).*allocation_interval\\s*\\|\\s*3secs\\s*\\|\\s*live.*"));
            assertTrue(settings, settings.matches("(?s).*port\\s*\\|\\s*\\d+\\s*\\|\\s*restart.*"));
        } finally {
            shell("config:edit io.pangaea.master\nconfig:property-set allocation_interval 1secs\n"
                    + "config:property-set http_framework_heartbeat_interval 15secs\nconfig:update");
            fw.in.close();
        }
        eventually("the interval back", Duration.ofSeconds(30), () -> "1secs".equals(flag("allocation_interval")));
    }

    @Test
    public void swapToPriorityAndFallBackToDrfWithoutLosingTasks() throws Exception {
        awaitMasterService();
        assertEquals(200, post("/api/v1", "{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":"
                + "[{\"role\":\"high\",\"weight\":10}]}}", null));
        Stream agent1 = new Stream("/internal/v1/agent", "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"agent_info\":"
                + "{\"hostname\":\"agent1\",\"port\":5051,\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\","
                + "\"scalar\":{\"value\":1}},{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1024}}]}}}");
        String a1 = id(agent1, "agent_id");
        Stream high = framework("high-fw", "high");
        String highId = id(high, "framework_id");
        JsonNode first = high.await("an offer for agent1", 0, e -> offers(e, a1)).at("/offers/offers/0");

        // the high framework takes agent1 whole with a task; the test's agent reports it running
        String launch = "{\"framework_id\":{\"value\":\"" + highId + "\"},\"type\":\"ACCEPT\",\"accept\":{"
                + "\"offer_ids\":[" + first.get("id") + "],\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{"
                + "\"task_infos\":[{\"name\":\"t1\",\"task_id\":{\"value\":\"t1\"},\"agent_id\":{\"value\":\"" + a1
                + "\"},\"command\":{\"value\":\"sleep 600\"},\"resources\":" + first.get("resources") + "}]}}]}}";
        assertEquals(202, post("/api/v1/scheduler", launch, high.streamId));
        agent1.await("LAUNCH of t1", 0, e -> "LAUNCH".equals(e.path("type").asText()));
        assertEquals(202, post("/internal/v1/agent", "{\"type\":\"UPDATE\",\"agent_id\":{\"value\":\"" + a1
                + "\"},\"update\":{\"framework_id\":{\"value\":\"" + highId + "\"},\"status\":{\"task_id\":{\"value\":"
                + "\"t1\"},\"state\":\"TASK_RUNNING\",\"source\":\"SOURCE_EXECUTOR\",\"agent_id\":{\"value\":\"" + a1
                + "\"},\"uuid\":\"AAAAAAAAAAAAAAAAAAAAAA==\"},\"latest_state\":\"TASK_RUNNING\"}}", null));

        Stream low = framework("low-fw", "low");
        id(low, "framework_id");
        Stream agent2 = new Stream("/internal/v1/agent", agentBody("agent2"));
        String a2 = id(agent2, "agent_id");
        // drf: the high framework holds agent1, so agent2 goes to the low one (lower share)
        low.await("drf offers agent2 to the low framework", 0, e -> offers(e, a2));

        int highMark = high.events.size();
        int lowMark = low.events.size();
        shell("feature:install pangaea-allocator-priority");
        shell("allocator:use priority");
        assertTrue(shell("allocator:list"), shell("allocator:list").matches("(?s).*priority\\s*\\|\\s*\\*.*"));
        // kept for the next start, as the allocator's README says
        java.nio.file.Path cfg = java.nio.file.Path.of(System.getProperty("karaf.etc"), "io.pangaea.master.cfg");
        assertEquals("priority", settingIn(cfg, "allocator"));
        low.await("its offer of agent2 rescinded", lowMark, e -> "RESCIND".equals(e.path("type").asText()));
        high.await("priority gives agent2 to the high framework", highMark, e -> offers(e, a2));
        lowMark = low.events.size();

        shell("feature:uninstall pangaea-allocator-priority");
        String list = shell("allocator:list");
        assertTrue(list, list.matches("(?s).*drf\\s*\\|\\s*\\*.*"));
        assertTrue(list, list.contains("Configured allocator 'priority' is not installed; using 'drf'"));
        low.await("after the fallback to drf, agent2 is offered to the low framework again", lowMark,
                e -> offers(e, a2));

        HttpResponse<String> tasks = HTTP.send(HttpRequest.newBuilder(uri("/master/tasks")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode t1 = JSON.readTree(tasks.body()).path("tasks").get(0);
        assertEquals("t1", t1.at("/id").asText());
        assertEquals("TASK_RUNNING", t1.at("/state").asText());
        assertTrue("no KILL reached agent1: " + agent1.events,
                agent1.events.stream().noneMatch(e -> "KILL".equals(e.path("type").asText())));
        shell("allocator:use drf");
        assertEquals("drf", settingIn(cfg, "allocator"));
    }

    private static String settingIn(java.nio.file.Path file, String key) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = java.nio.file.Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p.getProperty(key);
    }

    private static String agentBody(String host) {
        return "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"agent_info\":{\"hostname\":\"" + host + "\",\"port\":5051,"
                + "\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1}},{\"name\":"
                + "\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1024}}]}}}";
    }
}
