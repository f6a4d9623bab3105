package io.pangaea.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pangaea.model.AgentId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.RecordIo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The agent's side of the health check, against a master made of a bare HTTP server: it answers each PING with a
 * PONG, and a master that goes silent for longer than the {@code total_ping_timeout_seconds} it gave is left for a
 * new subscription, although its connection never closed.
 */
public class MasterLinkHealthTest {

    private HttpServer server;
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
    private final List<AgentCall> calls = new CopyOnWriteArrayList<>();
    private final List<HttpExchange> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    /** Whether the fake master pings the streams it opened. */
    private volatile boolean pinging;
    private Agent agent;
    private Path work;

    @Before
    public void start() throws Exception {
        work = Files.createTempDirectory("pangaea-link-health");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/internal/v1/agent", this::agentCall);
        server.start();
        pinger.scheduleAtFixedRate(() -> {
            if (pinging) {
                open.forEach(x -> send(x, AgentEvent.PING));
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        AgentConfig config = new AgentConfig("127.0.0.1:" + server.getAddress().getPort(), "127.0.0.1", 5999,
                "node-h", work, Resources.parse("cpus:1;mem:128"), List.of(), List.of(), List.of("native"),
                Duration.ofSeconds(3), Duration.ofMinutes(1));
        agent = new Agent(config, name -> null);
    }

    @After
    public void stop() throws Exception {
        agent.close();
        pinger.shutdownNow();
        server.stop(0);
        try (var walk = Files.walk(work)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void agentCall(HttpExchange x) throws IOException {
        AgentCall call;
        try {
            call = MesosJson.read(x.getRequestBody().readAllBytes(), AgentCall.class);
        } catch (io.pangaea.model.json.MesosJsonException e) {
            x.sendResponseHeaders(400, -1);
            x.close();
            return;
        }
        calls.add(call);
        if (call.type() != AgentCall.Type.SUBSCRIBE) {
            x.sendResponseHeaders(202, -1);
            x.close();
            return;
        }
        subscriptions.incrementAndGet();
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(200, 0);
        send(x, AgentEvent.registered(new AgentEvent.Registered(AgentId.of("S-health"),
                new MasterInfo("m1", 0L, 5050, "master@127.0.0.1:5050", "localhost", "1.11.0", null, null), 15.0,
                0.5)));
        open.add(x); // the stream stays open; the test decides whether it pings
    }

    private static void send(HttpExchange x, AgentEvent e) {
        try {
            OutputStream out = x.getResponseBody();
            synchronized (x) {
                out.write(RecordIo.frame(MesosJson.write(e)));
                out.flush();
            }
        } catch (IOException ignored) {
            // the agent left this stream
        }
    }

    private long pongs() {
        return calls.stream().filter(c -> c.type() == AgentCall.Type.PONG).count();
    }

    @Test
    public void aPingedAgentAnswersAndKeepsItsSubscription() {
        pinging = true;
        agent.start();
        Awaitility.await("PONGs").atMost(Duration.ofSeconds(10)).until(() -> pongs() >= 10);
        // ten pings took about a second, twice the silence the master allows: still the one subscription
        assertEquals(1, subscriptions.get());
        assertTrue(calls.stream().filter(c -> c.type() == AgentCall.Type.PONG)
                .allMatch(c -> c.agentId().value().equals("S-health")));
    }

    @Test
    public void aSilentMasterIsLeftForANewSubscription() {
        agent.start();
        Awaitility.await("a second subscription after the master went silent").atMost(Duration.ofSeconds(10))
                .until(() -> subscriptions.get() >= 2);
        // the agent comes back as the agent it was
        AgentCall again = calls.stream().filter(c -> c.type() == AgentCall.Type.SUBSCRIBE).skip(1).findFirst()
                .orElseThrow();
        assertEquals("S-health", again.subscribe().agentInfo().id().value());
        assertEquals(0, pongs());
    }
}
