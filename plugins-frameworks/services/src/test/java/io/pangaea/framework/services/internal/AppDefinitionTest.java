package io.pangaea.framework.services.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.model.AgentId;
import io.pangaea.model.Attribute;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.HealthCheck;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.Range;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskInfo;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class AppDefinitionTest {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static AppDefinition app(String json) throws Exception {
        return JSON.readValue(json, AppDefinition.class).withDefaults("2026-01-01T00:00:00.000Z", null);
    }

    private static List<String> paths(String json) throws Exception {
        return AppValidator.validate(app(json)).stream().map(AppValidator.Violation::path).toList();
    }

    @Test
    public void marathonsDefaults() throws Exception {
        AppDefinition a = app("{\"id\":\"web\",\"cmd\":\"true\",\"unknownField\":1}");
        assertEquals("/web", a.id());
        assertEquals(1, (int) a.instances());
        assertEquals(1.0, a.cpus(), 0);
        assertEquals(128.0, a.mem(), 0);
        assertEquals(0.0, a.disk(), 0);
        assertEquals(1.0, a.backoffSeconds(), 0);
        assertEquals(1.15, a.backoffFactor(), 0);
        assertEquals(300.0, a.maxLaunchDelaySeconds(), 0);
        assertEquals(1.0, a.upgradeStrategy().minimumHealthCapacity(), 0);
        assertEquals(1.0, a.upgradeStrategy().maximumOverCapacity(), 0);
        assertEquals("YOUNGEST_FIRST", a.killSelection());
        assertEquals(1, a.portDefinitions().size());
        assertTrue(AppValidator.validate(a).isEmpty());
    }

    @Test
    public void invalidDefinitionsNameTheirField() throws Exception {
        assertEquals(List.of("/id"), paths("{\"id\":\"/Web\",\"cmd\":\"true\"}"));
        assertEquals(List.of("/id"), paths("{\"id\":\"/a/-b\",\"cmd\":\"true\"}"));
        assertEquals(List.of("/instances"), paths("{\"id\":\"/a\",\"cmd\":\"true\",\"instances\":-2}"));
        assertEquals(List.of("/"), paths("{\"id\":\"/a\"}"));
        assertEquals(List.of("/"), paths("{\"id\":\"/a\",\"cmd\":\"x\",\"args\":[\"y\"]}"));
        assertEquals(List.of("/constraints(1)"), paths("{\"id\":\"/a\",\"cmd\":\"x\",\"constraints\":"
                + "[[\"hostname\",\"UNIQUE\"],[\"rack\",\"SOMEWHERE\",\"1\"]]}"));
        assertEquals(List.of("/constraints(0)"), paths("{\"id\":\"/a\",\"cmd\":\"x\",\"constraints\":"
                + "[[\"rack\",\"LIKE\",\"([\"]]}"));
        assertEquals(List.of("/constraints(0)"), paths("{\"id\":\"/a\",\"cmd\":\"x\",\"constraints\":"
                + "[[\"rack\",\"MAX_PER\"]]}"));
        assertEquals(List.of("/upgradeStrategy/minimumHealthCapacity"), paths("{\"id\":\"/a\",\"cmd\":\"x\","
                + "\"upgradeStrategy\":{\"minimumHealthCapacity\":1.5}}"));
        assertEquals(List.of("/backoffFactor"), paths("{\"id\":\"/a\",\"cmd\":\"x\",\"backoffFactor\":0.5}"));
        assertEquals(List.of("/healthChecks(0)/command"), paths("{\"id\":\"/a\",\"cmd\":\"x\","
                + "\"healthChecks\":[{\"protocol\":\"COMMAND\"}]}"));
        assertEquals(List.of("/unreachableStrategy/expungeAfterSeconds"), paths("{\"id\":\"/a\",\"cmd\":\"x\","
                + "\"unreachableStrategy\":{\"inactiveAfterSeconds\":60,\"expungeAfterSeconds\":10}}"));
    }

    @Test
    public void aScaleIsNotANewConfiguration() throws Exception {
        AppDefinition a = app("{\"id\":\"/a\",\"cmd\":\"x\",\"instances\":2}");
        assertTrue(a.sameConfig(a.withInstances(7, "v2", null)));
        assertFalse(a.sameConfig(app("{\"id\":\"/a\",\"cmd\":\"y\",\"instances\":2}")));
    }

    private static Instance.Placement at(String host, Map<String, String> attributes) {
        return new Instance.Placement("t", "/a", "v", "S1", host, List.of(), attributes, "now", 0);
    }

    @Test
    public void constraints() {
        Map<String, String> r1 = Map.of("rack", "r1");
        Map<String, String> r2 = Map.of("rack", "r2");
        List<Instance.Placement> onA = List.of(at("a", r1));
        assertFalse(Constraints.admits(List.of(List.of("hostname", "UNIQUE")), "a", r1, onA));
        assertTrue(Constraints.admits(List.of(List.of("hostname", "UNIQUE")), "b", r1, onA));
        assertTrue(Constraints.admits(List.of(List.of("rack", "CLUSTER", "r1")), "b", r1, onA));
        assertFalse(Constraints.admits(List.of(List.of("rack", "CLUSTER", "r1")), "b", r2, onA));
        assertTrue(Constraints.admits(List.of(List.of("rack", "LIKE", "r[0-9]")), "b", r2, onA));
        assertFalse(Constraints.admits(List.of(List.of("rack", "UNLIKE", "r[0-9]")), "b", r2, onA));
        assertTrue(Constraints.admits(List.of(List.of("rack", "UNLIKE", "r[0-9]")), "b", Map.of(), onA));
        assertFalse(Constraints.admits(List.of(List.of("rack", "LIKE", ".*")), "b", Map.of(), onA));
        assertTrue(Constraints.admits(List.of(List.of("rack", "MAX_PER", "2")), "b", r1, onA));
        assertFalse(Constraints.admits(List.of(List.of("rack", "MAX_PER", "1")), "b", r1, onA));
        // GROUP_BY spreads: r1 has one, so r1 waits until r2 has one too
        assertFalse(Constraints.admits(List.of(List.of("rack", "GROUP_BY", "2")), "b", r1, onA));
        assertTrue(Constraints.admits(List.of(List.of("rack", "GROUP_BY", "2")), "b", r2, onA));
        assertTrue(Constraints.admits(List.of(List.of("rack", "GROUP_BY")), "c", r1,
                List.of(at("a", r1), at("b", r2))));
        assertTrue(Constraints.admits(List.of(List.of("level", "IS", "2")), "b", Map.of("level", "2"), onA));
    }

    private static Offer offer(List<Resource> resources) {
        return new Offer(new OfferId("O1"), new FrameworkId("F"), new AgentId("S1"), "host-1", null, resources,
                List.of(Attribute.text("rack", "r1")), List.of(), null);
    }

    @Test
    public void anOfferIsCutIntoInstancesWithTheirPorts() throws Exception {
        AppDefinition a = app("{\"id\":\"/a\",\"cmd\":\"x\",\"cpus\":1,\"mem\":100,\"portDefinitions\":"
                + "[{\"port\":0},{\"port\":0,\"name\":\"admin\"}]}");
        OfferBudget b = new OfferBudget(offer(List.of(Resource.scalar("cpus", 2.5), Resource.scalar("mem", 1000),
                Resource.ranges("ports", List.of(new Range(31000, 31002), new Range(31005, 31005))))));
        OfferBudget.Result first = b.take(a);
        assertEquals(List.of(31000, 31001), first.taken().ports());
        OfferBudget.Result second = b.take(a);
        assertEquals(List.of(31002, 31005), second.taken().ports());
        assertEquals(OfferBudget.Reason.InsufficientCpus, b.take(a).reason());
        assertEquals("r1", b.attributes.get("rack"));

        OfferBudget noPorts = new OfferBudget(offer(List.of(Resource.scalar("cpus", 8), Resource.scalar("mem", 1000),
                Resource.ranges("ports", List.of(new Range(31000, 31000))))));
        assertEquals(OfferBudget.Reason.InsufficientPorts, noPorts.take(a).reason());
        OfferBudget reserved = new OfferBudget(offer(List.of(Resource.scalar("cpus", 8).reservedFor("db"),
                Resource.scalar("mem", 1000).reservedFor("db"))));
        assertEquals(OfferBudget.Reason.UnfulfilledRole, reserved.take(a).reason());
    }

    @Test
    public void theTaskCarriesPortsEnvironmentAndANativeHealthCheck() throws Exception {
        AppDefinition a = app("{\"id\":\"/prod/web\",\"cmd\":\"run\",\"env\":{\"A\":\"1\"},\"healthChecks\":"
                + "[{\"protocol\":\"MESOS_HTTP\",\"path\":\"/ok\",\"intervalSeconds\":2,\"timeoutSeconds\":1,"
                + "\"maxConsecutiveFailures\":4,\"gracePeriodSeconds\":7}]}");
        Instance.Placement p = new Instance.Placement("prod_web.instance-x._app.1", "/prod/web", a.version(), "S1",
                "host-1", List.of(31007), Map.of(), "now", 0);
        TaskInfo t = Tasks.taskInfo(a, p, new AgentId("S1"), List.of());
        assertEquals("web.prod", t.name());
        Map<String, String> env = new java.util.HashMap<>();
        t.command().environment().variables().forEach(v -> env.put(v.name(), v.value()));
        assertEquals("31007", env.get("PORT0"));
        assertEquals("31007", env.get("PORTS"));
        assertEquals("1", env.get("A"));
        assertEquals("/prod/web", env.get("MARATHON_APP_ID"));
        HealthCheck h = t.healthCheck();
        assertEquals(HealthCheck.Type.HTTP, h.type());
        assertEquals(31007, (int) h.http().port());
        assertEquals("/ok", h.http().path());
        assertEquals(4, (int) h.consecutiveFailures());
        assertEquals(7.0, h.gracePeriodSeconds(), 0);
        assertNull(Tasks.healthCheck(app("{\"id\":\"/a\",\"cmd\":\"x\"}"), List.of(1)));
    }
}
