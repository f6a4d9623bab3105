package io.pangaea.master.internal;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.DeclineFilter;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.OfferEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.OfferId;
import io.pangaea.model.Resources;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Event;
import io.pangaea.model.Address;
import io.pangaea.model.AllocationInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Url;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.Map;

/**
 * The offer book: making offers out of the allocator's grants, their {@code offer_timeout}, rescinding and
 * removing them, DECLINE with its decline filters (kept per framework and agent, for at least one allocation
 * interval), REVIVE and SUPPRESS. Owns {@code state.offers} and each framework's filters and suppressed roles; what
 * an accepted offer becomes is {@link Accepts}'s.
 * Must not touch: tasks, executors or agents' totals; it moves resources only between an agent's available and a
 * framework's allocation.
 */
final class Offers extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(Offers.class);

    private long nextOfferNumber;

    Offers(MasterContext ctx) {
        super(ctx);
    }

    /**
     * Makes an offer of {@code res} (free on the agent, without allocation info) to the framework for {@code role}:
     * the resources move from the agent's available to the framework's allocation, and the offer is booked with its
     * {@code offer_timeout}. The caller sends it.
     */
    Offer make(FrameworkEntry fw, AgentEntry agent, String role, Resources res) {
        agent.setAvailable(agent.available().minus(res));
        Resources free = res.unallocated(); // as the caller should give it; kept for the offer's way back
        Resources allocated = free.allocatedTo(role);
        fw.allocate(role, allocated);
        OfferId id = OfferId.of(ctx.masterId + "-O" + nextOfferNumber++);
        MasterState.OfferParts parts = offerParts(agent);
        Offer offer = new Offer(id, fw.id, agent.id, agent.info().hostname(), parts.json().url(), allocated.toList(),
                agent.info().attributes(), null, new AllocationInfo(role), ctx.schedule.unavailability(agent));
        OfferEntry entry = new OfferEntry(offer, role, allocated, free);
        if (config().offerTimeout() != null) {
            entry.timeout = loop.schedule(() -> expire(entry), config().offerTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        state.offers.put(id, entry);
        fw.offers.add(id);
        fw.offer(role, allocated);
        agent.offers.add(id);
        return offer;
    }

    /** The agent's parts of its offers, made again when its info or address changed since they were made. */
    static MasterState.OfferParts offerParts(AgentEntry agent) {
        MasterState.OfferParts p = agent.offerParts;
        if (p == null || p.info() != agent.info() || !java.util.Objects.equals(p.ip(), agent.ip)) {
            Url url = new Url("http", new Address(agent.info().hostname(), agent.ip, agent.info().port()), "/slave(1)");
            p = new MasterState.OfferParts(agent.info(), agent.ip, io.pangaea.model.json.OffersJson.AgentPart.of(
                    agent.id, agent.info().hostname(), url, agent.info().attributes()));
            agent.offerParts = p;
        }
        return p;
    }

    /** {@code offer_timeout} ran out on an offer still outstanding: it is rescinded and its resources offered again. */
    private void expire(OfferEntry entry) {
        OfferId id = entry.offer.id();
        if (state.offers.get(id) == entry) {
            LOG.info("Offer {} timed out (offer_timeout {}); rescinding it", id, config().offerTimeout());
            removeOffer(id, true, false);
            ctx.allocation.requestAllocation();
        }
    }

    /** Removes an offer and returns its resources to the agent; optionally tells the framework (RESCIND). */
    void removeOffer(OfferId id, boolean rescind, boolean keepAllocated) {
        OfferEntry o = state.offers.remove(id);
        if (o == null) {
            return;
        }
        if (o.timeout != null) {
            o.timeout.cancel(false);
        }
        FrameworkEntry fw = state.frameworks.get(o.frameworkId);
        AgentEntry agent = state.agents.get(o.agentId);
        if (fw != null) {
            fw.offers.remove(id);
            fw.offerGone(o.role, o.resources);
            if (!keepAllocated) {
                fw.release(o.role, o.resources);
            }
            if (rescind && fw.stream != null) {
                fw.stream.send(MesosJson.write(Event.rescind(id)));
                MasterMetrics.inc(fw.counters, "events/rescind");
                MasterMetrics.inc(fw.counters, "offers/rescinded");
            }
        }
        if (agent != null) {
            agent.offers.remove(id);
            agent.setAvailable(agent.available().plus(o.unallocated));
        }
    }

    void rescindAllOffers() {
        for (OfferId id : List.copyOf(state.offers.keySet())) {
            removeOffer(id, true, false);
        }
    }

    void decline(FrameworkEntry fw, List<OfferId> ids, io.pangaea.model.Filters filters) {
        double refuse = filters == null ? io.pangaea.model.Filters.DEFAULT_REFUSE_SECONDS
                : filters.refuseSecondsOrDefault();
        for (OfferId id : ids == null ? List.<OfferId>of() : ids) {
            OfferEntry o = state.offers.get(id);
            if (o == null || !o.frameworkId.equals(fw.id)) {
                continue;
            }
            removeOffer(id, false, false);
            MasterMetrics.inc(fw.counters, "offers/declined");
            addFilter(fw, o.agentId, o.unallocated, refuse);
        }
        ctx.allocation.requestAllocation();
    }

    void addFilter(FrameworkEntry fw, AgentId agent, Resources resources, double refuseSeconds) {
        if (!(refuseSeconds > 0)) {
            return;
        }
        // Mesos holds a filter for at least one allocation interval.
        long nanos = (long) Math.min(Long.MAX_VALUE / 4.0,
                Math.max(refuseSeconds * 1e9, config().allocationInterval().toNanos()));
        long now = System.nanoTime();
        Map<AgentId, List<DeclineFilter>> own = ownFilters(fw);
        List<DeclineFilter> mine = new ArrayList<>(own.getOrDefault(agent, List.of()));
        mine.removeIf(d -> d.expiresNanos() - now <= 0);
        mine.add(new DeclineFilter(resources, now + nanos));
        own.put(agent, List.copyOf(mine));
    }

    /**
     * The framework's filters, as a map this framework alone holds: copied first when a snapshot shares it (once
     * per cycle at most, instead of once per change).
     */
    private static Map<AgentId, List<DeclineFilter>> ownFilters(FrameworkEntry fw) {
        if (fw.filtersShared) {
            fw.filters = new java.util.HashMap<>(fw.filters);
            fw.filtersShared = false;
        }
        return fw.filters;
    }

    /** Drops a framework's expired filters, at most once every 5 s (they filter nothing meanwhile). */
    static void pruneFilters(FrameworkEntry fw, long now) {
        if (fw.filters.isEmpty() || now - fw.filtersPrunedNanos < 5_000_000_000L) {
            return;
        }
        fw.filtersPrunedNanos = now;
        Map<AgentId, List<DeclineFilter>> next = new java.util.HashMap<>();
        fw.filters.forEach((a, l) -> {
            List<DeclineFilter> live = l.stream().filter(d -> d.expiresNanos() - now > 0).toList();
            if (!live.isEmpty()) {
                next.put(a, live);
            }
        });
        if (next.size() != fw.filters.size() || !next.equals(fw.filters)) {
            fw.filters = next;
            fw.filtersShared = false;
        }
    }

    void revive(FrameworkEntry fw, List<String> roles) {
        if (roles == null || roles.isEmpty()) {
            fw.suppressedRoles.clear();
        } else {
            roles.forEach(fw.suppressedRoles::remove);
        }
        fw.clearFilters();
        ctx.allocation.requestAllocation();
    }

    void suppress(FrameworkEntry fw, List<String> roles) {
        fw.suppressedRoles.addAll(roles == null || roles.isEmpty() ? fw.roles() : roles);
    }

    /** True when a filter of {@code l} still in force at {@code nowNanos} covers {@code resources}. */
    static boolean filtered(List<DeclineFilter> l, Resources resources, long nowNanos) {
        if (l == null) {
            return false;
        }
        Resources flat = resources.unallocated();
        for (DeclineFilter d : l) {
            if (d.expiresNanos() - nowNanos > 0 && d.resources().contains(flat)) {
                return true;
            }
        }
        return false;
    }
}
