package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.DeclineFilter;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.Filters;
import io.pangaea.model.Offer;
import io.pangaea.model.Resources;
import io.pangaea.model.scheduler.Event;
import java.time.Duration;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/** The offer book on its own: making, removing and rescinding offers, decline filters, revive and suppress. */
public class OffersPartTest {

    private final PartsFixture f = new PartsFixture(MasterConfig.defaults()
            .withAllocationInterval(Duration.ofSeconds(2)));

    @After
    public void close() {
        f.close();
    }

    /**
     * An agent's offers share its URL and their encoding of its id, hostname, URL and attributes, made once and
     * made again when the agent's info or address changes; an OFFERS event made with them is what the generic
     * encoding of the same offers gives.
     */
    @Test
    public void anAgentsOfferPartsFollowItsInfoAndAddress() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "web");
        List<Offer> offers = new java.util.ArrayList<>();
        List<io.pangaea.model.json.OffersJson.AgentPart> parts = new java.util.ArrayList<>();
        Runnable offer = () -> f.run(() -> {
            offers.add(f.ctx.offers.make(fw, a, "web", Resources.parse("cpus:1")));
            parts.add(a.offerParts.json());
        });
        offer.run();
        offer.run();
        assertTrue("one URL and one part for the agent's offers",
                offers.get(0).url() == offers.get(1).url() && parts.get(0) == parts.get(1));
        f.run(() -> a.setInfo(new io.pangaea.model.AgentInfo("host-b", 5052, a.info().resources(),
                List.of(io.pangaea.model.Attribute.text("rack", "r1")), a.id)));
        offer.run();
        f.run(() -> a.ip = "10.0.0.7");
        offer.run();
        Offer renamed = offers.get(2);
        assertEquals("host-b", renamed.url().address().hostname());
        assertEquals(Integer.valueOf(5052), renamed.url().address().port());
        assertEquals("rack", renamed.attributes().get(0).name());
        assertEquals("10.0.0.7", offers.get(3).url().address().ip());
        assertTrue(parts.get(1) != parts.get(2) && parts.get(2) != parts.get(3));
        assertEquals(new String(io.pangaea.model.json.MesosJson.write(Event.offers(offers))),
                new String(io.pangaea.model.json.OffersJson.event(offers, parts)));
    }

    @Test
    public void anOfferMovesResourcesFromTheAgentToTheFrameworkAndBack() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "web");
        Offer offer = f.on(() -> f.ctx.offers.make(fw, a, "web", Resources.parse("cpus:1;mem:256")));
        f.run(() -> {
            assertEquals(Resources.parse("cpus:3;mem:768"), a.available());
            assertEquals(Resources.parse("cpus:1;mem:256"), fw.allocatedTotal().unallocated());
            assertTrue(fw.offers.contains(offer.id()) && a.offers.contains(offer.id()));
            assertEquals("web", offer.allocationInfo().role());
        });
        f.run(() -> f.ctx.offers.removeOffer(offer.id(), true, false));
        f.run(() -> {
            assertEquals(Resources.parse("cpus:4;mem:1024"), a.available());
            assertTrue(fw.allocated.isEmpty());
            assertTrue(f.state.offers.isEmpty() && fw.offers.isEmpty() && a.offers.isEmpty());
        });
        List<Event> sent = PartsFixture.sink(fw.stream).read(Event.class);
        assertEquals(Event.Type.RESCIND, sent.get(sent.size() - 1).type());
        assertEquals(offer.id(), sent.get(sent.size() - 1).rescind().offerId());
    }

    @Test
    public void declineFiltersTheResourcesForAtLeastOneAllocationInterval() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "*");
        Offer offer = f.on(() -> f.ctx.offers.make(fw, a, "*", Resources.parse("cpus:2;mem:512")));
        // refuse_seconds 0.1 is below the 2 s allocation interval: the filter lasts the interval
        f.run(() -> f.ctx.offers.decline(fw, List.of(offer.id()), new Filters(0.1)));
        f.run(() -> {
            assertEquals(Resources.parse("cpus:4;mem:1024"), a.available());
            List<DeclineFilter> filters = fw.filters.get(a.id);
            assertEquals(1, filters.size());
            long now = System.nanoTime();
            assertTrue(Offers.filtered(filters, Resources.parse("cpus:1;mem:100"), now));
            assertTrue(Offers.filtered(filters, Resources.parse("cpus:1;mem:100"), now + 1_500_000_000L));
            assertFalse("more than was declined is not filtered",
                    Offers.filtered(filters, Resources.parse("cpus:3;mem:100"), now));
            assertFalse("an expired filter filters nothing",
                    Offers.filtered(filters, Resources.parse("cpus:1;mem:100"), now + 3_000_000_000L));
        });
    }

    @Test
    public void declineOfAnotherFrameworksOfferChangesNothing() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry owner = f.framework("fw1", "*");
        FrameworkEntry other = f.framework("fw2", "*");
        Offer offer = f.on(() -> f.ctx.offers.make(owner, a, "*", Resources.parse("cpus:2;mem:512")));
        f.run(() -> f.ctx.offers.decline(other, List.of(offer.id()), null));
        f.run(() -> {
            assertTrue(f.state.offers.containsKey(offer.id()));
            assertTrue(other.filters.isEmpty());
            assertEquals(Resources.parse("cpus:2;mem:512"), a.available());
        });
    }

    @Test
    public void reviveClearsFiltersAndTheRolesNamed() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "web");
        f.run(() -> {
            f.ctx.offers.addFilter(fw, a.id, Resources.parse("cpus:1"), 60);
            f.ctx.offers.suppress(fw, null);
            assertEquals(java.util.Set.of("web"), fw.suppressedRoles);
            f.ctx.offers.revive(fw, List.of("web"));
            assertTrue(fw.suppressedRoles.isEmpty());
            assertTrue(fw.filters.isEmpty());
        });
    }

    @Test
    public void aZeroRefusalAddsNoFilter() {
        AgentEntry a = f.agent("a1", "cpus:4");
        FrameworkEntry fw = f.framework("fw1", "*");
        f.run(() -> f.ctx.offers.addFilter(fw, a.id, Resources.parse("cpus:1"), 0));
        f.run(() -> assertTrue(fw.filters.isEmpty()));
    }
}
