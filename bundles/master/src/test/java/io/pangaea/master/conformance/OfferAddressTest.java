package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Offers carry the address of the agent they come from ({@code url.address}), and {@code /master/slaves} shows its
 * pid as {@code slave(1)@<ip>:<port>}, as in the Mesos capture: the agent's own, not the master's, nor its hostname.
 */
public class OfferAddressTest {

    private Harness h;

    @Before
    public void setUp() throws Exception {
        h = new Harness();
    }

    @After
    public void tearDown() throws Exception {
        h.close();
    }

    private JsonNode firstOffer() throws Exception {
        Harness.Scheduler s = h.scheduler("address");
        return s.awaitType("OFFERS").path("offers").path("offers").get(0);
    }

    @Test
    public void anAgentConfiguredWithItsIpIsOfferedAtIt() throws Exception {
        Harness.RealAgent agent = h.realAgentAt("127.0.0.2", "127.0.0.2");
        JsonNode address = firstOffer().path("url").path("address");
        assertEquals("127.0.0.2", address.path("ip").asText());
        assertEquals(agent.port, address.path("port").asInt());
        assertEquals("localhost", address.path("hostname").asText());
        JsonNode slave = Harness.JSON.readTree(h.get("/master/slaves").body()).path("slaves").get(0);
        assertEquals("slave(1)@127.0.0.2:" + agent.port, slave.path("pid").asText());
    }

    @Test
    public void anAgentBoundToEveryInterfaceIsOfferedWhereItConnectsFrom() throws Exception {
        Harness.RealAgent agent = h.realAgentAt("0.0.0.0", "127.0.0.1");
        JsonNode address = firstOffer().path("url").path("address");
        assertEquals("127.0.0.1", address.path("ip").asText());
        assertEquals(agent.port, address.path("port").asInt());
        JsonNode slave = Harness.JSON.readTree(h.get("/master/slaves").body()).path("slaves").get(0);
        assertEquals("slave(1)@127.0.0.1:" + agent.port, slave.path("pid").asText());
    }
}
