package io.pangaea.master.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.pangaea.allocator.fifo.FifoAllocator;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Resources;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** RESERVE and UNRESERVE offer operations: the agent's resources change role, and the change survives a restart. */
public class DynamicReservationTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Master master(Path registry) {
        Master m = new Master(MasterConfig.defaults().withAllocationInterval(Duration.ofHours(1)),
                new Registry(registry));
        m.setAllocator(new FifoAllocator()); // every agent, whole, to the first framework that may use it
        m.setAllocationPaused(true);
        m.start();
        return m;
    }

    private static OfferTimeoutTest.Sink framework(Master m, String role) throws Exception {
        OfferTimeoutTest.Sink sink = new OfferTimeoutTest.Sink(true);
        m.subscribe(MesosJson.read(("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"root\","
                + "\"name\":\"" + role + "\",\"roles\":[\"" + role + "\"],\"capabilities\":[{\"type\":\"MULTI_ROLE\"},"
                + "{\"type\":\"RESERVATION_REFINEMENT\"}]}}}").getBytes(), Call.class), role, sink);
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.count(Event.Type.SUBSCRIBED) == 1);
        return sink;
    }

    private static String id(OfferTimeoutTest.Sink fw) {
        return fw.events.get(0).subscribed().frameworkId().value();
    }

    private static Offer lastOffer(OfferTimeoutTest.Sink fw) {
        Event e = fw.events.stream().filter(x -> x.type() == Event.Type.OFFERS).reduce((a, b) -> b).orElseThrow();
        return e.offers().offers().get(0);
    }

    private static AgentId agent(Master m, AgentId previous) {
        OfferTimeoutTest.Sink sink = new OfferTimeoutTest.Sink(false);
        m.subscribeAgent(new AgentCall.Subscribe(new AgentInfo("h", 5051, Resources.parse("cpus:2;mem:1024;disk:500").toList(),
                List.of(), previous), List.of(), List.of(), List.of(), "t", List.of()), sink);
        return previous;
    }

    private static void accept(Master m, OfferTimeoutTest.Sink fw, Offer offer, String operation) throws Exception {
        String json = "{\"framework_id\":{\"value\":\"" + id(fw) + "\"},\"type\":\"ACCEPT\",\"accept\":{"
                + "\"offer_ids\":[{\"value\":\"" + offer.id().value() + "\"}],\"operations\":[" + operation + "],"
                + "\"filters\":{\"refuse_seconds\":0}}}";
        CallResult r = m.call(MesosJson.read(json.getBytes(), Call.class), "web").get(10, TimeUnit.SECONDS);
        assertEquals(r.message(), 202, r.status());
    }

    private static double reservedCpus(Offer o, String role) {
        return Resources.of(o.resources()).unallocated().reservedTo(role).scalar("cpus");
    }

    private static final String RESERVE_ONE_CPU = "{\"type\":\"RESERVE\",\"reserve\":{\"resources\":[{\"name\":"
            + "\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1},\"reservations\":[{\"type\":\"DYNAMIC\","
            + "\"role\":\"web\",\"principal\":\"ops\"}]}]}}";

    @Test
    public void reserveThenRestartThenUnreserve() throws Exception {
        Path registry = tmp.getRoot().toPath().resolve("registry.json");
        Master m = master(registry);
        try {
            OfferTimeoutTest.Sink web = framework(m, "web");
            agent(m, null);
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            Offer first = lastOffer(web);
            assertEquals(0.0, reservedCpus(first, "web"), 0);

            // a reservation to another role, or from a framework of another role, is dropped
            accept(m, web, first, RESERVE_ONE_CPU.replace("\"role\":\"web\"", "\"role\":\"other\""));
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            assertEquals(0.0, reservedCpus(lastOffer(web), "web"), 0);

            accept(m, web, lastOffer(web), RESERVE_ONE_CPU);
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            Offer reserved = lastOffer(web);
            assertEquals(1.0, reservedCpus(reserved, "web"), 0);
            assertEquals(2.0, Resources.of(reserved.resources()).scalar("cpus"), 0);
            AgentId agentId = reserved.agentId();
            m.close();

            // a new master reads the registry; the agent re-registers with its id and gets its reservation back
            m = master(registry);
            web = framework(m, "web");
            agent(m, agentId);
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            Offer again = lastOffer(web);
            assertEquals(1.0, reservedCpus(again, "web"), 0);

            accept(m, web, again, RESERVE_ONE_CPU.replace("RESERVE\",\"reserve", "UNRESERVE\",\"unreserve"));
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            Offer after = lastOffer(web);
            assertEquals(0.0, reservedCpus(after, "web"), 0);
            assertEquals(2.0, Resources.of(after.resources()).scalar("cpus"), 0);
            assertTrue(new Registry(registry).reservations(agentId.value()).isEmpty());
        } finally {
            m.close();
        }
    }

    private static final String VOLUME = "{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":100},"
            + "\"reservations\":[{\"type\":\"DYNAMIC\",\"role\":\"web\"}]%s}";
    private static final String PERSISTENCE = ",\"disk\":{\"persistence\":{\"id\":\"vol-1\"},"
            + "\"volume\":{\"container_path\":\"data\",\"mode\":\"RW\"}}";

    private static double volumeSize(Offer o, String id) {
        return o.resources().stream().filter(r -> r.isPersistentVolume() && r.disk().persistence().id().equals(id))
                .mapToDouble(r -> r.scalar().value()).sum();
    }

    @Test
    public void persistentVolumeSurvivesAMasterRestart() throws Exception {
        Path registry = tmp.getRoot().toPath().resolve("registry.json");
        Master m = master(registry);
        try {
            OfferTimeoutTest.Sink web = framework(m, "web");
            agent(m, null);
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            accept(m, web, lastOffer(web), "{\"type\":\"RESERVE\",\"reserve\":{\"resources\":["
                    + String.format(VOLUME, "") + "]}},{\"type\":\"CREATE\",\"create\":{\"volumes\":["
                    + String.format(VOLUME, PERSISTENCE) + "]}}");
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            Offer withVolume = lastOffer(web);
            assertEquals(100.0, volumeSize(withVolume, "vol-1"), 0);
            assertEquals(500.0, Resources.of(withVolume.resources()).scalar("disk"), 0);
            AgentId agentId = withVolume.agentId();
            m.close();

            m = master(registry);
            web = framework(m, "web");
            agent(m, agentId);
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            Offer again = lastOffer(web);
            assertEquals(100.0, volumeSize(again, "vol-1"), 0);
            assertEquals(500.0, Resources.of(again.resources()).scalar("disk"), 0);

            accept(m, web, again, "{\"type\":\"DESTROY\",\"destroy\":{\"volumes\":["
                    + String.format(VOLUME, PERSISTENCE) + "]}}");
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            Offer after = lastOffer(web);
            assertEquals(0.0, volumeSize(after, "vol-1"), 0);
            assertEquals(100.0, Resources.of(after.resources()).unallocated().reservedTo("web").scalar("disk"), 0);
            assertTrue(new Registry(registry).reservations(agentId.value()).toList().stream()
                    .noneMatch(io.pangaea.model.Resource::isPersistentVolume));
        } finally {
            m.close();
        }
    }

    @Test
    public void theOperatorReservesAndUnreservesFreeResources() throws Exception {
        Master m = master(tmp.getRoot().toPath().resolve("registry.json"));
        try {
            OfferTimeoutTest.Sink ops = framework(m, "ops");
            agent(m, null);
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            String agentId = lastOffer(ops).agentId().value();
            List<io.pangaea.model.Resource> oneCpu = Resources.of(List.of(new io.pangaea.model.Resource("cpus",
                    io.pangaea.model.ValueType.SCALAR, new io.pangaea.model.Scalar(1), null, null, null, null,
                    List.of(new io.pangaea.model.ReservationInfo(io.pangaea.model.ReservationInfo.Type.DYNAMIC,
                            "ops", "admin", null))))).toList();
            // the outstanding offer is rescinded to make room
            assertEquals(202, m.operatorReservation(agentId, oneCpu, true).get(10, TimeUnit.SECONDS).status());
            await().atMost(Duration.ofSeconds(10)).until(() -> ops.count(Event.Type.RESCIND) == 1);
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            assertEquals(1.0, reservedCpus(lastOffer(ops), "ops"), 0);

            assertEquals(404, m.operatorReservation("nope", oneCpu, true).get(10, TimeUnit.SECONDS).status());
            List<io.pangaea.model.Resource> tenCpus = List.of(oneCpu.get(0).withScalar(10));
            CallResult tooMuch = m.operatorReservation(agentId, tenCpus, true).get(10, TimeUnit.SECONDS);
            assertEquals(409, tooMuch.status());
            assertTrue(tooMuch.message(), tooMuch.message().contains("does not have"));
            assertEquals("a refused reservation rescinds nothing", 1, ops.count(Event.Type.RESCIND));
            List<io.pangaea.model.Resource> noReservation = Resources.parse("cpus:1").toList();
            assertEquals(400, m.operatorReservation(agentId, noReservation, true).get(10, TimeUnit.SECONDS)
                    .status());

            assertEquals(202, m.operatorReservation(agentId, oneCpu, false).get(10, TimeUnit.SECONDS).status());
            assertEquals(1, m.allocateNow().get(10, TimeUnit.SECONDS).offers());
            assertEquals(0.0, reservedCpus(lastOffer(ops), "ops"), 0);
        } finally {
            m.close();
        }
    }
}
