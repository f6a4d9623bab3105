package io.pangaea.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the built master distribution in a Karaf container (Pax Exam) and checks, from inside it, that every Pangaea
 * bundle is active, every Pangaea DS component is satisfied or active, the master has registered itself with the DRF
 * allocator bound, and {@code /health} answers on the configured port.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MasterDistributionIT {

    private static final String PORT_PROPERTY = "pangaea.test.master.port";

    @Inject
    private BundleContext context;

    @Inject
    private ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        String karafVersion = System.getProperty("karaf.version");
        String localRepository = new File(System.getProperty("pangaea.localRepository")).toURI().toString();
        File archive = new File(System.getProperty("pangaea.masterArchive"));
        int port = freePort();
        String endorsed = "lib/endorsed/org.apache.karaf.specs.";
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(archive.toURI().toString())
                    .karafVersion(karafVersion)
                    .name("Pangaea master")
                    .unpackDirectory(new File("target/exam"))
                    .useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.WARN),
            editConfigurationFilePut("etc/io.pangaea.master.cfg", "port", Integer.toString(port)),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            // The distribution has no remote repository; Pax Exam's own feature comes from the build's local one.
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                    "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots,"
                            + localRepository + "@id=local@snapshots"),
            systemProperty(PORT_PROPERTY).value(Integer.toString(port)),
            // What bin/karaf passes on JDK 9+ and Pax Exam 4.14 does not.
            vmOptions("--add-reads=java.xml=java.logging",
                    "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                    "--patch-module", "java.base=" + endorsed + "locator-" + karafVersion + ".jar",
                    "--patch-module", "java.xml=" + endorsed + "java.xml-" + karafVersion + ".jar",
                    "--add-opens", "java.base/java.security=ALL-UNNAMED",
                    "--add-opens", "java.base/java.net=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens", "java.base/java.util=ALL-UNNAMED",
                    "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                    "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                    "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"),
        };
    }

    @Test
    public void pangaeaBundlesAreActive() {
        List<Bundle> ours = pangaeaBundles();
        assertTrue("expected the model, allocator API, DRF and master bundles, got " + names(ours),
                names(ours).containsAll(List.of("pangaea-model", "pangaea-allocator-api", "pangaea-allocator-drf",
                        "pangaea-master")));
        for (Bundle b : ours) {
            assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
        }
    }

    @Test
    public void masterAndAllocatorComponentsAreActive() throws Exception {
        awaitMasterService();
        List<String> seen = new ArrayList<>();
        for (Bundle b : pangaeaBundles()) {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                assertTrue(d.name + " is disabled", scr.isComponentEnabled(d));
                var configs = scr.getComponentConfigurationDTOs(d);
                assertTrue(d.name + " has no configuration", !configs.isEmpty());
                for (ComponentConfigurationDTO c : configs) {
                    assertTrue(d.name + " is not satisfied: " + c.state,
                            c.state == ComponentConfigurationDTO.ACTIVE
                                    || c.state == ComponentConfigurationDTO.SATISFIED);
                    if (d.immediate) {
                        assertEquals(d.name + " state", ComponentConfigurationDTO.ACTIVE, c.state);
                    }
                }
                seen.add(d.name);
            }
        }
        assertTrue("components seen: " + seen, seen.contains("io.pangaea.master"));
        assertTrue("components seen: " + seen, seen.stream().anyMatch(n -> n.contains("Drf")));
    }

    @Test
    public void healthAnswersOnTheConfiguredPort() throws Exception {
        awaitMasterService();
        int port = Integer.parseInt(System.getProperty(PORT_PROPERTY));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        HttpResponse<String> state = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/master/state")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, state.statusCode());
        assertTrue(state.body(), state.body().contains("\"leader_info\""));
        assertTrue(state.body(), state.body().contains("\"port\":" + port));
    }

    private void awaitMasterService() throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                context.createFilter("(objectClass=io.pangaea.master.internal.Master)"), null);
        tracker.open(true);
        try {
            assertNotNull("the master registers itself once it listens", tracker.waitForService(60_000));
        } finally {
            tracker.close();
        }
    }

    private List<Bundle> pangaeaBundles() {
        Bundle self = FrameworkUtil.getBundle(getClass());
        List<Bundle> ours = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b != self && b.getSymbolicName() != null && b.getSymbolicName().startsWith("pangaea-")) {
                ours.add(b);
            }
        }
        return ours;
    }

    private static List<String> names(List<Bundle> bundles) {
        return bundles.stream().map(Bundle::getSymbolicName).collect(Collectors.toList());
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
