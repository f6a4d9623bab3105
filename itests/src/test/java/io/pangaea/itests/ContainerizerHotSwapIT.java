package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Containerizers named in the agent's {@code containerizers} setting are installed by the agent at start; removed and
 * installed again on the running agent with {@code feature:uninstall} / {@code feature:install} through its Karaf
 * shell: the agent's {@code containerizers} attribute follows at the master and in offers; Docker and LXC tasks run
 * while their feature is in, a Docker task fails at once with a clear message while it is out, and native tasks go
 * on throughout; a setting naming what no feature provides is refused; an isolator taken out and put back likewise decides whether new tasks run. Needs the Docker engine and LXC that {@code .ci/engines} sets up.
 */
public class ContainerizerHotSwapIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalCluster cluster;
    private static Path lxcPath;

    @BeforeClass
    public static void startCluster() throws Exception {
        lxcPath = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "lxc-");
        cluster = new LocalCluster("cpus:4;mem:2048;disk:4096;ports:[31000-32000]", Map.of(
                "containerizers", "native,docker,lxc",
                "isolation", "posix/cpu,posix/mem,namespaces/pid",
                "io.pangaea.containerizer.lxc.cfg:lxc_path", lxcPath.toString()));
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        try (Stream<Path> left = Files.list(lxcPath)) {
            assertEquals("LXC containers left", List.of(), left.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static String attribute(String name) throws Exception {
        JsonNode agent = JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0");
        return agent.path("attributes").path(name).asText(null);
    }

    private static void awaitAttribute(String name, String value) {
        try {
            await("attribute " + name + "=" + value).atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> value.equals(attribute(name)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // what the agent was doing: Configuration Admin's thread applies settings, the state thread sends them
            System.out.println("Attribute " + name + "=" + value + " not at the master\n" + cluster.agentDiagnostics(
                    "CM Event", "pangaea-agent", "features-", "HttpClient"));
            throw e;
        }
    }

    private static boolean listsIsolator(String isolators, String name) {
        return isolators != null && List.of(isolators.split(",")).contains(name);
    }

    private static void awaitNamespaces(boolean installed) {
        await("namespaces/pid " + (installed ? "advertised" : "gone")).atMost(Duration.ofSeconds(60))
                .ignoreExceptions().until(() -> listsIsolator(attribute("isolators"), "namespaces/pid") == installed);
    }

    private static String offerAttribute(JsonNode offer, String name) {
        for (JsonNode a : offer.path("attributes")) {
            if (a.path("name").asText().equals(name)) {
                return a.at("/text/value").asText();
            }
        }
        return null;
    }

    private static void lxc(ObjectNode task) {
        task.putObject("labels").putArray("labels").addObject().put("key", "pangaea.containerizer").put("value", "lxc");
    }

    /**
     * {@code config:property-set} on the agent: an attribute applies live (the master sees it on the same agent,
     * which does not re-register), a setting that needs a restart is not applied, is named in the log and waits in
     * {@code agent:settings}.
     */
    @Test
    public void agentSettingsApplyLiveOrWaitForARestart() throws Exception {
        String id = JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0/id").asText();
        double registered = JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0/registered_time").asDouble();
        try {
            cluster.agentShell("config:property-set -p io.pangaea.agent attributes rack:r9");
            awaitAttribute("rack", "r9");
            JsonNode agent = JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0");
            assertEquals("the same agent", id, agent.path("id").asText());
            assertEquals(registered, agent.path("registered_time").asDouble(), 0);
            assertTrue(agent.toString(), agent.path("reregistered_time").isMissingNode());

            cluster.agentShell("config:property-set -p io.pangaea.agent executor_registration_timeout 2mins");
            cluster.agentShell("config:property-set -p io.pangaea.agent port 1");
            await("agent:settings shows both").atMost(Duration.ofSeconds(30)).until(() -> {
                String out = cluster.agentShell("agent:settings");
                return out.matches("(?s).*executor_registration_timeout\\s*\\|\\s*2mins\\s*\\|\\s*live.*")
                        && out.matches("(?s).*port\\s*\\|\\s*" + cluster.agentPort + "\\s*\\|\\s*restart\\s*"
                        + "\\|\\s*1\\s.*");
            });
            assertEquals("still on its port", id, JSON.readTree(cluster.get("/master/slaves")).at("/slaves/0/id")
                    .asText());
            String log = Files.readString(cluster.agentHome().resolve("data/log/karaf.log"));
            assertTrue(log.contains("[port] changed in etc/io.pangaea.agent.cfg"));

            // a containerizer that no feature provides: the change is refused, saying which
            cluster.agentShell("config:property-set -p io.pangaea.agent containerizers native,docker,lxc,foo");
            await("the refusal logged").atMost(Duration.ofSeconds(30)).until(() -> Files.readString(
                    cluster.agentHome().resolve("data/log/karaf.log")).contains("Settings not applied: No feature"
                    + " of this distribution provides containerizer 'foo'"));
            assertTrue(cluster.agentShell("agent:settings").matches(
                    "(?s).*containerizers\\s*\\|\\s*native,docker,lxc\\s*\\|.*"));
        } finally {
            cluster.agentShell("config:property-set -p io.pangaea.agent containerizers native,docker,lxc");
            cluster.agentShell("config:property-set -p io.pangaea.agent port " + cluster.agentPort);
            cluster.agentShell("config:property-set -p io.pangaea.agent executor_registration_timeout 1mins");
            cluster.agentShell("config:property-delete -p io.pangaea.agent attributes");
            // the next test starts from the settings the cluster started with
            await("rack attribute gone").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> attribute("rack") == null);
        }
    }

    /**
     * {@code config:property-set} run many times in a row on the agent's settings keeps every other line of
     * {@code etc/io.pangaea.agent.cfg} and every setting the agent runs with. With fileinstall writing Configuration
     * Admin's changes back into the file as well as Karaf writing it, 300 of them left one line of the file's 22.
     */
    @Test
    public void propertySetsInARowKeepEverySetting() throws Exception {
        Path cfg = cluster.agentHome().resolve("etc/io.pangaea.agent.cfg");
        Path logFile = cluster.agentHome().resolve("data/log/karaf.log");
        java.util.Properties before = properties(cfg);
        long logFrom = Files.size(logFile);
        try {
            StringBuilder commands = new StringBuilder();
            for (int i = 1; i <= 200; i++) {
                commands.append("config:property-set -p io.pangaea.agent attributes rack:r").append(i).append('\n');
            }
            cluster.agentShell(commands.toString()); // one client session: the commands back to back
            awaitAttribute("rack", "r200");
            java.util.Properties after = properties(cfg);
            for (String key : before.stringPropertyNames()) {
                if (!key.equals("attributes")) {
                    assertEquals(key + " in " + after, before.getProperty(key), after.getProperty(key));
                }
            }
            assertEquals("rack:r200", after.getProperty("attributes"));
            String log;
            try (var in = Files.newInputStream(logFile)) {
                in.skipNBytes(logFrom);
                log = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            assertTrue(log, !log.contains("changed in etc/io.pangaea.agent.cfg"));
            String settings = cluster.agentShell("agent:settings");
            assertTrue(settings, settings.matches("(?s).*port\\s*\\|\\s*" + cluster.agentPort
                    + "\\s*\\|\\s*restart\\s*\\|[ \\t]*\\R.*"));
            assertTrue(settings, settings.matches("(?s).*containerizers\\s*\\|\\s*native,docker,lxc\\s*\\|.*"));
        } finally {
            cluster.agentShell("config:property-delete -p io.pangaea.agent attributes");
            await("rack attribute gone").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> attribute("rack") == null);
        }
    }

    private static java.util.Properties properties(Path file) throws java.io.IOException {
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p;
    }

    @Test
    public void containerizersComeAndGoAtRuntime() throws Exception {
        // the agent installed what its containerizers setting names, with no feature:install by hand
        awaitAttribute("containerizers", "native,docker,lxc");
        assertTrue(attribute("isolators"), List.of(attribute("isolators").split(",")).contains("posix/cpu"));
        try (TestFramework fw = new TestFramework(cluster.masterUrl(), "hot-swap")) {
            JsonNode withBoth = fw.await("an offer advertising docker and lxc", e -> e.path("type").asText()
                    .equals("OFFERS") && "native,docker,lxc".equals(offerAttribute(e.at("/offers/offers/0"),
                    "containerizers"))).at("/offers/offers/0");
            int from = fw.events.size();
            fw.launchTask(withBoth, "docker-1", "echo in docker", t -> TestFramework.docker(t,
                    "pangaea/busybox:test"));
            assertEquals("TASK_FINISHED", fw.terminalUpdate("docker-1").at("/update/status/state").asText());
            assertEquals("in docker", Files.readString(cluster.sandbox("docker-1").resolve("stdout")).trim());
            fw.launchTask(fw.nextOffer(from), "lxc-1", "echo in $(hostname)", ContainerizerHotSwapIT::lxc);
            assertEquals("TASK_FINISHED", fw.terminalUpdate("lxc-1").at("/update/status/state").asText());
            assertTrue(Files.readString(cluster.sandbox("lxc-1").resolve("stdout")).startsWith("in pangaea-"));

            // uninstall Docker: honoured (with a warning), new Docker tasks fail at once; native tasks go on
            cluster.agentShell("feature:uninstall pangaea-containerizer-docker");
            awaitAttribute("containerizers", "native,lxc");
            JsonNode after = fw.await("an offer without docker", e -> e.path("type").asText().equals("OFFERS")
                    && "native,lxc".equals(offerAttribute(e.at("/offers/offers/0"), "containerizers")))
                    .at("/offers/offers/0");
            from = fw.events.size();
            fw.launchTask(after, "docker-2", "echo no", t -> TestFramework.docker(t, "pangaea/busybox:test"));
            JsonNode u = fw.terminalUpdate("docker-2");
            assertEquals("TASK_FAILED", u.at("/update/status/state").asText());
            assertEquals("REASON_CONTAINER_LAUNCH_FAILED", u.at("/update/status/reason").asText());
            assertEquals("Containerizer 'docker' is not installed on this agent", u.at("/update/status/message")
                    .asText());
            assertTrue(Files.readString(cluster.agentHome().resolve("data/log/karaf.log"))
                    .contains("Containerizer 'docker' is named in containerizers but its bundle went"));
            fw.launchTask(fw.nextOffer(from), "native-1", "echo native", t -> { });
            assertEquals("TASK_FINISHED", fw.terminalUpdate("native-1").at("/update/status/state").asText());

            // installed again: Docker tasks run again
            int again = fw.events.size(); // the new offer may come before the master's attribute is read
            cluster.agentShell("feature:install pangaea-containerizer-docker");
            awaitAttribute("containerizers", "native,docker,lxc");
            JsonNode back = fw.await("an offer with docker again", e -> e.path("type").asText().equals("OFFERS")
                    && fw.events.indexOf(e) >= again && "native,docker,lxc".equals(offerAttribute(
                    e.at("/offers/offers/0"), "containerizers"))).at("/offers/offers/0");
            from = fw.events.size();
            fw.launchTask(back, "docker-3", "echo back in docker", t -> TestFramework.docker(t,
                    "pangaea/busybox:test"));
            assertEquals("TASK_FINISHED", fw.terminalUpdate("docker-3").at("/update/status/state").asText());

            // an isolator likewise: without namespaces/pid new native tasks fail naming it, with it they run
            cluster.agentShell("feature:uninstall pangaea-isolator-namespaces");
            awaitNamespaces(false);
            JsonNode noNs = fw.await("an offer without namespaces/pid", e -> e.path("type").asText()
                    .equals("OFFERS") && !listsIsolator(offerAttribute(e.at("/offers/offers/0"), "isolators"),
                    "namespaces/pid")).at("/offers/offers/0");
            fw.launchTask(noNs, "native-2", "echo native", t -> { });
            u = fw.terminalUpdate("native-2");
            assertEquals("TASK_FAILED", u.at("/update/status/state").asText());
            assertTrue(u.toString(), u.at("/update/status/message").asText()
                    .contains("Isolator 'namespaces/pid' is not installed"));
            int afterReinstall = fw.events.size();
            cluster.agentShell("feature:install pangaea-isolator-namespaces");
            awaitNamespaces(true);
            JsonNode withNs = fw.await("an offer with namespaces/pid", e -> e.path("type").asText()
                    .equals("OFFERS") && e.path("offers").path("offers").size() > 0 && listsIsolator(offerAttribute(
                    e.at("/offers/offers/0"), "isolators"), "namespaces/pid")
                    && fw.events.indexOf(e) >= afterReinstall).at("/offers/offers/0");
            fw.launchTask(withNs, "native-3", "ps -e -o pid= | wc -l", t -> { });
            assertEquals("TASK_FINISHED", fw.terminalUpdate("native-3").at("/update/status/state").asText());
            int seen = Integer.parseInt(Files.readString(cluster.sandbox("native-3").resolve("stdout")).trim());
            assertTrue("processes seen: " + seen, seen <= 6);
            fw.teardown();
        }
    }
}
