package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.http.CertificateAuthority;
import io.pangaea.http.ExecutorTokens;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.http.Tls;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Resources;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Everything on at once, in process: the master serves only HTTPS and asks schedulers and agents for credentials;
 * the agent serves HTTPS, calls the master over it with its credential, and gives its executors tokens; a framework
 * built on the scheduler library subscribes over HTTPS with its credential, and its custom executor, built on the
 * executor library, calls the agent over HTTPS with its token and runs the task.
 */
public class SecureClusterTest {

    private static Path dir;
    private static CertificateAuthority ca;
    private static Harness h;

    @BeforeClass
    public static void up() throws Exception {
        dir = Files.createTempDirectory("pangaea-secure");
        ca = new CertificateAuthority(dir);
        Tls masterTls = ca.issue("master").tls(ca.caFile, false, false);
        HttpAuthentication auth = new HttpAuthentication(Set.of(HttpAuthentication.MASTER_SCHEDULER,
                HttpAuthentication.MASTER_AGENT), Map.of("fw", "fw-secret", "agent", "agent-secret"));
        h = new Harness(MasterConfig.defaults(), null, auth, masterTls);
        h.agentTls = ca.issue("agent").tls(ca.caFile, false, false);
        h.agentCredential = new String[] {"agent", "agent-secret"};
        h.executorTokens = new ExecutorTokens("the agent's executor secret".getBytes(StandardCharsets.UTF_8));
        h.realAgent(Duration.ofSeconds(60));
    }

    @AfterClass
    public static void down() throws Exception {
        if (h != null) {
            h.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void theMasterServesOnlyHttpsToClientsThatTrustItsCa() throws Exception {
        assertTrue(h.url("/"), h.url("/").startsWith("https://"));
        HttpClient trusting = HttpClient.newBuilder().sslContext(Tls.trusting(ca.caFile)).build();
        assertEquals(200, trusting.send(HttpRequest.newBuilder(URI.create(h.url("/health"))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        String plain = h.url("/health").replace("https://", "http://");
        int status;
        try {
            status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(plain)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException e) {
            status = -1; // the TLS port drops a plain-text request
        }
        assertNotEquals("plain HTTP is not served", 200, status);
    }

    @Test
    public void aFrameworkAndItsExecutorRunATaskOverTlsWithCredentialsAndAToken() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ExecutorInfo executor = new ExecutorInfo(ExecutorInfo.Type.CUSTOM, ExecutorId.of("secure-exec"), null,
                CommandInfo.shell("exec '" + java + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                        + System.getProperty("java.class.path") + "' " + ReconnectingTestExecutor.class.getName()),
                null, Resources.parse("cpus:0.1;mem:64").toList(), "secure executor", null, null, null, null);
        Map<String, TaskState> states = new ConcurrentHashMap<>();
        AtomicBoolean launched = new AtomicBoolean();
        FrameworkInfo info = new FrameworkInfo("root", "secure", null, 0.0, false, "*", null, null, "fw", null,
                null, null);
        try (SchedulerDriver driver = SchedulerDriver.builder(URI.create(h.url("/")), info)
                .credential("fw", "fw-secret").trust(ca.caFile).scheduler(new Scheduler() {
                    @Override
                    public void offers(SchedulerDriver d, List<Offer> offers) {
                        for (Offer o : offers) {
                            if (launched.compareAndSet(false, true)) {
                                d.launch(List.of(o.id()), List.of(new TaskInfo("secure-task",
                                        TaskId.of("secure-task"), o.agentId(),
                                        Resources.parse("cpus:0.1;mem:32").toList(), executor, null, null, null,
                                        null, null)), 0);
                            } else {
                                d.decline(List.of(o.id()), 60);
                            }
                        }
                    }

                    @Override
                    public void update(SchedulerDriver d, TaskStatus status) {
                        states.put(status.taskId().value(), status.state());
                    }
                }).build()) {
            driver.start();
            Awaitility.await("the executor ran the task over TLS with its token").atMost(Duration.ofSeconds(60))
                    .until(() -> states.get("secure-task") == TaskState.TASK_RUNNING);
        }
    }
}
