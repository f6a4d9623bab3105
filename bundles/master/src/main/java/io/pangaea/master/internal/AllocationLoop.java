package io.pangaea.master.internal;

import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.allocator.Grant;
import io.pangaea.allocator.OfferFilter;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.DeclineFilter;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Offer;
import io.pangaea.model.Resources;
import io.pangaea.model.json.OffersJson;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import io.pangaea.http.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocation loop: when cycles run (each {@code allocation_interval} and soon after events that free
 * resources, coalesced, one at a time), the snapshot the active {@link Allocator} decides on (on its own thread),
 * and turning its grants back into offers on the loop (checked against the live state, made by {@link Offers}).
 * Owns the allocator reference, the cycle timers and counters. It touches no task or agent state of its own.
 * Must not touch: tasks, executors or registrations; beyond pruning expired filters it reads the books, and it makes
 * offers through {@link Offers}.
 */
final class AllocationLoop extends MasterPart {

    private static final Logger LOG = LoggerFactory.getLogger(AllocationLoop.class);

    private final AtomicReference<Allocator> allocator = new AtomicReference<>();
    private ExecutorService allocationThread;
    /** Allocation cycles that made offers; the cycle number frameworks' last offers are counted in. */
    private long cycleNumber;
    private int allocationRuns;
    private boolean allocationQueued;
    /** When the queued allocation was asked for (System.nanoTime), 0 when none is waiting. */
    private long allocationAskedNanos;
    /** How long cycles take from snapshot to offers, and how long they wait to start once asked for. */
    private final Metrics.Timer allocationRunTimer = new Metrics.Timer();
    private final Metrics.Timer allocationLatencyTimer = new Metrics.Timer();
    private boolean allocationRunning;
    private boolean allocationAgain;
    private ScheduledFuture<?> periodicAllocation;
    /** Callers of {@link #allocateNow} waiting for the next cycle to finish. */
    private final List<CompletableFuture<AllocationCycle>> cycleWaiters = new ArrayList<>();
    private volatile AllocationCycle lastCycle = AllocationCycle.SKIPPED;
    private volatile boolean allocationPaused;
    /**
     * Admission control. A cycle's offers are what bring new work to the loop: the launches, then their status
     * updates and acknowledgements. While the loop is more than {@link #MAX_LAG_MS} behind, a cycle that is due
     * waits (every {@link #RECHECK_MS}) for it to catch up, so that work already admitted (updates that agents
     * resend until acknowledged, calls that frameworks time out) is done first; throughput settles at what the
     * master can do instead of a backlog that grows without end. After {@link #MAX_DEFER_MS} it runs anyway, so
     * that a loop busy for other reasons still offers. {@link #allocateNow} never waits.
     */
    static final long MAX_LAG_MS = 100;
    static final long RECHECK_MS = 10;
    static final long MAX_DEFER_MS = 5_000;
    /**
     * Pacing. Cycles that events ask for (a task ended, an offer was declined) come back to back on a busy cluster,
     * each reading every agent: the next cycle starts no sooner than {@link #PACE} times the last one's length after
     * it ended, so allocation takes at most a fifth of the master's time however large the cluster. A cycle of 1 ms
     * waits 4 ms; one of 25 ms (5,000 agents) waits 100 ms.
     */
    static final int PACE = 4;
    /** When the last cycle ended (System.nanoTime), and how long it took. */
    private long lastCycleEnded;
    private long lastCycleNanos;
    /** When the cycle now waiting for the loop was first put off (System.nanoTime), 0 when none is. */
    private long deferredSince;
    private long deferred;

    AllocationLoop(MasterContext ctx) {
        super(ctx);
    }

    /** The thread allocators decide on (set once, before {@link #start}). */
    void setThread(ExecutorService thread) {
        this.allocationThread = thread;
    }

    /** Starts the periodic cycles, every {@code allocation_interval}. Any thread. */
    void start() {
        long ms = Math.max(1, config().allocationInterval().toMillis());
        periodicAllocation = loop.scheduleWithFixedDelay(this::requestAllocation, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The live settings changed: a new {@code allocation_interval} takes over from the next cycle. */
    void reconfigured(MasterConfig before) {
        if (!config().allocationInterval().equals(before.allocationInterval()) && periodicAllocation != null) {
            periodicAllocation.cancel(false);
            start();
        }
        requestAllocation();
    }

    /** Stops the periodic cycles. */
    void stop() {
        if (periodicAllocation != null) {
            periodicAllocation.cancel(false);
        }
    }

    /** Sets the allocation policy (null: none, no offers are made); outstanding offers are rescinded. Any thread. */
    void setAllocator(Allocator next) {
        Allocator prev = allocator.getAndSet(next);
        if (prev != next && prev != null) {
            loop.execute(ctx.offers::rescindAllOffers);
        }
        requestAllocation();
    }

    Allocator allocator() {
        return allocator.get();
    }

    /** The number of the last cycle that made offers. */
    long cycleNumber() {
        return cycleNumber;
    }

    /**
     * Pauses (or resumes) the periodic and event-triggered allocation cycles, as Mesos pauses its allocator while a
     * master recovers; {@link #allocateNow} still runs one. Resources are still freed and filters still expire.
     */
    void setAllocationPaused(boolean paused) {
        allocationPaused = paused;
        if (!paused) {
            requestAllocation();
        }
    }

    /** Asks for an allocation cycle soon; calls coalesce. Any thread. */
    void requestAllocation() {
        if (loop.isShutdown() || allocationPaused) {
            return;
        }
        loop.execute(() -> {
            if (!allocationQueued) {
                allocationQueued = true;
                if (allocationAskedNanos == 0) {
                    allocationAskedNanos = System.nanoTime();
                }
                loop.execute(this::startWhenLoopKeepsUp);
            }
        });
    }

    /** Starts the queued cycle, unless the loop is behind: see {@link #MAX_LAG_MS}. Event loop. */
    private void startWhenLoopKeepsUp() {
        if (loop.isShutdown()) {
            return;
        }
        long now = System.nanoTime();
        long paced = lastCycleEnded + PACE * lastCycleNanos;
        if (lastCycleEnded != 0 && paced - now > 0) {
            checkAgainIn(paced - now);
            return;
        }
        if (ctx.lag.millis() > MAX_LAG_MS
                && (deferredSince == 0 || now - deferredSince < TimeUnit.MILLISECONDS.toNanos(MAX_DEFER_MS))) {
            if (deferredSince == 0) {
                deferredSince = now;
                deferred++;
            }
            checkAgainIn(TimeUnit.MILLISECONDS.toNanos(RECHECK_MS));
            return;
        }
        deferredSince = 0;
        startAllocation();
    }

    private void checkAgainIn(long nanos) {
        try {
            loop.schedule(this::startWhenLoopKeepsUp, nanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the master is closing
        }
    }

    /** Cycles put off because the loop was behind, since the start (event loop). */
    long deferred() {
        return deferred;
    }

    /**
     * Runs an allocation cycle as soon as the current one (if any) is done, and completes with what it cost once its
     * offers are made. For benchmarks, tests and operators; the periodic cycles go on as usual.
     */
    CompletableFuture<AllocationCycle> allocateNow() {
        CompletableFuture<AllocationCycle> done = new CompletableFuture<>();
        loop.execute(() -> {
            cycleWaiters.add(done);
            if (allocationAskedNanos == 0) {
                allocationAskedNanos = System.nanoTime();
            }
            startAllocation();
        });
        return done;
    }

    /** Allocation cycles that made offers since the start (event loop). */
    int allocationRuns() {
        return allocationRuns;
    }

    /** The allocation timers ({@code allocator/mesos/allocation_run_ms} and {@code _latency_ms}). */
    Metrics.Timer allocationRunTimer() {
        return allocationRunTimer;
    }

    Metrics.Timer allocationLatencyTimer() {
        return allocationLatencyTimer;
    }

    /** The figures of the last cycle that ran. */
    AllocationCycle lastCycle() {
        return lastCycle;
    }

    void startAllocation() {
        allocationQueued = false;
        if (allocationRunning) {
            allocationAgain = true;
            return;
        }
        List<CompletableFuture<AllocationCycle>> waiters = List.copyOf(cycleWaiters);
        cycleWaiters.clear();
        Allocator policy = allocator.get();
        long t0 = System.nanoTime();
        if (allocationAskedNanos != 0) {
            allocationLatencyTimer.record((t0 - allocationAskedNanos) / 1e6);
            allocationAskedNanos = 0;
        }
        ClusterView view = policy == null ? null : snapshot();
        if (view == null || view.agents().isEmpty() || view.frameworks().isEmpty()) {
            if (view != null && !view.frameworks().isEmpty()) {
                // nothing free to offer (a full cluster), but the frameworks on draining machines are still told
                ctx.schedule.sendInverseOffers();
            }
            waiters.forEach(w -> w.complete(AllocationCycle.SKIPPED));
            return;
        }
        long snapshotNanos = System.nanoTime() - t0;
        allocationRunning = true;
        allocationThread.execute(() -> {
            long t1 = System.nanoTime();
            List<Grant> grants;
            try {
                grants = policy.allocate(view);
            } catch (RuntimeException e) {
                LOG.error("Allocator {} failed", policy.getClass().getName(), e);
                grants = List.of();
            }
            long decideNanos = System.nanoTime() - t1;
            List<Grant> result = grants == null ? List.of() : grants;
            loop.execute(() -> {
                long t2 = System.nanoTime();
                int offers = applyGrants(view, result);
                AllocationCycle cycle = new AllocationCycle(snapshotNanos, decideNanos, System.nanoTime() - t2,
                        view.agents().size(), view.frameworks().size(), result.size(), offers);
                lastCycle = cycle;
                lastCycleEnded = System.nanoTime();
                lastCycleNanos = cycle.totalNanos();
                allocationRuns++;
                allocationRunTimer.record(cycle.totalNanos() / 1e6);
                waiters.forEach(w -> w.complete(cycle));
                if (allocationAgain) {
                    allocationAgain = false;
                    if (!cycleWaiters.isEmpty()) {
                        startAllocation(); // asked for by allocateNow, which never waits
                    } else if (!allocationQueued) {
                        allocationQueued = true;
                        startWhenLoopKeepsUp();
                    }
                }
            });
        });
    }

    ClusterView snapshot() {
        AgentViews.Snapshot agents = state.agentViews.snapshot();
        List<FrameworkView> frameworks = new ArrayList<>();
        Map<FrameworkId, Map<AgentId, List<DeclineFilter>>> filters = new HashMap<>();
        long nowNanos = System.nanoTime();
        for (FrameworkEntry f : state.frameworks.values()) {
            if (!f.connected || !f.active) {
                continue;
            }
            frameworks.add(new FrameworkView(f.id, f.info.name(), List.copyOf(f.roles()),
                    Set.copyOf(f.suppressedRoles), Map.copyOf(f.allocated), offeredByRole(f), f.liveTasks()));
            Offers.pruneFilters(f, nowNanos);
            if (!f.filters.isEmpty()) {
                filters.put(f.id, f.filters); // shared: the next change copies it first
                f.filtersShared = true;
            }
        }
        OfferFilter filter = filters.isEmpty() ? OfferFilter.NONE : (fw, agent, res) -> {
            Map<AgentId, List<DeclineFilter>> byAgent = filters.get(fw);
            return byAgent != null && Offers.filtered(byAgent.get(agent), res, System.nanoTime());
        };
        return new ClusterView(agents.agents(), frameworks, registry.weights(), filter, agents.total(),
                config().minAllocatable(), registry.quotas());
    }

    /** What is offered to the framework now, per role (with allocation info, as {@code allocated} is). */
    private static Map<String, Resources> offeredByRole(FrameworkEntry f) {
        return f.offered.isEmpty() ? Map.of() : Map.copyOf(f.offered);
    }

    /** Below this many frameworks with offers, a cycle's offers are encoded on the loop alone. */
    private static final int ENCODE_ALONE_BELOW = 16;

    /**
     * Turns the valid grants into offers and sends them; returns how many offers were made.
     *
     * <p>The grants are taken framework by framework (in the order the frameworks first appear in them), and each
     * framework's offers, once made, are handed to a pool thread to encode while the loop makes the next
     * framework's. Encoding is half the work of a big cycle; this way it runs beside the making instead of after
     * it. The loop then sends each framework its offers in that same order, encoding itself any that no pool thread
     * took yet.
     */
    int applyGrants(ClusterView view, List<Grant> grants) {
        allocationRunning = false;
        Map<FrameworkId, List<Grant>> byFramework = new LinkedHashMap<>();
        for (Grant g : grants) {
            byFramework.computeIfAbsent(g.frameworkId(), k -> new ArrayList<>()).add(g);
        }
        boolean helped = byFramework.size() >= ENCODE_ALONE_BELOW;
        int made = 0;
        List<OfferBatch> batches = new ArrayList<>();
        for (Map.Entry<FrameworkId, List<Grant>> e : byFramework.entrySet()) {
            FrameworkEntry fw = state.frameworks.get(e.getKey());
            if (fw == null || !fw.connected) {
                continue;
            }
            List<Offer> offers = new ArrayList<>(e.getValue().size());
            List<OffersJson.AgentPart> parts = new ArrayList<>(e.getValue().size());
            for (Grant g : e.getValue()) {
                AgentEntry agent = state.agents.get(g.agentId());
                if (agent == null || !agent.connected() || g.resources() == null) {
                    continue;
                }
                if (!fw.roles().contains(g.role()) || fw.suppressedRoles.contains(g.role())) {
                    continue;
                }
                Resources res = g.resources().unallocated().usableBy(g.role());
                // (filters were checked by the allocator against this same snapshot)
                if (res.isEmpty() || !agent.available().contains(res) || !view.isAllocatable(res)) {
                    continue;
                }
                offers.add(ctx.offers.make(fw, agent, g.role(), res));
                parts.add(Offers.offerParts(agent).json());
            }
            if (offers.isEmpty()) {
                continue;
            }
            made += offers.size();
            OfferBatch batch = new OfferBatch(fw, offers, parts);
            batches.add(batch);
            if (helped) {
                ForkJoinPool.commonPool().execute(batch::encode);
            }
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Allocation cycle {}: {} grant(s) from {}, {} offer(s) made: {}", cycleNumber + 1,
                    grants.size(), allocator.get() == null ? "no allocator" : allocator.get().getClass().getName(),
                    made, grants);
        }
        cycleNumber++;
        ctx.schedule.sendInverseOffers(); // to frameworks with new work on a draining machine, if any
        double now = Master.now();
        for (OfferBatch batch : batches) {
            batch.encode(); // unless a pool thread has taken it
            FrameworkEntry fw = batch.framework;
            byte[] encoded;
            try {
                encoded = batch.encoded.join();
            } catch (java.util.concurrent.CompletionException e) {
                LOG.error("Cannot encode the offers for framework {}; taking them back", fw.id, e.getCause());
                batch.offers.forEach(o -> ctx.offers.removeOffer(o.id(), false, false));
                continue;
            }
            fw.lastOfferCycle = cycleNumber;
            fw.lastOfferTime = now;
            if (fw.stream != null) {
                fw.stream.send(encoded);
                MasterMetrics.inc(fw.counters, "events/offers");
                fw.counters.merge("offers/sent", (long) batch.offers.size(), Long::sum);
            }
        }
        return made;
    }

    /** One framework's offers of a cycle, and their OFFERS event once encoded, by whichever thread took it first. */
    private static final class OfferBatch {
        final FrameworkEntry framework;
        final List<Offer> offers;
        /** Each offer's agent's part, encoded beforehand. */
        final List<OffersJson.AgentPart> parts;
        final AtomicBoolean taken = new AtomicBoolean();
        final CompletableFuture<byte[]> encoded = new CompletableFuture<>();

        OfferBatch(FrameworkEntry framework, List<Offer> offers, List<OffersJson.AgentPart> parts) {
            this.framework = framework;
            this.offers = offers;
            this.parts = parts;
        }

        void encode() {
            if (taken.compareAndSet(false, true)) {
                try {
                    encoded.complete(OffersJson.event(offers, parts));
                } catch (RuntimeException | Error e) {
                    encoded.completeExceptionally(e);
                }
            }
        }
    }
}
