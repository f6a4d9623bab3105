package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.http.CertificateAuthority;
import io.pangaea.http.ExecutorTokens;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.tls.TlsFiles;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Issue 17 on the real distributions with everything on: the master and the agent serve HTTPS only, every realm
 * asks for credentials, the master enforces ACLs and rate limits, the agent gives executors tokens. The example
 * framework runs its executor over TLS with its credentials; a framework may not register in a role its ACL forbids,
 * nor run a task as a forbidden user; one principal cannot tear down another's framework; {@code view_*} rules filter
 * {@code /master/state} per principal; an executor call with another executor's token is refused; a framework over
 * its rate limit gets 429 while another is served; the shell refuses a user without the admin role.
 */
public class SecureClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER = System.getProperty("user.name", "root");
    private static LocalCluster cluster;
    private static Path dir;
    private static CertificateAuthority ca;
    private static HttpClient https;
    private static Path executorKey;

    private static String basic(String principal, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((principal + ":" + secret).getBytes());
    }

    @BeforeClass
    public static void up() throws Exception {
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "secure-");
        ca = new CertificateAuthority(dir);
        CertificateAuthority.Issued master = ca.issue("master");
        CertificateAuthority.Issued agent = ca.issue("agent");
        Path credentials = Files.writeString(dir.resolve("credentials.json"), "{\"credentials\":["
                + "{\"principal\":\"ops\",\"secret\":\"ops-secret\"},{\"principal\":\"viewer\",\"secret\":\"v\"},"
                + "{\"principal\":\"fw\",\"secret\":\"fw-secret\"},{\"principal\":\"other\",\"secret\":\"o\"},"
                + "{\"principal\":\"greedy\",\"secret\":\"g\"},{\"principal\":\"agent\",\"secret\":\"a\"}]}");
        Path acls = Files.writeString(dir.resolve("acls.json"), """
                {"register_frameworks": [
                   {"principals": {"values": ["fw", "other", "greedy"]}, "roles": {"values": ["*", "web"]}},
                   {"principals": {"type": "ANY"}, "roles": {"type": "NONE"}}],
                 "run_tasks": [
                   {"principals": {"type": "ANY"}, "users": {"values": ["%s", "nobody"]}},
                   {"principals": {"type": "ANY"}, "users": {"type": "NONE"}}],
                 "teardown_frameworks": [
                   {"principals": {"values": ["ops"]}, "framework_principals": {"type": "ANY"}},
                   {"principals": {"type": "ANY"}, "framework_principals": {"type": "NONE"}}],
                 "view_frameworks": [
                   {"principals": {"values": ["ops"]}, "users": {"type": "ANY"}},
                   {"principals": {"values": ["viewer"]}, "users": {"values": ["nobody"]}},
                   {"principals": {"type": "ANY"}, "users": {"type": "NONE"}}],
                 "view_tasks": [
                   {"principals": {"values": ["ops"]}, "users": {"type": "ANY"}},
                   {"principals": {"values": ["viewer"]}, "users": {"values": ["nobody"]}},
                   {"principals": {"type": "ANY"}, "users": {"type": "NONE"}}],
                 "update_allocators": [
                   {"principals": {"values": ["karaf", "ops"]}, "allocators": {"type": "ANY"}},
                   {"principals": {"type": "ANY"}, "allocators": {"type": "NONE"}}]
                }""".formatted(USER));
        Path rateLimits = Files.writeString(dir.resolve("rate_limits.json"),
                "{\"limits\": [{\"principal\": \"greedy\", \"qps\": 1, \"capacity\": 1}]}");
        Path agentCredential = Files.writeString(dir.resolve("agent-credential"), "agent a\n");
        executorKey = Files.writeString(dir.resolve("executor.key"), "a key for the executors' tokens\n");
        Map<String, String> masterSettings = Map.ofEntries(Map.entry("authenticate_agents", "true"),
                Map.entry("authenticate_http_frameworks", "true"), Map.entry("authenticate_http_readonly", "true"),
                Map.entry("authenticate_http_readwrite", "true"), Map.entry("credentials", credentials.toString()),
                Map.entry("acls", acls.toString()), Map.entry("rate_limits", rateLimits.toString()),
                Map.entry("ssl_enabled", "true"), Map.entry("ssl_cert_file", master.certFile().toString()),
                Map.entry("ssl_key_file", master.keyFile().toString()),
                Map.entry("ssl_ca_file", ca.caFile.toString()));
        Map<String, String> agentSettings = Map.ofEntries(Map.entry("credential", agentCredential.toString()),
                Map.entry("authenticate_http_executors", "true"),
                Map.entry("executor_secret_key", executorKey.toString()), Map.entry("ssl_enabled", "true"),
                Map.entry("ssl_cert_file", agent.certFile().toString()),
                Map.entry("ssl_key_file", agent.keyFile().toString()), Map.entry("ssl_ca_file", ca.caFile.toString()));
        cluster = new LocalCluster("cpus:4;mem:2048", agentSettings, masterSettings, 1, null, 1,
                basic("ops", "ops-secret"), TlsFiles.trusting(ca.caFile));
        https = HttpClient.newBuilder().sslContext(TlsFiles.trusting(ca.caFile)).build();
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

    private static HttpResponse<String> call(String method, String url, String body, String authorization)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> master(String method, String path, String body, String authorization)
            throws Exception {
        return call(method, cluster.masterUrl() + path, body, authorization);
    }

    /** A framework of {@code principal} (its user {@code user}, role {@code role}) over TLS with its credential. */
    private static SchedulerDriver framework(String name, String principal, String secret, String user, String role,
                                             List<Offer> offers, List<TaskStatus> updates) {
        FrameworkInfo info = new FrameworkInfo(user, name, null, 0.0, false, role, null, null, principal, null, null,
                null);
        return SchedulerDriver.builder(URI.create(cluster.masterUrl()), info).credential(principal, secret)
                .trust(ca.caFile).scheduler(new Scheduler() {
                    @Override
                    public void offers(SchedulerDriver d, List<Offer> o) {
                        offers.addAll(o);
                    }

                    @Override
                    public void update(SchedulerDriver d, TaskStatus s) {
                        updates.add(s);
                    }
                }).build();
    }

    private static TaskInfo task(String id, Offer offer, String user) {
        CommandInfo command = new CommandInfo(null, null, true, "sleep 60", null, user);
        return new TaskInfo(id, TaskId.of(id), offer.agentId(), List.of(Resource.scalar("cpus", 0.1),
                Resource.scalar("mem", 32)), null, command, null, null, null, null);
    }

    /** The jobs adapter (Chronos API) in the secured master: HTTPS, credentials in its realm, view_jobs/update_jobs. */
    @Test
    public void jobsAdapterServesHttpsWithCredentialsAndItsAcls() throws Exception {
        CertificateAuthority.Issued cert = ca.issue("jobs");
        Path acls = Files.writeString(dir.resolve("jobs-acls.json"), """
                {"view_jobs": [
                   {"principals": {"values": ["ops", "viewer"]}, "jobs": {"type": "ANY"}},
                   {"principals": {"type": "ANY"}, "jobs": {"type": "NONE"}}],
                 "update_jobs": [
                   {"principals": {"values": ["ops"]}, "jobs": {"type": "ANY"}},
                   {"principals": {"type": "ANY"}, "jobs": {"type": "NONE"}}]}""");
        int port = LocalCluster.freePort();
        Files.writeString(cluster.masterHome(0).resolve("etc/io.pangaea.framework.jobs.cfg"), String.join("\n",
                "port = " + port, "master = https://127.0.0.1:" + cluster.masterPort,
                "master_ca_file = " + ca.caFile, "principal = fw", "secret = fw-secret", "user = " + USER,
                "authenticate_http = true", "credentials = " + dir.resolve("credentials.json"), "acls = " + acls,
                "ssl_enabled = true", "ssl_cert_file = " + cert.certFile(), "ssl_key_file = " + cert.keyFile(),
                "state_dir = " + dir.resolve("jobs-state"), ""));
        cluster.masterShell("feature:install pangaea-framework-jobs");
        String api = "https://127.0.0.1:" + port + "/scheduler";
        String ops = basic("ops", "ops-secret");
        await("the jobs adapter answers").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                call("GET", api + "/jobs", null, ops).statusCode() == 200);
        HttpResponse<String> anonymous = call("GET", api + "/jobs", null, null);
        assertEquals(401, anonymous.statusCode());
        assertEquals("Basic realm=\"pangaea-framework-jobs\"",
                anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
        String job = "{\"name\":\"secure-once\",\"command\":\"true\",\"schedule\":\"R1//PT1H\",\"cpus\":0.1,"
                + "\"mem\":16,\"disk\":0}";
        assertEquals(403, call("POST", api + "/iso8601", job, basic("viewer", "v")).statusCode());
        assertEquals(204, call("POST", api + "/iso8601", job, ops).statusCode());
        await("it ran against the TLS master").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                JSON.readTree(call("GET", api + "/job/secure-once", null, ops).body()).path("successCount")
                        .asInt() == 1);
        assertEquals(1, JSON.readTree(call("GET", api + "/jobs", null, basic("viewer", "v")).body()).size());
        assertEquals(0, JSON.readTree(call("GET", api + "/jobs", null, basic("other", "o")).body()).size());
        assertEquals(204, call("DELETE", api + "/job/secure-once", null, ops).statusCode());
        cluster.masterShell("feature:uninstall pangaea-framework-jobs");
    }

    /**
     * The services adapter (Marathon API) in the secured master: it serves HTTPS only, asks for credentials (realm
     * pangaea-framework-services), applies its own ACL actions (view_services filters, update_services refuses with
     * 403), and subscribes to the TLS master with its principal, so that its app's task runs.
     */
    @Test
    public void servicesAdapterServesHttpsWithCredentialsAndItsAcls() throws Exception {
        CertificateAuthority.Issued cert = ca.issue("services");
        Path acls = Files.writeString(dir.resolve("services-acls.json"), """
                {"view_services": [
                   {"principals": {"values": ["ops", "viewer"]}, "apps": {"type": "ANY"}},
                   {"principals": {"type": "ANY"}, "apps": {"type": "NONE"}}],
                 "update_services": [
                   {"principals": {"values": ["ops"]}, "apps": {"type": "ANY"}},
                   {"principals": {"type": "ANY"}, "apps": {"type": "NONE"}}]}""");
        int port = LocalCluster.freePort();
        Files.writeString(cluster.masterHome(0).resolve("etc/io.pangaea.framework.services.cfg"), String.join("\n",
                "port = " + port, "master = https://127.0.0.1:" + cluster.masterPort,
                "master_ca_file = " + ca.caFile, "principal = fw", "secret = fw-secret", "user = " + USER,
                "authenticate_http = true", "credentials = " + dir.resolve("credentials.json"), "acls = " + acls,
                "ssl_enabled = true", "ssl_cert_file = " + cert.certFile(), "ssl_key_file = " + cert.keyFile(),
                "state_dir = " + dir.resolve("services-state"), ""));
        cluster.masterShell("feature:install pangaea-framework-services");
        String api = "https://127.0.0.1:" + port;
        String ops = basic("ops", "ops-secret");
        try {
            await("the adapter subscribed").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    JSON.readTree(call("GET", api + "/v2/info", null, ops).body()).path("frameworkId").isTextual());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> log = Files.readAllLines(cluster.masterHome(0).resolve("data/log/karaf.log")).stream()
                    .filter(l -> l.contains("ervices") || l.contains("Adapter") || l.contains("ERROR")).toList();
            throw new AssertionError("adapter:list: " + cluster.masterShell("adapter:list") + "\nlog:\n"
                    + String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size())), e);
        }
        HttpResponse<String> anonymous = call("GET", api + "/v2/apps", null, null);
        assertEquals(401, anonymous.statusCode());
        assertEquals("Basic realm=\"pangaea-framework-services\"",
                anonymous.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, call("GET", api + "/v2/apps", null, basic("ops", "wrong")).statusCode());
        String app = "{\"id\":\"/secure/sleeper\",\"cmd\":\"sleep 600\",\"cpus\":0.1,\"mem\":16}";
        assertEquals(403, call("POST", api + "/v2/apps", app, basic("viewer", "v")).statusCode());
        assertEquals(0, JSON.readTree(call("GET", api + "/v2/apps", null, ops).body()).path("apps").size());
        HttpResponse<String> created = call("POST", api + "/v2/apps", app, ops);
        assertEquals(created.body(), 201, created.statusCode());
        await("its task runs").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> JSON.readTree(
                call("GET", api + "/v2/apps/secure/sleeper", null, ops).body()).path("app").path("tasksRunning")
                .asInt() == 1);
        assertEquals(1, JSON.readTree(call("GET", api + "/v2/apps", null, basic("viewer", "v")).body())
                .path("apps").size());
        assertEquals(0, JSON.readTree(call("GET", api + "/v2/apps", null, basic("other", "o")).body())
                .path("apps").size());
        assertEquals(403, call("DELETE", api + "/v2/apps/secure/sleeper?force=true", null, basic("viewer", "v"))
                .statusCode());
        // plain HTTP is not served
        boolean plainRefused;
        try {
            HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v2/apps")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            plainRefused = plain.statusCode() == 400;
        } catch (java.io.IOException e) {
            plainRefused = true;
        }
        assertTrue(plainRefused);
        assertEquals(200, call("DELETE", api + "/v2/apps/secure/sleeper?force=true", null, ops).statusCode());
        await("its task ends").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> call("GET",
                api + "/v2/apps/secure/sleeper", null, ops).statusCode() == 404
                && JSON.readTree(call("GET", api + "/v2/deployments", null, ops).body()).isEmpty());
        cluster.masterShell("feature:uninstall pangaea-framework-services");
    }

    @Test
    public void theExampleFrameworkRunsItsExecutorOverTlsWithItsCredential() throws Exception {
        assertTrue(cluster.masterUrl().startsWith("https://"));
        // the example, as a user runs it: its jar, the master's https:// URL, Mesos's variables for credentials
        Path jar = Path.of(System.getProperty("pangaea.example.hello"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), cluster.masterUrl(), "2", "--executor").redirectErrorStream(true);
        pb.environment().put("MESOS_AUTHENTICATE", "true");
        pb.environment().put("DEFAULT_PRINCIPAL", "fw");
        pb.environment().put("DEFAULT_SECRET", "fw-secret");
        pb.environment().put("LIBPROCESS_SSL_CA_FILE", ca.caFile.toString());
        Process p = pb.start();
        try {
            assertTrue("the example ends", p.waitFor(120, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(out, 0, p.exitValue());
            for (int i = 1; i <= 2; i++) {
                assertTrue(out, out.contains("hello-" + i + " TASK_FINISHED"));
                // the executor's message: it called the agent over TLS with its token
                assertTrue(out, out.contains("message from hello-executor: hello from hello-executor running hello-"
                        + i));
            }
        } finally {
            p.destroyForcibly();
        }
        // without credentials, or over plain HTTP, nothing gets in
        assertEquals(401, master("POST", "/api/v1/scheduler", "{\"type\":\"SUBSCRIBE\"}", null).statusCode());
        assertEquals(401, master("GET", "/master/state", null, basic("ops", "wrong")).statusCode());
        assertEquals("Basic realm=\"mesos-master-readonly\"", master("GET", "/master/state", null, null).headers()
                .firstValue("WWW-Authenticate").orElse(""));
        boolean plainServed;
        try {
            plainServed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.masterUrl()
                    .replace("https://", "http://") + "/health")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode() == 200;
        } catch (java.io.IOException e) {
            plainServed = false;
        }
        assertFalse("plain HTTP is not served", plainServed);
    }

    @Test
    public void aForbiddenRoleAndAForbiddenUserAreRefused() throws Exception {
        List<Offer> offers = new CopyOnWriteArrayList<>();
        List<TaskStatus> updates = new CopyOnWriteArrayList<>();
        try (SchedulerDriver refused = framework("in-prod", "fw", "fw-secret", USER, "prod", offers, updates)) {
            refused.start();
            String why = refused.awaitStop(Duration.ofSeconds(60));
            assertNotNull("the master refused the role", why);
            assertTrue(why, why.contains("register_frameworks"));
        }
        try (SchedulerDriver web = framework("as-daemon", "fw", "fw-secret", USER, "web", offers, updates)) {
            web.start();
            Offer offer = await("an offer").atMost(Duration.ofSeconds(60))
                    .until(() -> offers.isEmpty() ? null : offers.get(0), o -> o != null);
            web.launch(List.of(offer.id()), List.of(task("as-daemon", offer, "daemon")), 0).get();
            TaskStatus error = await("TASK_ERROR").atMost(Duration.ofSeconds(60)).until(() -> updates.stream()
                    .filter(u -> u.taskId().value().equals("as-daemon")).findFirst().orElse(null), u -> u != null);
            assertEquals(TaskState.TASK_ERROR, error.state());
            assertEquals(TaskStatus.Reason.REASON_TASK_UNAUTHORIZED, error.reason());
            web.teardown().get();
        }
    }

    @Test
    public void onePrincipalCannotTearDownAnothersAndViewRulesFilterTheState() throws Exception {
        List<Offer> offers = new CopyOnWriteArrayList<>();
        List<TaskStatus> updates = new CopyOnWriteArrayList<>();
        try (SchedulerDriver mine = framework("fw-own", "fw", "fw-secret", USER, "*", new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>());
             SchedulerDriver theirs = framework("nobodys", "other", "o", "nobody", "*", offers, updates)) {
            mine.start();
            theirs.start();
            await("both subscribed").atMost(Duration.ofSeconds(60))
                    .until(() -> mine.frameworkId() != null && theirs.frameworkId() != null);
            String id = theirs.frameworkId().value();
            String teardown = "{\"type\":\"TEARDOWN\",\"teardown\":{\"framework_id\":{\"value\":\"" + id + "\"}}}";
            HttpResponse<String> r = master("POST", "/api/v1", teardown, basic("fw", "fw-secret"));
            assertEquals(r.body(), 403, r.statusCode());
            assertTrue(r.body(), r.body().contains("teardown_frameworks"));

            // viewer sees the framework of user nobody and nothing of the others; ops sees all
            String viewer = master("GET", "/master/state", null, basic("viewer", "v")).body();
            assertTrue(viewer, viewer.contains("\"nobodys\""));
            assertFalse(viewer, viewer.contains("\"fw-own\""));
            String ops = master("GET", "/master/state", null, basic("ops", "ops-secret")).body();
            assertTrue(ops.contains("\"nobodys\"") && ops.contains("\"fw-own\""));
            JsonNode frameworks = JSON.readTree(master("POST", "/api/v1", "{\"type\":\"GET_FRAMEWORKS\"}",
                    basic("viewer", "v")).body()).at("/get_frameworks/frameworks");
            assertEquals(frameworks.toString(), 1, frameworks.size());

            assertEquals(200, master("POST", "/api/v1", teardown, basic("ops", "ops-secret")).statusCode());
            assertNotNull(theirs.awaitStop(Duration.ofSeconds(60)));
            mine.teardown().get();
        }
    }

    @Test
    public void anExecutorCallWithAnotherExecutorsTokenIsRefused() throws Exception {
        String agent = "https://127.0.0.1:" + cluster.agentPort + "/api/v1/executor";
        String heartbeat = "{\"type\":\"HEARTBEAT\",\"framework_id\":{\"value\":\"f1\"},"
                + "\"executor_id\":{\"value\":\"e2\"}}";
        ExecutorTokens agentKey = new ExecutorTokens(Files.readString(executorKey).strip()
                .getBytes(StandardCharsets.UTF_8));
        String e1 = agentKey.issue("f1", "e1", "c1");
        HttpResponse<String> other = call("POST", agent, heartbeat, "Bearer " + e1);
        assertEquals(other.body(), 403, other.statusCode());
        HttpResponse<String> none = call("POST", agent, heartbeat, null);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"mesos-agent-executor\"", none.headers().firstValue("WWW-Authenticate")
                .orElse(""));
        String forged = new ExecutorTokens("not the agent's key at all".getBytes(StandardCharsets.UTF_8))
                .issue("f1", "e2", "c1");
        assertEquals(401, call("POST", agent, heartbeat, "Bearer " + forged).statusCode());
    }

    @Test
    public void aFrameworkOverItsRateLimitGets429WhileAnotherIsServed() throws Exception {
        try (SchedulerDriver greedy = framework("greedy", "greedy", "g", USER, "*", new CopyOnWriteArrayList<>(),
                new CopyOnWriteArrayList<>());
             SchedulerDriver polite = framework("polite", "fw", "fw-secret", USER, "*",
                     new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>())) {
            greedy.start();
            polite.start();
            await("both subscribed").atMost(Duration.ofSeconds(60))
                    .until(() -> greedy.frameworkId() != null && polite.frameworkId() != null);
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                calls.add(greedy.reconcile(List.of()).handle((v, e) -> e == null ? 202
                        : e.getCause() instanceof SchedulerDriver.CallException c ? c.status() : -1));
            }
            for (int i = 0; i < 5; i++) {
                polite.reconcile(List.of()).get(30, TimeUnit.SECONDS); // served: a refusal would throw
            }
            int refused = 0;
            for (CompletableFuture<Integer> c : calls) {
                int status = c.get(60, TimeUnit.SECONDS);
                assertTrue("202 or 429, not " + status, status == 202 || status == 429);
                refused += status == 429 ? 1 : 0;
            }
            assertTrue("greedy's calls beyond its rate and capacity were refused: " + refused, refused >= 5);
            greedy.teardown().get();
            polite.teardown().get();
        }
    }

    @Test
    public void theWebUiAsksForCredentialsOverTlsAndShowsTheClusterOnceSignedIn() throws Exception {
        try (HeadlessChromium chromium = new HeadlessChromium("--ignore-certificate-errors")) {
            var browser = chromium.driver;
            browser.get(cluster.masterUrl() + "/#/agents");
            await("the sign-in form").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> browser.findElement(org.openqa.selenium.By.id("login-form")).isDisplayed());
            assertTrue(chromium.text("#page"), chromium.text("#page").contains("realm mesos-master-read"));
            browser.findElement(org.openqa.selenium.By.id("login-user")).sendKeys("ops");
            browser.findElement(org.openqa.selenium.By.id("login-password")).sendKeys("wrong");
            browser.findElement(org.openqa.selenium.By.id("login-submit")).click();
            await("the refusal").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> !chromium.text("#login-refused").isEmpty());

            browser.findElement(org.openqa.selenium.By.id("login-user")).clear();
            browser.findElement(org.openqa.selenium.By.id("login-user")).sendKeys("ops");
            browser.findElement(org.openqa.selenium.By.id("login-password")).sendKeys("ops-secret");
            browser.findElement(org.openqa.selenium.By.id("login-submit")).click();
            await("the agent listed").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> browser.findElements(org.openqa.selenium.By.cssSelector("#agents tbody a")).size()
                            == 1);
            assertEquals("live", chromium.text("#connection"));
            assertTrue(chromium.text("#login"), chromium.text("#login").startsWith("ops"));

            // the page renders as events come: a link found stale is found again
            await("signed out").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                browser.findElement(org.openqa.selenium.By.id("sign-out")).click();
                return true;
            });
            await("the sign-in form again").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> browser.findElement(org.openqa.selenium.By.id("login-form")).isDisplayed());
        }
    }

    @Test
    public void theShellRefusesAUserWithoutTheAdminRole() throws Exception {
        LocalCluster.appendTo(cluster.masterHome(), "users.properties", "viewer = viewer-pass,viewer,ssh");
        String listed = cluster.masterShellAs("viewer", "viewer-pass", "allocator:list");
        assertTrue(listed, listed.contains("drf"));
        String refused = cluster.masterShellAs("viewer", "viewer-pass", "allocator:use random");
        // Karaf hides from a user the commands its roles may not run
        assertTrue(refused, refused.contains("Command not found: ") && refused.contains("allocator:use"));
        String admin = cluster.masterShellAs("karaf", "karaf", "allocator:use drf");
        assertTrue("the admin may: " + admin, admin.contains("Allocator set to 'drf'"));
        assertTrue(master("GET", "/allocator", null, basic("ops", "ops-secret")).body().contains("\"active\":\"drf\""));
    }
}
