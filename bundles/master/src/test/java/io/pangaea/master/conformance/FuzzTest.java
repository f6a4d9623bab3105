package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.Acls;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.master.internal.MasterConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Generated bad input against a master and an agent with authentication and ACLs on: valid calls of each API mutated
 * (fields dropped, values of the wrong type, strange strings, truncated or corrupted bytes), random bytes, deep
 * nesting, bodies past the size limit, bad headers, odd paths and methods, with right, wrong and missing
 * credentials. Every answer is below 500 and carries no stack trace; a refused call changes nothing of the state;
 * {@code /health} answers throughout. The seed is fixed (the same requests in every run) and printed;
 * {@code -Dfuzz.seed=N} replays another, {@code -Dfuzz.seed=random} explores.
 */
public class FuzzTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern STACK = Pattern.compile("(?m)^\\s*at [\\w.$]+\\(|Caused by:|java\\.lang\\.\\w+Exception"
            + "|\\.java:\\d+\\)");
    private static final String OPS = HttpAuthentication.basic("ops", "o");
    private static final String FW = HttpAuthentication.basic("fw", "f");
    private static final String AGENT_OPS = HttpAuthentication.basic("ops", "o");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Harness h;
    private static Harness.RealAgent agent;
    private static Harness.Scheduler scheduler;
    private static long seed;

    @BeforeClass
    public static void up() throws Exception {
        // a fixed seed by default, so that CI runs the same requests every time; -Dfuzz.seed=N replays N, and
        // -Dfuzz.seed=random explores
        String asked = System.getProperty("fuzz.seed", "31870663026107");
        seed = asked.equals("random") ? System.nanoTime() : Long.parseLong(asked);
        System.out.println("FuzzTest seed: " + seed + " (repeat with -Dfuzz.seed=" + seed + ")");
        Map<String, String> credentials = Map.of("ops", "o", "fw", "f", "agent", "a");
        HttpAuthentication auth = new HttpAuthentication(Set.of(HttpAuthentication.MASTER_READONLY,
                HttpAuthentication.MASTER_READWRITE, HttpAuthentication.MASTER_SCHEDULER,
                HttpAuthentication.MASTER_AGENT), credentials);
        h = new Harness(MasterConfig.defaults(), null, auth);
        Acls acls = Acls.parse("""
                {"teardown_frameworks": [{"principals": {"values": ["ops"]}, "framework_principals": {"type": "ANY"}},
                                         {"principals": {"type": "ANY"}, "framework_principals": {"type": "NONE"}}],
                 "mark_agents_gone": [{"principals": {"type": "ANY"}, "agents": {"type": "NONE"}}],
                 "drain_agents": [{"principals": {"type": "ANY"}, "agents": {"type": "NONE"}}],
                 "deactivate_agents": [{"principals": {"type": "ANY"}, "agents": {"type": "NONE"}}],
                 "update_maintenance_schedules": [{"principals": {"type": "ANY"}, "machines": {"type": "NONE"}}],
                 "start_maintenances": [{"principals": {"type": "ANY"}, "machines": {"type": "NONE"}}]}""");
        h.master.setAcls(() -> acls);
        h.agentCredential = new String[] {"agent", "a"};
        h.agentHttpAuthentication = new HttpAuthentication(Set.of(
                io.pangaea.agent.internal.http.AgentHttpServer.READONLY,
                io.pangaea.agent.internal.http.AgentHttpServer.READWRITE), credentials);
        h.schedulerAuthorization = FW;
        agent = h.realAgent(Duration.ofSeconds(60));
        // outside Karaf the daemons have no logging backend to set (501): a level held in memory stands in
        h.master.setLoggingLevel(new MemoryLevel());
        agent.agent.setLoggingLevel(new MemoryLevel());
        ObjectNode subscribe = Harness.subscribe("fuzzed");
        ((ObjectNode) subscribe.at("/subscribe/framework_info")).put("principal", "fw").put("checkpoint", true);
        scheduler = h.scheduler(subscribe);
        scheduler.autoAcknowledge = true;
        scheduler.freshOffer();
    }

    /** A logging level kept in memory, for daemons run outside Karaf. */
    private static final class MemoryLevel implements io.pangaea.http.LoggingLevel {
        private volatile int level;

        @Override
        public int get() {
            return level;
        }

        @Override
        public void set(int level, Duration duration) {
            this.level = level;
        }
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    // ---- the seeds: valid calls of each API ---------------------------------------------------------------------

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Harness.JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ObjectNode> schedulerCalls() {
        String fw = "{\"value\":\"" + scheduler.frameworkId + "\"}";
        String ag = "{\"value\":\"" + agent.agent.agentId().value() + "\"}";
        return List.of(
                json("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"root\",\"name\":\"x\","
                        + "\"principal\":\"fw\"}}}"),
                json("{\"type\":\"DECLINE\",\"framework_id\":" + fw + ",\"decline\":{\"offer_ids\":[{\"value\":\"o"
                        + "\"}],\"filters\":{\"refuse_seconds\":1}}}"),
                json("{\"type\":\"ACCEPT\",\"framework_id\":" + fw + ",\"accept\":{\"offer_ids\":[{\"value\":\"o\"}],"
                        + "\"operations\":[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"t\","
                        + "\"task_id\":{\"value\":\"t\"},\"agent_id\":" + ag + ",\"resources\":[{\"name\":\"cpus\","
                        + "\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1}}],\"command\":{\"value\":\"true\"}}]}}]}}"),
                json("{\"type\":\"REVIVE\",\"framework_id\":" + fw + ",\"revive\":{\"roles\":[\"*\"]}}"),
                json("{\"type\":\"SUPPRESS\",\"framework_id\":" + fw + "}"),
                json("{\"type\":\"KILL\",\"framework_id\":" + fw + ",\"kill\":{\"task_id\":{\"value\":\"nope\"}}}"),
                json("{\"type\":\"RECONCILE\",\"framework_id\":" + fw + ",\"reconcile\":{\"tasks\":[{\"task_id\":"
                        + "{\"value\":\"nope\"}}]}}"),
                json("{\"type\":\"ACKNOWLEDGE\",\"framework_id\":" + fw + ",\"acknowledge\":{\"agent_id\":" + ag
                        + ",\"task_id\":{\"value\":\"nope\"},\"uuid\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}}"),
                json("{\"type\":\"MESSAGE\",\"framework_id\":" + fw + ",\"message\":{\"agent_id\":" + ag
                        + ",\"executor_id\":{\"value\":\"e\"},\"data\":\"aGk=\"}}"),
                json("{\"type\":\"UPDATE_FRAMEWORK\",\"framework_id\":" + fw + ",\"update_framework\":"
                        + "{\"framework_info\":{\"user\":\"root\",\"name\":\"fuzzed\",\"id\":" + fw + "}}}"));
    }

    private static List<ObjectNode> operatorCalls() {
        String ag = "{\"value\":\"" + agent.agent.agentId().value() + "\"}";
        return List.of(json("{\"type\":\"GET_STATE\"}"), json("{\"type\":\"GET_HEALTH\"}"),
                json("{\"type\":\"GET_FLAGS\"}"), json("{\"type\":\"GET_METRICS\"}"),
                json("{\"type\":\"UPDATE_WEIGHTS\",\"update_weights\":{\"weight_infos\":[{\"role\":\"r\","
                        + "\"weight\":2.0}]}}"),
                json("{\"type\":\"UPDATE_QUOTA\",\"update_quota\":{\"quota_configs\":[{\"role\":\"r\","
                        + "\"guarantees\":{\"cpus\":{\"value\":1}}}]}}"),
                json("{\"type\":\"RESERVE_RESOURCES\",\"reserve_resources\":{\"agent_id\":" + ag + ",\"resources\":"
                        + "[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.1},\"reservations\":"
                        + "[{\"type\":\"DYNAMIC\",\"role\":\"r\",\"principal\":\"ops\"}]}]}}"),
                json("{\"type\":\"DRAIN_AGENT\",\"drain_agent\":{\"agent_id\":" + ag + "}}"),
                json("{\"type\":\"MARK_AGENT_GONE\",\"mark_agent_gone\":{\"agent_id\":" + ag + "}}"),
                json("{\"type\":\"EXPLAIN_ALLOCATION\",\"explain\":{\"role\":\"*\"}}"),
                json("{\"type\":\"READ_FILE\",\"read_file\":{\"path\":\"/master/log\",\"offset\":0,\"length\":10}}"),
                json("{\"type\":\"SET_QUOTA\",\"set_quota\":{\"quota_request\":{\"role\":\"q\",\"guarantee\":"
                        + "[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1}}]}}}"),
                json("{\"type\":\"GET_MAINTENANCE_SCHEDULE\"}"));
    }

    private static List<ObjectNode> agentProtocolCalls() {
        String ag = "{\"value\":\"" + agent.agent.agentId().value() + "\"}";
        return List.of(json("{\"type\":\"PONG\",\"agent_id\":" + ag + "}"),
                json("{\"type\":\"UPDATE\",\"update\":{\"framework_id\":{\"value\":\"nope\"},\"status\":"
                        + "{\"task_id\":{\"value\":\"nope\"},\"state\":\"TASK_RUNNING\"}}}"),
                json("{\"type\":\"MESSAGE\",\"agent_id\":" + ag + ",\"message\":{\"framework_id\":{\"value\":\"x\"},"
                        + "\"executor_id\":{\"value\":\"e\"},\"data\":\"aGk=\"}}"));
    }

    private static List<ObjectNode> agentOperatorCalls() {
        return List.of(json("{\"type\":\"GET_STATE\"}"), json("{\"type\":\"GET_CONTAINERS\"}"),
                json("{\"type\":\"GET_FLAGS\"}"), json("{\"type\":\"LIST_FILES\",\"list_files\":{\"path\":\"/\"}}"),
                json("{\"type\":\"KILL_NESTED_CONTAINER\",\"kill_nested_container\":{\"container_id\":"
                        + "{\"value\":\"x\"}}}"),
                json("{\"type\":\"SET_LOGGING_LEVEL\",\"set_logging_level\":{\"level\":1,\"duration\":"
                        + "{\"nanoseconds\":1000}}}"));
    }

    private static List<ObjectNode> executorCalls() {
        String fw = "{\"value\":\"" + scheduler.frameworkId + "\"}";
        return List.of(json("{\"type\":\"SUBSCRIBE\",\"framework_id\":" + fw + ",\"executor_id\":{\"value\":\"e\"},"
                        + "\"subscribe\":{}}"),
                json("{\"type\":\"UPDATE\",\"framework_id\":" + fw + ",\"executor_id\":{\"value\":\"e\"},\"update\":"
                        + "{\"status\":{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_RUNNING\",\"source\":"
                        + "\"SOURCE_EXECUTOR\",\"uuid\":\"AAAAAAAAAAAAAAAAAAAAAA==\"}}}"),
                json("{\"type\":\"HEARTBEAT\",\"framework_id\":" + fw + ",\"executor_id\":{\"value\":\"e\"}}"));
    }

    // ---- mutations ----------------------------------------------------------------------------------------------

    private static final String[] STRINGS = {"", " ", "\u0000", "null", "-1", "1e999", "NaN", "../../etc/passwd",
        "%00", "\uD83D\uDE00", "\u202Ecba", "<script>alert(1)</script>", "' OR '1'='1", "*", "/", "a".repeat(5000),
        "TASK_RUNNING", "SUBSCRIBE", "\\", "\"", "{}"};

    private static JsonNode randomValue(Random r, int depth) {
        switch (r.nextInt(depth > 3 ? 8 : 10)) {
            case 0: return F.nullNode();
            case 1: return F.booleanNode(r.nextBoolean());
            case 2: return F.numberNode(r.nextInt());
            case 3: return F.numberNode(r.nextBoolean() ? -r.nextDouble() * 1e12 : Double.MAX_VALUE);
            case 4: return F.numberNode(new java.math.BigInteger(200, r));
            case 5: case 6: return F.textNode(STRINGS[r.nextInt(STRINGS.length)]);
            case 7: {
                byte[] b = new byte[r.nextInt(40)];
                r.nextBytes(b);
                return F.textNode(new String(b, StandardCharsets.ISO_8859_1));
            }
            case 8: {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(randomValue(r, depth + 1));
                }
                return a;
            }
            default: {
                ObjectNode o = F.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set("k" + r.nextInt(5), randomValue(r, depth + 1));
                }
                return o;
            }
        }
    }

    /** Every container node of a tree, to pick one to change. */
    private static void containers(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(c -> containers(c, out));
        }
    }

    private static JsonNode mutate(JsonNode seed, Random r) {
        JsonNode copy = seed.deepCopy();
        for (int m = 1 + r.nextInt(3); m > 0; m--) {
            List<JsonNode> all = new ArrayList<>();
            containers(copy, all);
            JsonNode target = all.get(r.nextInt(all.size()));
            if (target instanceof ObjectNode o) {
                List<String> names = new ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                int op = r.nextInt(3);
                if (op == 0 && !names.isEmpty()) {
                    o.remove(names.get(r.nextInt(names.size())));
                } else if (op == 1 && !names.isEmpty()) {
                    o.set(names.get(r.nextInt(names.size())), randomValue(r, 0));
                } else {
                    o.set(r.nextBoolean() ? "type" : STRINGS[r.nextInt(STRINGS.length)], randomValue(r, 0));
                }
            } else if (target instanceof ArrayNode a) {
                if (a.size() > 0 && r.nextBoolean()) {
                    a.set(r.nextInt(a.size()), randomValue(r, 0));
                } else {
                    a.add(randomValue(r, 0));
                }
            }
        }
        return copy;
    }

    private static byte[] corrupt(byte[] body, Random r) {
        switch (r.nextInt(3)) {
            case 0:
                return java.util.Arrays.copyOf(body, r.nextInt(body.length + 1));
            case 1: {
                byte[] b = body.clone();
                for (int i = 1 + r.nextInt(4); i > 0 && b.length > 0; i--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
                return b;
            }
            default: {
                byte[] b = new byte[r.nextInt(2048)];
                r.nextBytes(b);
                return b;
            }
        }
    }

    private static byte[] deep(Random r) {
        int depth = 1000 + r.nextInt(100_000);
        boolean arrays = r.nextBoolean();
        StringBuilder b = new StringBuilder(depth * 6);
        for (int i = 0; i < depth; i++) {
            b.append(arrays ? "[" : "{\"type\":");
        }
        b.append("1");
        for (int i = 0; i < depth; i++) {
            b.append(arrays ? "]" : "}");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- sending and checking -----------------------------------------------------------------------------------

    private record Sent(String what, int status, String body) {
    }

    private static final String[] CONTENT_TYPES = {"application/json", "application/x-protobuf", "text/plain",
        "application/json; charset=utf-8", "multipart/form-data; boundary=x", "", "application/json, text/html",
        "\u00ff/\u00fe", "application/x-www-form-urlencoded"};
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"};

    private static Sent send(String base, String method, String path, byte[] body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, String> e : headers.entrySet()) {
                b.header(e.getKey(), e.getValue());
            }
        } catch (IllegalArgumentException unsendable) {
            return null; // a header or URI the client itself refuses to send
        }
        String what = method + " " + path + " " + headers.keySet() + " " + (body == null ? 0 : body.length) + " bytes";
        try {
            HttpResponse<java.io.InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = r.body()) {
                // an event stream (a SUBSCRIBE that worked, a POST) has no length: what came first is enough; a
                // read view (a GET) may be streamed without a length too, and is read whole
                boolean stream = r.statusCode() == 200 && r.headers().firstValue("Content-Length").isEmpty()
                        && method.equals("POST");
                byte[] got = stream ? in.readNBytes(Math.min(in.available(), 65536)) : in.readNBytes(1 << 20);
                return new Sent(what, r.statusCode(), new String(got, StandardCharsets.ISO_8859_1));
            }
        } catch (java.io.IOException e) {
            // the server may close a connection on a request it will not read (a body past its limit)
            return new Sent(what, -1, String.valueOf(e.getMessage()));
        }
    }

    /** What the state is, without what moves by itself (offers, times, task states). */
    private static String fingerprint() throws Exception {
        Sent read = send(h.url(""), "GET", "/master/state", null, Map.of("Authorization", OPS));
        if (read == null || read.status() != 200) {
            throw new AssertionError("/master/state did not answer: " + (read == null ? "not sent"
                    : read.status() + " " + read.body().substring(0, Math.min(600, read.body().length()))));
        }
        JsonNode state = Harness.JSON.readTree(read.body());
        Map<String, Object> f = new TreeMap<>();
        for (JsonNode fw : state.path("frameworks")) {
            if (!fw.path("name").asText().equals("fuzzed")) {
                // a SUBSCRIBE the fuzzer sent that worked: its framework goes when its stream is seen closed, at a
                // time of the master's choosing (refused SUBSCRIBEs are BadInputTest's and AuthorizationTest's)
                continue;
            }
            // the tasks it has or had (a task that ends moves from one list to the other)
            java.util.SortedSet<String> tasks = new java.util.TreeSet<>();
            fw.path("tasks").forEach(t -> tasks.add(t.path("id").asText()));
            fw.path("completed_tasks").forEach(t -> tasks.add(t.path("id").asText()));
            f.put("framework " + fw.path("id").asText(), fw.path("name").asText() + fw.path("roles") + fw.path("active")
                    + fw.path("principal") + tasks);
        }
        for (JsonNode a : state.path("slaves")) {
            f.put("agent " + a.path("id").asText(), a.path("resources").toString() + a.path("reserved_resources")
                    + a.path("deactivated") + a.path("active"));
        }
        f.put("weights", send(h.url(""), "GET", "/weights", null, Map.of("Authorization", OPS)).body());
        f.put("quota", send(h.url(""), "GET", "/quota", null, Map.of("Authorization", OPS)).body());
        f.put("schedule", send(h.url(""), "GET", "/maintenance/schedule", null, Map.of("Authorization", OPS)).body());
        return f.toString();
    }

    /** Where two fingerprints first differ, for the failure's message. */
    private static String difference(String a, String b) {
        int i = 0;
        while (i < Math.min(a.length(), b.length()) && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 80);
        return "before ..." + a.substring(from, Math.min(a.length(), i + 120)) + "... after ..."
                + b.substring(from, Math.min(b.length(), i + 120)) + "...";
    }

    private static void check(Sent s, List<String> problems) {
        if (s == null) {
            return;
        }
        // a call Pangaea does not serve (the agent's nested-container calls) is 501 by design, not a failure
        boolean notServed = s.status == 501 && s.body.contains("is not served by this Pangaea");
        if (s.status >= 500 && !notServed) {
            problems.add(s.status + " for " + s.what + ": " + s.body.substring(0, Math.min(300, s.body.length())));
        }
        if (STACK.matcher(s.body).find()) {
            problems.add("a stack trace for " + s.what + ": " + s.body.substring(0, Math.min(300, s.body.length())));
        }
    }

    private static Map<String, String> headers(Random r, String contentType, String authorization) {
        Map<String, String> h = new TreeMap<>();
        if (contentType != null) {
            h.put("Content-Type", contentType);
        }
        h.put("Accept", r.nextInt(5) == 0 ? CONTENT_TYPES[r.nextInt(CONTENT_TYPES.length)] : "application/json");
        int auth = r.nextInt(6);
        if (auth < 3) {
            h.put("Authorization", authorization);
        } else if (auth == 3) {
            h.put("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("ops:" + r.nextInt())
                    .getBytes(StandardCharsets.UTF_8)));
        } else if (auth == 4) {
            h.put("Authorization", STRINGS[r.nextInt(STRINGS.length)].replaceAll("[\\u0000-\\u001f\\u007f]", "x"));
        }
        if (r.nextInt(10) == 0) {
            h.put("Mesos-Stream-Id", r.nextBoolean() ? scheduler.streamId : STRINGS[r.nextInt(STRINGS.length)]);
        } else if (scheduler.streamId != null) {
            h.put("Mesos-Stream-Id", scheduler.streamId);
        }
        if (r.nextInt(50) == 0) {
            h.put("X-Huge", "h".repeat(20_000 + r.nextInt(20_000)));
        }
        return h;
    }

    private static final String[] MASTER_PATHS = {"/api/v1", "/api/v1/scheduler", "/internal/v1/agent",
        "/master/state", "/state.json", "/master/teardown", "/master/reserve", "/master/unreserve", "/quota",
        "/quota/r", "/weights", "/maintenance/schedule", "/machine/down", "/files/read?path=/master/log&offset=0",
        "/files/browse?path=/", "/metrics/snapshot", "/master/flags", "/allocator", "/allocator/explain?subject=*",
        "/agents/x/files/read?path=/etc/passwd", "/master/redirect", "/%2e%2e/%2e%2e/etc/passwd", "/master/roles",
        "/api/v1?x=%ZZ", "/no/such/thing"};
    private static final String[] AGENT_PATHS = {"/api/v1", "/api/v1/executor", "/state", "/flags",
        "/files/read?path=/&offset=0", "/files/browse?path=/../..", "/files/download?path=/etc/passwd",
        "/metrics/snapshot", "/monitor/statistics", "/slave(1)/api/v1", "/no/such"};

    @Test
    public void tenThousandBadRequestsToTheMasterAndTwoThousandToTheAgentBreakNothing() throws Exception {
        Random r = new Random(seed);
        List<String> problems = new ArrayList<>();
        List<ObjectNode> sched = schedulerCalls();
        List<ObjectNode> ops = operatorCalls();
        List<ObjectNode> agentCalls = agentProtocolCalls();
        String before = fingerprint();
        int refusedWrites = 0;
        int large = 0;
        for (int i = 0; i < 10_000; i++) {
            String path;
            String method = "POST";
            byte[] body;
            String authorization = OPS;
            int kind = r.nextInt(100);
            if (kind < 30) {
                path = "/api/v1/scheduler";
                authorization = FW;
                body = Harness.JSON.writeValueAsBytes(mutate(sched.get(r.nextInt(sched.size())), r));
            } else if (kind < 60) {
                path = "/api/v1";
                body = Harness.JSON.writeValueAsBytes(mutate(ops.get(r.nextInt(ops.size())), r));
            } else if (kind < 68) {
                path = "/internal/v1/agent";
                authorization = HttpAuthentication.basic("agent", "a");
                body = Harness.JSON.writeValueAsBytes(mutate(agentCalls.get(r.nextInt(agentCalls.size())), r));
            } else if (kind < 80) {
                path = MASTER_PATHS[r.nextInt(MASTER_PATHS.length)];
                body = corrupt(Harness.JSON.writeValueAsBytes(ops.get(r.nextInt(ops.size()))), r);
            } else if (kind < 85) {
                path = r.nextBoolean() ? "/api/v1" : "/api/v1/scheduler";
                body = deep(r);
            } else if (kind < 95) {
                path = MASTER_PATHS[r.nextInt(MASTER_PATHS.length)] + (r.nextBoolean() ? "" : "/"
                        + java.net.URLEncoder.encode(STRINGS[r.nextInt(STRINGS.length)], StandardCharsets.UTF_8));
                method = METHODS[r.nextInt(METHODS.length)];
                body = method.equals("GET") || method.equals("HEAD") ? null : corrupt(new byte[64], r);
            } else if (kind < 96 && large < 4) {
                large++;
                path = "/api/v1";
                body = new byte[17 * 1024 * 1024];
                java.util.Arrays.fill(body, (byte) '[');
            } else {
                path = "/api/v1";
                body = Harness.JSON.writeValueAsBytes(mutate(ops.get(r.nextInt(ops.size())), r));
            }
            String contentType = r.nextInt(8) == 0 ? CONTENT_TYPES[r.nextInt(CONTENT_TYPES.length)]
                    : "application/json";
            Sent s = send(h.url(""), method, path, body, headers(r, contentType, authorization));
            check(s, problems);
            if (s != null && (s.status >= 400 || s.status < 0) && !method.equals("GET") && !method.equals("HEAD")) {
                refusedWrites++;
                if (refusedWrites % 50 == 0 || kind < 68) {
                    String after = fingerprint();
                    if (!after.equals(before)) {
                        problems.add("the state changed after a refused " + s.what + " (" + s.status + "): "
                                + difference(before, after));
                        before = after;
                    }
                }
            } else if (s != null && s.status < 300) {
                before = fingerprint(); // an accepted call may change the state
            }
            if (i % 500 == 0) {
                assertEquals("/health at request " + i, 200, send(h.url(""), "GET", "/health", null, Map.of())
                        .status());
            }
            if (problems.size() > 20) {
                break;
            }
        }
        assertEquals(200, send(h.url(""), "GET", "/health", null, Map.of()).status());

        // the agent's own endpoints and the executor API
        String agentBase = "http://127.0.0.1:" + agent.port;
        List<ObjectNode> agentOps = agentOperatorCalls();
        List<ObjectNode> exec = executorCalls();
        for (int i = 0; i < 2_000; i++) {
            String path;
            String method = "POST";
            byte[] body;
            int kind = r.nextInt(100);
            if (kind < 40) {
                path = "/api/v1";
                body = Harness.JSON.writeValueAsBytes(mutate(agentOps.get(r.nextInt(agentOps.size())), r));
            } else if (kind < 70) {
                path = "/api/v1/executor";
                body = Harness.JSON.writeValueAsBytes(mutate(exec.get(r.nextInt(exec.size())), r));
            } else if (kind < 80) {
                path = r.nextBoolean() ? "/api/v1" : "/api/v1/executor";
                body = r.nextBoolean() ? deep(r) : corrupt(new byte[128], r);
            } else {
                path = AGENT_PATHS[r.nextInt(AGENT_PATHS.length)];
                method = METHODS[r.nextInt(METHODS.length)];
                body = method.equals("GET") || method.equals("HEAD") ? null : corrupt(new byte[32], r);
            }
            String contentType = r.nextInt(8) == 0 ? CONTENT_TYPES[r.nextInt(CONTENT_TYPES.length)]
                    : "application/json";
            check(send(agentBase, method, path, body, headers(r, contentType, AGENT_OPS)), problems);
            if (i % 500 == 0) {
                assertEquals(200, send(agentBase, "GET", "/health", null, Map.of()).status());
            }
            if (problems.size() > 20) {
                break;
            }
        }
        assertEquals(200, send(agentBase, "GET", "/health", null, Map.of()).status());
        assertTrue("seed " + seed + ":\n" + String.join("\n", problems), problems.isEmpty());
        assertTrue("the framework is still subscribed", fingerprint().contains("fuzzed"));
    }
}
