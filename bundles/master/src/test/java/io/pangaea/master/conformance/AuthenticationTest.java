package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.http.HttpAuthentication;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.scheduler.SchedulerDriver;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * HTTP Basic authentication on the master with Mesos's realms and credentials: each protected API refuses a call
 * without credentials, and one with a wrong secret, with 401 and its realm; the right credentials pass; health and the
 * Web UI's files stay open; a real agent with its credential registers, and the scheduler library with its credential
 * subscribes.
 */
public class AuthenticationTest {

    private static Harness h;

    @BeforeClass
    public static void up() throws Exception {
        HttpAuthentication auth = new HttpAuthentication(Set.of(HttpAuthentication.MASTER_READONLY,
                HttpAuthentication.MASTER_READWRITE, HttpAuthentication.MASTER_SCHEDULER,
                HttpAuthentication.MASTER_AGENT), HttpAuthentication.credentials(
                "{\"credentials\":[{\"principal\":\"ops\",\"secret\":\"s3cret\"},"
                        + "{\"principal\":\"fw\",\"secret\":\"fw-pass\"},{\"principal\":\"agent\",\"secret\":\"a\"}]}"));
        h = new Harness(MasterConfig.defaults(), null, auth);
        h.agentCredential = new String[] {"agent", "a"};
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    private static HttpResponse<String> send(String method, String path, String body, String authorization)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.url(path))).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return Harness.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void refused(String method, String path, String body, String realm) throws Exception {
        for (String authorization : new String[] {null, HttpAuthentication.basic("ops", "wrong"),
                HttpAuthentication.basic("nobody", "s3cret"), "Basic not-base64!", "Bearer token"}) {
            HttpResponse<String> r = send(method, path, body, authorization);
            assertEquals(method + " " + path + " with " + authorization, 401, r.statusCode());
            assertEquals("Basic realm=\"" + realm + "\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
            assertTrue(r.body(), r.body().contains(realm));
        }
    }

    @Test
    public void eachRealmRefusesMissingOrWrongCredentialsAndTakesTheRightOnes() throws Exception {
        String ops = HttpAuthentication.basic("ops", "s3cret");
        refused("GET", "/master/state", null, HttpAuthentication.MASTER_READONLY);
        refused("GET", "/metrics/snapshot", null, HttpAuthentication.MASTER_READONLY);
        assertEquals(200, send("GET", "/master/state", null, ops).statusCode());

        String health = "{\"type\":\"GET_HEALTH\"}";
        refused("POST", "/api/v1", health, HttpAuthentication.MASTER_READWRITE);
        refused("POST", "/master/teardown", "frameworkId=x", HttpAuthentication.MASTER_READWRITE);
        assertEquals(200, send("POST", "/api/v1", health, ops).statusCode());

        String subscribe = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}";
        refused("POST", "/api/v1/scheduler", subscribe, HttpAuthentication.MASTER_SCHEDULER);
        // authenticated, a framework names itself by its principal, as Mesos requires
        HttpResponse<String> unnamed = send("POST", "/api/v1/scheduler", subscribe, HttpAuthentication.basic("fw",
                "fw-pass"));
        assertEquals(unnamed.body(), 400, unnamed.statusCode());
        assertTrue(unnamed.body(), unnamed.body().contains("Authenticated principal 'fw' does not match"));
        refused("POST", "/internal/v1/agent", "{\"type\":\"PONG\"}", HttpAuthentication.MASTER_AGENT);

        // open to anyone: health, the redirect, the Web UI's files (a 404 here: the harness has no UI)
        assertEquals(200, send("GET", "/health", null, null).statusCode());
        assertEquals(307, send("GET", "/master/redirect", null, null).statusCode());
        assertEquals(404, send("GET", "/ui/app.js", null, null).statusCode());
    }

    @Test
    public void anAgentAndAFrameworkWithTheirCredentialsGetIn() throws Exception {
        Harness.RealAgent agent = h.realAgent(Duration.ofSeconds(60));
        assertTrue(agent.agent.registered());
        AtomicReference<String> refusedWith = new AtomicReference<>();
        FrameworkInfo info = new FrameworkInfo("root", "authenticated", null, 0.0, false, "*", null, null, "fw", null,
                null, null);
        try (SchedulerDriver ok = SchedulerDriver.builder(URI.create(h.url("/")), info).credential("fw", "fw-pass")
                .scheduler(new io.pangaea.scheduler.Scheduler() { }).build();
             SchedulerDriver wrong = SchedulerDriver.builder(URI.create(h.url("/")), info)
                     .credential("fw", "guess").build()) {
            ok.start();
            Awaitility.await("the framework subscribed").atMost(Duration.ofSeconds(20))
                    .until(() -> ok.frameworkId() != null);
            wrong.start();
            refusedWith.set(wrong.awaitStop(Duration.ofSeconds(20)));
        }
        assertTrue(String.valueOf(refusedWith.get()), String.valueOf(refusedWith.get()).contains("401"));
        String state = send("GET", "/master/state", null, HttpAuthentication.basic("ops", "s3cret")).body();
        assertTrue(state, state.contains("\"authenticated\""));
    }

    @Test
    public void credentialsAreReadInMesossFormsAndBadOnesSayWhy() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("pangaea-credentials", "");
        try {
            java.nio.file.Files.writeString(file, "a x\n# a comment\nb y z\n");
            assertEquals(java.util.Map.of("a", "x", "b", "y z"), HttpAuthentication.credentials(file.toString()));
            assertEquals(java.util.Map.of("a", "x", "b", "y z"), HttpAuthentication.credentials("file://" + file));
        } finally {
            java.nio.file.Files.delete(file);
        }
        assertEquals(java.util.Map.of("p", "s"), HttpAuthentication.credentials(
                "{\"credentials\":[{\"principal\":\"p\",\"secret\":\"s\"}]}"));
        for (String bad : new String[] {"{\"credentials\":{}}", "{\"credentials\":[{\"secret\":\"x\"}]}",
                "/no/such/credentials/file"}) {
            try {
                HttpAuthentication.credentials(bad);
                throw new AssertionError("accepted " + bad);
            } catch (java.io.IOException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("credentials:"));
            }
        }
    }
}
