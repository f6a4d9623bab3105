package io.pangaea.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Boots the built master distribution in a Karaf container (Pax Exam) and checks, from inside it, that every Pangaea
 * bundle is active, every Pangaea DS component is satisfied or active, the master has registered itself with the DRF
 * allocator bound, and {@code /health} answers on the configured port.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MasterDistributionIT extends MasterContainerSupport {

    @Inject
    private ServiceComponentRuntime scr;

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
        int port = masterPort();
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

    private static HttpResponse<String> operator(int port, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void theLoggingLevelIsSetForADurationThenRestored() throws Exception {
        awaitMasterService();
        int port = masterPort();
        String get = "{\"type\":\"GET_LOGGING_LEVEL\"}";
        assertEquals("0", new com.fasterxml.jackson.databind.ObjectMapper().readTree(operator(port, get).body())
                .at("/get_logging_level/level").asText("0"));
        HttpResponse<String> set = operator(port, "{\"type\":\"SET_LOGGING_LEVEL\",\"set_logging_level\":"
                + "{\"level\":1,\"duration\":{\"nanoseconds\":3000000000}}}");
        assertEquals(set.body(), 200, set.statusCode());
        org.slf4j.Logger probe = org.slf4j.LoggerFactory.getLogger("io.pangaea.itests.probe");
        eventually("io.pangaea loggers at DEBUG", Duration.ofSeconds(20), probe::isDebugEnabled);
        assertEquals(1, new com.fasterxml.jackson.databind.ObjectMapper().readTree(operator(port, get).body())
                .at("/get_logging_level/level").asInt());
        // after the duration, the level before comes back
        eventually("io.pangaea loggers back at INFO", Duration.ofSeconds(30), () -> !probe.isDebugEnabled());
        assertEquals(400, operator(port, "{\"type\":\"SET_LOGGING_LEVEL\",\"set_logging_level\":"
                + "{\"level\":1}}").statusCode());
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
}
