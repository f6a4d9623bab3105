package io.pangaea.master.conformance;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The behaviours Mesos's scheduler tests check for offers: DECLINE with a filter keeps the agent's resources away
 * until the filter expires or REVIVE clears it; SUPPRESS stops offers, for all roles or for the named ones, until
 * REVIVE; SUBSCRIBE with suppressed roles; offers carry the offered role's allocation info.
 */
public class OffersTest {

    private Harness h;

    @Before
    public void start() throws Exception {
        h = new Harness();
    }

    @After
    public void stop() throws Exception {
        h.close();
    }

    private static ObjectNode decline(Harness.Scheduler s, JsonNode offer, double refuseSeconds) {
        ObjectNode d = s.call("DECLINE");
        ObjectNode body = d.putObject("decline");
        body.putArray("offer_ids").add(offer.get("id"));
        body.putObject("filters").put("refuse_seconds", refuseSeconds);
        return d;
    }

    @Test
    public void declineWithAFilterKeepsTheResourcesAwayUntilRevive() throws Exception {
        h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("decline");
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        int from = s.events.size();
        assertEquals(202, s.post(decline(s, offer, 3600)).statusCode());
        h.assertNoOffers(s, from);
        assertEquals(202, s.post(s.call("REVIVE")).statusCode());
        JsonNode again = s.next("OFFERS", from).at("/offers/offers/0");
        assertEquals(offer.at("/agent_id/value").asText(), again.at("/agent_id/value").asText());
    }

    @Test
    public void aShortFilterExpires() throws Exception {
        h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("short-filter");
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        int from = s.events.size();
        assertEquals(202, s.post(decline(s, offer, 0.3)).statusCode());
        s.next("OFFERS", from);
    }

    @Test
    public void suppressStopsOffersUntilRevive() throws Exception {
        h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("suppress");
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        assertEquals(202, s.post(s.call("SUPPRESS")).statusCode());
        int from = s.events.size();
        assertEquals(202, s.post(decline(s, offer, 0)).statusCode());
        h.assertNoOffers(s, from);
        assertEquals(202, s.post(s.call("REVIVE")).statusCode());
        s.next("OFFERS", from);
    }

    @Test
    public void suppressAndReviveByRole() throws Exception {
        h.agent("cpus:2;mem:1024");
        ObjectNode sub = Harness.subscribe("roles", "MULTI_ROLE");
        ((ObjectNode) sub.at("/subscribe/framework_info")).putArray("roles").add("a").add("b");
        Harness.Scheduler s = h.scheduler(sub);
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        String first = offer.at("/allocation_info/role").asText();
        String other = first.equals("a") ? "b" : "a";
        ObjectNode suppress = s.call("SUPPRESS");
        suppress.putObject("suppress").putArray("roles").add(first);
        assertEquals(202, s.post(suppress).statusCode());
        int from = s.events.size();
        assertEquals(202, s.post(decline(s, offer, 0)).statusCode());
        // the resources come back for the other role only
        JsonNode next = s.next("OFFERS", from).at("/offers/offers/0");
        assertEquals(other, next.at("/allocation_info/role").asText());
        for (JsonNode r : next.path("resources")) {
            assertEquals(other, r.at("/allocation_info/role").asText());
        }
    }

    @Test
    public void subscribeWithSuppressedRoles() throws Exception {
        h.agent("cpus:2;mem:1024");
        ObjectNode sub = Harness.subscribe("suppressed-at-subscribe", "MULTI_ROLE");
        ((ObjectNode) sub.at("/subscribe/framework_info")).putArray("roles").add("only");
        ((ObjectNode) sub.get("subscribe")).putArray("suppressed_roles").add("only");
        Harness.Scheduler s = h.scheduler(sub);
        h.assertNoOffers(s, 0);
        ObjectNode revive = s.call("REVIVE");
        revive.putObject("revive").putArray("roles").add("only");
        assertEquals(202, s.post(revive).statusCode());
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        assertEquals("only", offer.at("/allocation_info/role").asText());
    }

    @Test
    public void offersUseTheMesosIdForms() throws Exception {
        h.agent("cpus:2;mem:1024");
        Harness.Scheduler s = h.scheduler("ids");
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        assertTrue(offer.at("/id/value").asText(), offer.at("/id/value").asText().matches(".+-O\\d+"));
        assertTrue(offer.at("/agent_id/value").asText().matches(".+-S\\d+"));
        assertEquals(s.frameworkId, offer.at("/framework_id/value").asText());
        assertEquals("localhost", offer.path("hostname").asText());
    }

    @Test
    public void declineOfNoOffersIsAccepted() throws Exception {
        Harness.Scheduler s = h.scheduler("decline-nothing");
        ObjectNode d = s.call("DECLINE");
        d.putObject("decline");
        assertEquals(202, s.post(d).statusCode());
    }

    @Test
    public void updateFrameworkChangesTheRolesOffersAreMadeTo() throws Exception {
        h.agent("cpus:2;mem:1024");
        ObjectNode sub = Harness.subscribe("update", "MULTI_ROLE");
        ((ObjectNode) sub.at("/subscribe/framework_info")).putArray("roles").add("before");
        Harness.Scheduler s = h.scheduler(sub);
        JsonNode offer = s.awaitType("OFFERS").at("/offers/offers/0");
        assertEquals("before", offer.at("/allocation_info/role").asText());
        int from = s.events.size();
        ObjectNode update = s.call("UPDATE_FRAMEWORK");
        ObjectNode fi = update.putObject("update_framework").putObject("framework_info");
        fi.put("user", "root").put("name", "update renamed").putObject("id").put("value", s.frameworkId);
        fi.putArray("roles").add("after");
        fi.putArray("capabilities").addObject().put("type", "MULTI_ROLE");
        assertEquals(200, s.post(update).statusCode());
        // the outstanding offer (for the role it left) is rescinded; the next is for the new role
        assertEquals(offer.at("/id/value").asText(), s.next("RESCIND", from).at("/rescind/offer_id/value").asText());
        JsonNode next = s.next("OFFERS", from).at("/offers/offers/0");
        assertEquals("after", next.at("/allocation_info/role").asText());
        assertTrue(h.get("/master/frameworks").body().contains("update renamed"));
    }

    @Test
    public void updateFrameworkOfAnotherFrameworkIsRefused() throws Exception {
        Harness.Scheduler s = h.scheduler("update-other");
        ObjectNode update = s.call("UPDATE_FRAMEWORK");
        ObjectNode fi = update.putObject("update_framework").putObject("framework_info");
        fi.put("user", "root").put("name", "x").putObject("id").put("value", "someone-else");
        var r = s.post(update);
        assertEquals(400, r.statusCode());
        assertTrue(r.body(), r.body().contains("framework_info.id"));
    }

    @Test
    public void inverseOfferAndOperationCallsAreAcceptedWithNothingOutstanding() throws Exception {
        Harness.Scheduler s = h.scheduler("inverse");
        for (String[] c : new String[][] {{"ACCEPT_INVERSE_OFFERS", "accept_inverse_offers"},
                {"DECLINE_INVERSE_OFFERS", "decline_inverse_offers"}}) {
            ObjectNode call = s.call(c[0]);
            call.putObject(c[1]).putArray("inverse_offer_ids").addObject().put("value", "none");
            assertEquals(c[0], 202, s.post(call).statusCode());
        }
        ObjectNode rec = s.call("RECONCILE_OPERATIONS");
        rec.putObject("reconcile_operations").putArray("operations");
        assertEquals(202, s.post(rec).statusCode());
    }
}
