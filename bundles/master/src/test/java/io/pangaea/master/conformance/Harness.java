package io.pangaea.master.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.allocator.drf.DrfAllocator;
import io.pangaea.http.EventSink;
import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.master.internal.Registry;
import io.pangaea.master.internal.http.MasterHttpServer;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A master with its real HTTP server on a free port, DRF allocation every 50 ms, agents that speak the agent
 * protocol in process (so a test decides what their tasks do), and schedulers that speak HTTP like any client.
 */
final class Harness implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    final Master master;
    final MasterHttpServer http;
    final Path registry;
    private final boolean ownRegistry;
    private final List<AutoCloseable> open = new ArrayList<>();

    Harness() throws Exception {
        this(MasterConfig.defaults());
    }

    Harness(MasterConfig config) throws Exception {
        this(config, null);
    }

    /**
     * A master on the registry file {@code registryFile} (a new temporary one when null), as a newly elected master
     * reads what the one before it wrote. The file is removed by {@link #close} only when it was made here.
     */
    Harness(MasterConfig config, Path registryFile) throws Exception {
        this(config, registryFile, io.pangaea.http.HttpAuthentication.none());
    }

    /** The ACLs of the real agents' own endpoints. */
    volatile io.pangaea.http.Acls agentAcls = io.pangaea.http.Acls.permissive();

    /** Who may call the real agents' own endpoints (their authenticate_http_* settings). */
    volatile io.pangaea.http.HttpAuthentication agentHttpAuthentication = io.pangaea.http.HttpAuthentication.none();

    /** The {@code Authorization} header the harness's schedulers send (a master with the scheduler realm), or null. */
    volatile String schedulerAuthorization;

    /** What the harness's real agents sign executor tokens with (authenticate_http_executors), or null. */
    volatile io.pangaea.http.ExecutorTokens executorTokens;

    /** The credentials the harness's real agents give the master (principal, secret), or null. */
    volatile String[] agentCredential;

    /** A master that asks for credentials as {@code auth} says. */
    Harness(MasterConfig config, Path registryFile, io.pangaea.http.HttpAuthentication auth) throws Exception {
        this(config, registryFile, auth, io.pangaea.http.Tls.off());
    }

    /** The master's TLS settings: its URLs are https:// when they are on. */
    final io.pangaea.http.Tls tls;
    /** The TLS settings of the harness's real agents. */
    volatile io.pangaea.http.Tls agentTls = io.pangaea.http.Tls.off();

    /** A master serving TLS as {@code tls} says. */
    Harness(MasterConfig config, Path registryFile, io.pangaea.http.HttpAuthentication auth,
            io.pangaea.http.Tls tls) throws Exception {
        this.tls = tls;
        ownRegistry = registryFile == null;
        if (registryFile == null) {
            registryFile = Files.createTempFile("pangaea-conformance", ".json");
            Files.delete(registryFile);
        }
        registry = registryFile;
        master = new Master(config.withPort(0).withAllocationInterval(Duration.ofMillis(50)), new Registry(registry));
        master.setAllocator(new DrfAllocator());
        master.start();
        http = new MasterHttpServer(master, "127.0.0.1", 0, new io.pangaea.http.HttpRoutes(), () -> auth, tls);
    }

    String url(String path) {
        return tls.scheme() + "://127.0.0.1:" + http.port() + path;
    }

    /** A POST with the given headers (name, value pairs); the body as it is. */
    HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return post(path, body.getBytes(StandardCharsets.UTF_8), all);
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode state() throws Exception {
        return JSON.readTree(get("/master/state").body());
    }

    // ---- agents ---------------------------------------------------------------------------------------------

    /** An agent in process: what the master sends it is recorded; the test sends its status updates. */
    final class Agent implements EventSink {
        final List<AgentEvent> events = new CopyOnWriteArrayList<>();
        volatile AgentId id;
        /** A hung agent reads nothing and answers no PING, though its connection stays open. */
        volatile boolean hung;
        private final List<Runnable> onClose = new CopyOnWriteArrayList<>();

        @Override
        public boolean send(byte[] record) {
            try {
                AgentEvent e = MesosJson.read(record, AgentEvent.class);
                if (hung) {
                    return true; // written into a socket buffer nobody reads
                }
                if (e.type() == AgentEvent.Type.REGISTERED) {
                    id = e.registered().agentId();
                }
                if (e.type() == AgentEvent.Type.PING) {
                    master.agentPong(id);
                }
                events.add(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return true;
        }

        @Override
        public void close() {
            onClose.forEach(Runnable::run);
        }

        @Override
        public void onClose(Runnable listener) {
            onClose.add(listener);
        }

        /** Drops the connection, as a crashed agent does. */
        void disconnect() {
            close();
        }

        /** A status update for a task, as the agent would send it (with a fresh uuid). */
        void update(String frameworkId, String taskId, TaskState state) {
            // as Pangaea's agent sends them: the command executor's id and the container's status
            TaskStatus s = new TaskStatus(io.pangaea.model.TaskId.of(taskId), state, null,
                    TaskStatus.Source.SOURCE_EXECUTOR, null, null, id, io.pangaea.model.ExecutorId.of(taskId),
                    System.currentTimeMillis() / 1000.0, Base64.getEncoder().encodeToString(uuidBytes()), null,
                    null, new TaskStatus.ContainerStatus(io.pangaea.model.ContainerId.of("c-" + taskId),
                    List.of(new TaskStatus.NetworkInfo(List.of(new TaskStatus.IpAddress("IPv4", "127.0.0.1")))),
                    4242));
            master.agentUpdates(List.of(new AgentCall.Update(FrameworkId.of(frameworkId), s, state)));
        }

        long count(AgentEvent.Type type) {
            return events.stream().filter(e -> e.type() == type).count();
        }

        AgentEvent await(AgentEvent.Type type, Predicate<AgentEvent> p) {
            return Awaitility.await(type + " at the agent").atMost(Duration.ofSeconds(10))
                    .until(() -> events.stream().filter(e -> e.type() == type && p.test(e)).findFirst()
                            .orElse(null), x -> x != null);
        }
    }

    private static byte[] uuidBytes() {
        UUID u = UUID.randomUUID();
        return java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array();
    }

    Agent agent(String resources) {
        return agent(resources, null, List.of());
    }

    /** Each in-process agent listens, so to speak, on a port of its own: agents at one address replace each other. */
    private final java.util.concurrent.atomic.AtomicInteger nextAgentPort = new java.util.concurrent.atomic
            .AtomicInteger(5051);
    private final java.util.Map<AgentId, Integer> agentPorts = new java.util.concurrent.ConcurrentHashMap<>();

    Agent agent(String resources, AgentId previous, List<Task> tasks) {
        Agent a = new Agent();
        // an agent coming back keeps its address
        int port = previous != null && agentPorts.containsKey(previous) ? agentPorts.get(previous)
                : nextAgentPort.getAndIncrement();
        master.subscribeAgent(new AgentCall.Subscribe(new AgentInfo("localhost", port,
                Resources.parse(resources).toList(), List.of(), previous), tasks, List.of(), List.of(), "test", List.of()), a);
        Awaitility.await("agent registered").atMost(Duration.ofSeconds(10)).until(() -> a.id != null);
        agentPorts.put(a.id, port);
        return a;
    }

    /** A real Pangaea agent (native containerizer, no isolators) with its HTTP server, registered with the master. */
    final class RealAgent implements AutoCloseable {
        volatile io.pangaea.agent.internal.Agent agent;
        volatile io.pangaea.agent.internal.http.AgentHttpServer http;
        final Path workDir;
        final int port;
        final String bind;
        private io.pangaea.agent.internal.AgentConfig config;
        private final java.util.Map<String, io.pangaea.agent.spi.Isolator> isolators;

        RealAgent(Duration registrationTimeout) throws Exception {
            this(registrationTimeout, java.util.Map.of());
        }

        /** With these isolators for the native containerizer (name to isolator), in the agent's isolation. */
        RealAgent(Duration registrationTimeout, java.util.Map<String, io.pangaea.agent.spi.Isolator> isolators)
                throws Exception {
            this(registrationTimeout, isolators, "cpus:2;mem:1024;disk:1000");
        }

        RealAgent(Duration registrationTimeout, java.util.Map<String, io.pangaea.agent.spi.Isolator> isolators,
                String resources) throws Exception {
            this(registrationTimeout, isolators, resources, "127.0.0.1", "127.0.0.1");
        }

        /** Configured with {@code ip} (what it tells the master), its HTTP server bound to {@code bind}. */
        RealAgent(Duration registrationTimeout, java.util.Map<String, io.pangaea.agent.spi.Isolator> isolators,
                String resources, String ip, String bind) throws Exception {
            this.bind = bind;
            this.isolators = isolators;
            workDir = Files.createTempDirectory("pangaea-conformance-agent");
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            config = new io.pangaea.agent.internal.AgentConfig("127.0.0.1:" + Harness.this.http.port(),
                    ip, port, "localhost", workDir, Resources.parse(resources), List.of(),
                    List.copyOf(isolators.keySet()), List.of("native"), Duration.ofSeconds(1), registrationTimeout);
            boot();
        }

        /** A new agent on the same work_dir and port, with a native containerizer of its own, as after a restart. */
        private void boot() throws Exception {
            bootOnly();
            Awaitility.await("real agent registered").atMost(Duration.ofSeconds(20)).until(agent::registered);
        }

        /** Set when the agent asked for its process to end (after recover=cleanup). */
        volatile boolean stopAsked;

        private void bootOnly() throws Exception {
            var nativeContainerizer = new io.pangaea.containerizer.nativ.NativeContainerizer(isolators);
            agent = new io.pangaea.agent.internal.Agent(config, name -> name.equals("native")
                    ? nativeContainerizer : null, agentTls);
            agent.onStop(() -> stopAsked = true);
            agent.executorTokens(executorTokens);
            agent.acls(agentAcls);
            String[] credential = agentCredential;
            if (credential != null) {
                agent.credential(credential[0], credential[1]);
            }
            http = new io.pangaea.agent.internal.http.AgentHttpServer(agent, bind, port, agentHttpAuthentication);
            agent.start();
        }

        /**
         * Starts an agent on the same work_dir with changed settings, without waiting for it to register (it may
         * refuse to start).
         */
        void startWith(java.util.function.UnaryOperator<io.pangaea.agent.internal.AgentConfig> change)
                throws Exception {
            config = change.apply(config);
            bootOnly();
        }

        io.pangaea.agent.internal.AgentConfig config() {
            return config;
        }

        /**
         * Stops the agent as its bundle or process stops (checkpointed tasks keep running), then starts a new one on
         * the same work_dir, which recovers them and re-registers.
         */
        void restart() throws Exception {
            stop();
            start();
        }

        /** Stops the agent as its bundle or process stops: checkpointed tasks keep running, the others end. */
        void stop() throws Exception {
            agent.close();
            http.close();
        }

        /** Starts an agent again on the same work_dir (after {@link #stop}); it recovers and re-registers. */
        void start() throws Exception {
            boot();
        }

        String url(String path) {
            return "http://" + bind + ":" + port + path;
        }

        HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30));
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        JsonNode state() throws Exception {
            return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url("/state"))).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }

        /** Shuts the agent down for good: every task is killed, checkpointed or not. */
        @Override
        public void close() throws Exception {
            agent.shutdown();
            http.close();
            try (var walk = Files.walk(workDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** A real agent that says it is at {@code ip}, its HTTP server bound to {@code bind}. */
    RealAgent realAgentAt(String ip, String bind) throws Exception {
        RealAgent a = new RealAgent(Duration.ofSeconds(60), java.util.Map.of(), "cpus:2;mem:1024;disk:1000", ip,
                bind);
        open.add(0, a);
        return a;
    }

    RealAgent realAgent(Duration registrationTimeout) throws Exception {
        return realAgent(registrationTimeout, java.util.Map.of());
    }

    RealAgent realAgent(Duration registrationTimeout, java.util.Map<String, io.pangaea.agent.spi.Isolator> isolators)
            throws Exception {
        return realAgent(registrationTimeout, isolators, "cpus:2;mem:1024;disk:1000");
    }

    RealAgent realAgent(Duration registrationTimeout, java.util.Map<String, io.pangaea.agent.spi.Isolator> isolators,
            String resources) throws Exception {
        RealAgent a = new RealAgent(registrationTimeout, isolators, resources);
        open.add(0, a);
        return a;
    }

    // ---- schedulers -----------------------------------------------------------------------------------------

    /** A framework subscribed over HTTP with JSON; its events are parsed as they arrive. */
    final class Scheduler implements AutoCloseable {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final HttpResponse<InputStream> response;
        final String streamId;
        volatile String frameworkId;
        volatile boolean ended;
        private final Thread reader;

        Scheduler(ObjectNode subscribe) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url("/api/v1/scheduler")))
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(subscribe.toString()));
            if (schedulerAuthorization != null) {
                b.header("Authorization", schedulerAuthorization);
            }
            response = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            streamId = response.headers().firstValue("Mesos-Stream-Id").orElse(null);
            reader = new Thread(this::read, "conformance-scheduler");
            reader.setDaemon(true);
            reader.start();
            if (response.statusCode() == 200) {
                JsonNode first = await("first event", e -> true);
                if (first.path("type").asText().equals("SUBSCRIBED")) {
                    frameworkId = first.at("/subscribed/framework_id/value").asText();
                }
            }
        }

        private void read() {
            try (InputStream in = response.body()) {
                byte[] rec;
                while ((rec = io.pangaea.model.json.RecordIo.read(in)) != null) {
                    JsonNode e = JSON.readTree(rec);
                    events.add(e);
                    if (autoAcknowledge && e.path("type").asText().equals("UPDATE")
                            && e.at("/update/status").has("uuid")) {
                        acknowledge(e.at("/update/status"));
                    }
                }
            } catch (IOException e) {
                // closed
            } finally {
                ended = true;
            }
        }

        ObjectNode call(String type) {
            ObjectNode c = JSON.createObjectNode().put("type", type);
            c.putObject("framework_id").put("value", frameworkId);
            return c;
        }

        HttpResponse<String> post(JsonNode call) throws Exception {
            if (schedulerAuthorization != null) {
                return postJson("/api/v1/scheduler", call.toString(), "Mesos-Stream-Id", streamId, "Authorization",
                        schedulerAuthorization);
            }
            return postJson("/api/v1/scheduler", call.toString(), "Mesos-Stream-Id", streamId);
        }

        JsonNode await(String what, Predicate<JsonNode> p) {
            return Awaitility.await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> events.stream().filter(p).findFirst().orElse(null), x -> x != null);
        }

        JsonNode awaitType(String type) {
            return await(type, e -> e.path("type").asText().equals(type));
        }

        /** The first event of {@code type} that arrived after index {@code from}. */
        JsonNode next(String type, int from) {
            return Awaitility.await(type + " after " + from).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        for (int i = from; i < events.size(); i++) {
                            if (events.get(i).path("type").asText().equals(type)) {
                                return events.get(i);
                            }
                        }
                        return null;
                    }, x -> x != null);
        }

        private final java.util.Set<String> handedOut = java.util.concurrent.ConcurrentHashMap.newKeySet();

        /** An offer this method has not returned before (the first of its OFFERS event). */
        JsonNode freshOffer() {
            JsonNode o = await("an offer not used yet", e -> e.path("type").asText().equals("OFFERS")
                    && !handedOut.contains(e.at("/offers/offers/0/id/value").asText())).at("/offers/offers/0");
            handedOut.add(o.at("/id/value").asText());
            return o;
        }

        List<JsonNode> all(String type) {
            return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
        }

        JsonNode update(String taskId, String state) {
            return await(taskId + " " + state, e -> e.path("type").asText().equals("UPDATE")
                    && e.at("/update/status/task_id/value").asText().equals(taskId)
                    && e.at("/update/status/state").asText().equals(state));
        }

        /** Waits for the task's update in {@code state} and acknowledges it (when it has a uuid), as frameworks do. */
        JsonNode acked(String taskId, String state) throws Exception {
            JsonNode status = update(taskId, state).at("/update/status");
            if (status.has("uuid") && !autoAcknowledge) {
                acknowledge(status);
            }
            return status;
        }

        /**
         * Acknowledge every update as it arrives, as the scheduler libraries do (an update an agent sends again
         * after its restart included); else only what {@link #acked} is asked for.
         */
        volatile boolean autoAcknowledge;

        private void acknowledge(JsonNode status) {
            ObjectNode ack = call("ACKNOWLEDGE");
            ObjectNode a = ack.putObject("acknowledge");
            a.set("agent_id", status.get("agent_id"));
            a.set("task_id", status.get("task_id"));
            a.put("uuid", status.get("uuid").asText());
            try {
                org.junit.Assert.assertEquals(202, post(ack).statusCode());
            } catch (Exception e) {
                throw new IllegalStateException("ACKNOWLEDGE failed", e);
            }
        }

        /** ACCEPT {@code offer} launching one command task ({@code sleep 1000}) of 0.1 cpus. */
        HttpResponse<String> launch(JsonNode offer, String taskId) throws Exception {
            return launch(offer, taskId, t -> {
                t.putObject("command").put("value", "sleep 1000");
                t.putArray("resources").addObject().put("name", "cpus").put("type", "SCALAR").putObject("scalar")
                        .put("value", 0.1);
            });
        }

        /**
         * ACCEPT {@code offer} (refusing nothing afterwards) launching one task named and identified {@code taskId}
         * on the offer's agent; {@code task} fills in the rest of its TaskInfo (command, resources, ...).
         */
        HttpResponse<String> launch(JsonNode offer, String taskId, java.util.function.Consumer<ObjectNode> task)
                throws Exception {
            ObjectNode launch = JSON.createObjectNode().put("type", "LAUNCH");
            ObjectNode t = launch.putObject("launch").putArray("task_infos").addObject().put("name", taskId);
            t.putObject("task_id").put("value", taskId);
            t.set("agent_id", offer.get("agent_id"));
            task.accept(t);
            return accept(offer, launch);
        }

        /** ACCEPT {@code offer} with these operations, refusing nothing afterwards. */
        HttpResponse<String> accept(JsonNode offer, ObjectNode... operations) throws Exception {
            ObjectNode accept = call("ACCEPT");
            ObjectNode a = accept.putObject("accept");
            a.putArray("offer_ids").add(offer.get("id"));
            var list = a.putArray("operations");
            for (ObjectNode op : operations) {
                list.add(op);
            }
            a.putObject("filters").put("refuse_seconds", 0.0);
            return post(accept);
        }

        @Override
        public void close() throws Exception {
            response.body().close();
        }
    }

    static ObjectNode subscribe(String name, String... capabilities) {
        ObjectNode c = JSON.createObjectNode().put("type", "SUBSCRIBE");
        ObjectNode fi = c.putObject("subscribe").putObject("framework_info").put("user", "root").put("name", name);
        var caps = fi.putArray("capabilities");
        for (String cap : capabilities) {
            caps.addObject().put("type", cap);
        }
        return c;
    }

    Scheduler scheduler(ObjectNode subscribe) throws Exception {
        Scheduler s = new Scheduler(subscribe);
        open.add(s);
        return s;
    }

    Scheduler scheduler(String name, String... capabilities) throws Exception {
        return scheduler(subscribe(name, capabilities));
    }

    /**
     * No OFFERS event reached {@code s} from index {@code from} on, after three allocation cycles: a RECONCILE of an
     * unknown task afterwards puts a marker on the stream, behind any offer those cycles made.
     */
    void assertNoOffers(Scheduler s, int from) throws Exception {
        for (int i = 0; i < 3; i++) {
            master.allocateNow().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        String marker = "marker-" + UUID.randomUUID();
        ObjectNode reconcile = s.call("RECONCILE");
        reconcile.putObject("reconcile").putArray("tasks").addObject().putObject("task_id").put("value", marker);
        org.junit.Assert.assertEquals(202, s.post(reconcile).statusCode());
        s.await("the marker", e -> e.at("/update/status/task_id/value").asText().equals(marker));
        List<JsonNode> after = s.events.subList(from, s.events.size());
        org.junit.Assert.assertEquals(after.toString(), 0,
                after.stream().filter(e -> e.path("type").asText().equals("OFFERS")).count());
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the stream may be gone already
            }
        }
        http.close();
        master.close();
        if (ownRegistry) {
            Files.deleteIfExists(registry);
        }
    }
}
