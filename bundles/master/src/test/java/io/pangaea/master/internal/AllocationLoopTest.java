package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pangaea.allocator.AgentView;
import io.pangaea.allocator.ClusterView;
import io.pangaea.allocator.FrameworkView;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.DeclineFilter;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.TaskEntry;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import java.util.List;
import org.junit.After;
import org.junit.Test;

/** The snapshot an allocator decides on, taken from the master's books. */
public class AllocationLoopTest {

    private final PartsFixture f = new PartsFixture();

    /** The thread the allocator decides on, for the tests that run whole cycles. */
    private final java.util.concurrent.ExecutorService decider = java.util.concurrent.Executors.newSingleThreadExecutor();

    @After
    public void close() {
        decider.shutdownNow();
        f.close();
    }

    /** One agent and one framework, and cycles decided by {@code allocator}. */
    private void allocateWith(io.pangaea.allocator.Allocator allocator) {
        f.agent("a1", "cpus:4");
        f.framework("fw1", "*");
        f.ctx.allocation.setThread(decider);
        f.ctx.allocation.setAllocator(allocator);
    }

    /** Keeps the calling thread busy (not asleep) for {@code millis}. */
    private static void busyFor(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    public void theViewSplitsWhatAFrameworkHoldsIntoOfferedAndUsedAndCountsItsRunningTasks() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "web");
        f.run(() -> {
            f.ctx.offers.make(fw, a, "web", Resources.parse("cpus:1;mem:100"));
            Resources r = Resources.parse("cpus:2;mem:200").allocatedTo("web");
            for (String id : List.of("t1", "t2")) {
                TaskEntry t = new TaskEntry(new TaskInfo("t", TaskId.of(id), a.id, r.toList(), null,
                        CommandInfo.shell("sleep 9"), null, null, null, null), fw.id, a.id, "web", r);
                t.setState(id.equals("t1") ? TaskState.TASK_RUNNING : TaskState.TASK_FINISHED);
                fw.tasks.put(t.info.taskId(), t);
            }
            fw.allocate("web", r);
        });
        ClusterView view = f.on(() -> f.ctx.allocation.snapshot());
        FrameworkView v = view.frameworks().get(0);
        assertEquals(Resources.parse("cpus:3;mem:300"), v.allocated().get("web").unallocated());
        assertEquals(Resources.parse("cpus:1;mem:100"), v.offered().get("web").unallocated());
        assertEquals(Resources.parse("cpus:2;mem:200"), v.used("web").unallocated());
        assertEquals(1, v.runningTasks());
        f.run(() -> List.copyOf(fw.offers).forEach(id -> f.ctx.offers.removeOffer(id, false, false)));
        FrameworkView after = f.on(() -> f.ctx.allocation.snapshot()).frameworks().get(0);
        assertTrue("nothing is offered once the offer is gone", after.offered().isEmpty());
        assertEquals(Resources.parse("cpus:2;mem:200"), after.allocated().get("web").unallocated());
    }

    @Test
    public void theClusterTotalIsKeptBetweenSnapshotsAndFollowsEveryChangeOfTheAgents() {
        AgentEntry a = f.agent("a", "cpus:1;mem:10");
        AgentEntry b = f.agent("b", "cpus:2;mem:20");
        AgentEntry c = f.agent("c", "cpus:4;mem:40");
        java.util.function.Supplier<Resources> total = () -> f.on(() -> f.ctx.allocation.snapshot()).total();
        Resources first = total.get();
        assertEquals(Resources.parse("cpus:7;mem:70"), first);
        assertTrue("nothing changed: the kept sum", first == total.get());
        f.run(() -> b.setTotal(b.total().plus(Resources.parse("disk:5")))); // an operation or a reservation
        assertEquals(Resources.parse("cpus:7;mem:70;disk:5"), total.get());
        f.run(() -> c.setConnected(false));
        assertEquals(Resources.parse("cpus:3;mem:30;disk:5"), total.get());
        // as many connected as were counted, but another set: c back, a gone
        f.run(() -> {
            c.setConnected(true);
            a.setConnected(false);
        });
        assertEquals(Resources.parse("cpus:6;mem:60;disk:5"), total.get());
        // one removed from the table and a new one in its place
        f.run(() -> f.state.agents.remove(b.id));
        f.agent("d", "cpus:8");
        assertEquals(Resources.parse("cpus:12;mem:40"), total.get());
        f.run(() -> c.setConnected(false));
        assertEquals(Resources.parse("cpus:8"), total.get());
    }

    /**
     * The agents' views are kept between snapshots: those of agents that did not change are the very same objects,
     * and whatever the changes (offers, declines, deactivation, new attributes or totals, agents leaving, coming back
     * or changed while away), the snapshot's views are what a visit of every agent makes.
     */
    @Test
    public void agentViewsAreMadeAgainForTheChangedAgentsAloneAndAreWhatAVisitOfAllMakes() {
        List<AgentEntry> agents = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            agents.add(f.agent("a" + i, "cpus:4;mem:1024"));
        }
        FrameworkEntry fw = f.framework("fw1", "*");
        java.util.function.Supplier<List<AgentView>> views = () -> f.on(() -> f.ctx.allocation.snapshot()).agents();
        java.util.function.Supplier<List<AgentView>> visit = () -> f.on(() -> f.state.agentViews.visitAll());
        List<AgentView> first = views.get();
        assertEquals(visit.get(), first);
        io.pangaea.model.Offer offer = f.on(() -> f.ctx.offers.make(fw, agents.get(3), "*",
                Resources.parse("cpus:1")));
        f.run(() -> {
            agents.get(7).setDeactivated(true);
            AgentEntry a = agents.get(9);
            a.setInfo(new io.pangaea.model.AgentInfo(a.info().hostname(), 5051, a.info().resources(),
                    List.of(io.pangaea.model.Attribute.text("rack", "r1")), a.id));
            agents.get(11).setTotal(agents.get(11).total().plus(Resources.parse("disk:5")));
            agents.get(12).setAvailable(agents.get(12).available()); // the same: no change
        });
        List<AgentView> second = views.get();
        assertEquals(visit.get(), second);
        java.util.Map<io.pangaea.model.AgentId, AgentView> before = byId(first);
        java.util.Map<io.pangaea.model.AgentId, AgentView> after = byId(second);
        assertFalse("a deactivated agent has nothing to grant: left out", after.containsKey(agents.get(7).id));
        for (int i = 0; i < 20; i++) {
            boolean changed = List.of(3, 9, 11).contains(i);
            if (i != 7) {
                assertEquals("agent " + i + " made again: " + changed, changed,
                        before.get(agents.get(i).id) != after.get(agents.get(i).id));
            }
        }
        assertEquals(Resources.parse("cpus:3;mem:1024"), after.get(agents.get(3).id).available());
        assertEquals("rack", after.get(agents.get(9).id).attributes().get(0).name());
        assertEquals(Resources.parse("cpus:80;mem:20480;disk:5"), f.on(() -> f.ctx.allocation.snapshot()).total());

        f.run(() -> f.ctx.offers.decline(fw, List.of(offer.id()), null));
        assertEquals(Resources.parse("cpus:4;mem:1024"), byId(views.get()).get(agents.get(3).id).available());
        assertEquals(visit.get(), views.get());

        // an agent all of whose resources are offered is left out, and is back once they are declined
        io.pangaea.model.Offer all = f.on(() -> f.ctx.offers.make(fw, agents.get(4), "*",
                Resources.parse("cpus:4;mem:1024")));
        assertFalse(byId(views.get()).containsKey(agents.get(4).id));
        assertEquals(visit.get(), views.get());
        assertEquals("the total still counts it", Resources.parse("cpus:80;mem:20480;disk:5"),
                f.on(() -> f.ctx.allocation.snapshot()).total());
        f.run(() -> f.ctx.offers.decline(fw, List.of(all.id()), null));
        assertTrue(byId(views.get()).containsKey(agents.get(4).id));

        f.run(() -> agents.get(0).setConnected(false));
        assertEquals(18, views.get().size()); // 19 connected, one of them deactivated
        assertEquals(visit.get(), views.get());
        f.run(() -> {
            agents.get(0).setConnected(true);
            f.state.agents.remove(agents.get(1).id);
            f.state.agentViews.membershipChanged();
        });
        assertEquals(18, views.get().size());
        assertEquals(visit.get(), views.get());
        // changed while away: seen once it is back
        f.run(() -> agents.get(2).setConnected(false));
        views.get();
        f.run(() -> agents.get(2).setAvailable(Resources.parse("cpus:1")));
        f.run(() -> agents.get(2).setConnected(true));
        assertEquals(Resources.parse("cpus:1"), byId(views.get()).get(agents.get(2).id).available());
        assertEquals(visit.get(), views.get());
        assertEquals(Resources.parse("cpus:76;mem:19456;disk:5"), f.on(() -> f.ctx.allocation.snapshot()).total());
    }

    private static java.util.Map<io.pangaea.model.AgentId, AgentView> byId(List<AgentView> views) {
        java.util.Map<io.pangaea.model.AgentId, AgentView> m = new java.util.HashMap<>();
        views.forEach(v -> m.put(v.id(), v));
        return m;
    }

    @Test
    public void disconnectedAgentsAndInactiveFrameworksAreLeftOutAndExpiredFiltersDropped() {
        AgentEntry up = f.agent("up", "cpus:1");
        AgentEntry down = f.agent("down", "cpus:8");
        FrameworkEntry active = f.framework("fw1", "*");
        FrameworkEntry gone = f.framework("fw2", "*");
        f.run(() -> {
            down.setConnected(false);
            gone.connected = false;
            active.filters = java.util.Map.of(up.id, List.of(
                    new DeclineFilter(Resources.parse("cpus:1"), System.nanoTime() - 1),
                    new DeclineFilter(Resources.parse("cpus:1"), System.nanoTime() + 60_000_000_000L)));
        });
        ClusterView view = f.on(() -> f.ctx.allocation.snapshot());
        assertEquals(List.of(up.id), view.agents().stream().map(x -> x.id()).toList());
        assertEquals(List.of(active.id), view.frameworks().stream().map(FrameworkView::id).toList());
        assertEquals(Resources.parse("cpus:1"), view.total());
        assertTrue(view.filters().isFiltered(active.id, up.id, Resources.parse("cpus:1")));
        f.run(() -> assertEquals("the expired filter is dropped", 1, active.filters.get(up.id).size()));
        assertFalse(view.filters().isFiltered(active.id, down.id, Resources.parse("cpus:1")));
    }

    @Test
    public void aSnapshotKeepsTheFiltersItSawAndTheNextChangesCopyThemOnce() {
        AgentEntry a1 = f.agent("a1", "cpus:1");
        AgentEntry a2 = f.agent("a2", "cpus:1");
        AgentEntry a3 = f.agent("a3", "cpus:1");
        FrameworkEntry fw = f.framework("fw1", "*");
        f.run(() -> f.ctx.offers.addFilter(fw, a1.id, Resources.parse("cpus:1"), 60));
        ClusterView view = f.on(() -> f.ctx.allocation.snapshot());
        java.util.Map<?, ?> copy = f.on(() -> {
            f.ctx.offers.addFilter(fw, a2.id, Resources.parse("cpus:1"), 60);
            java.util.Map<?, ?> first = fw.filters;
            f.ctx.offers.addFilter(fw, a3.id, Resources.parse("cpus:1"), 60);
            assertTrue("changes between two snapshots are made in the same copy", first == fw.filters);
            return first;
        });
        assertTrue(view.filters().isFiltered(fw.id, a1.id, Resources.parse("cpus:1")));
        assertFalse("the snapshot does not see later declines",
                view.filters().isFiltered(fw.id, a2.id, Resources.parse("cpus:1")));
        assertFalse(view.filters().isFiltered(fw.id, a3.id, Resources.parse("cpus:1")));
        ClusterView next = f.on(() -> f.ctx.allocation.snapshot());
        assertTrue(next.filters().isFiltered(fw.id, a2.id, Resources.parse("cpus:1")));
        assertTrue(next.filters().isFiltered(fw.id, a3.id, Resources.parse("cpus:1")));
        f.run(() -> f.ctx.offers.addFilter(fw, a1.id, Resources.parse("cpus:1"), 60));
        assertTrue("a change after the second snapshot copies again", f.on(() -> fw.filters) != copy);
        assertEquals(3, next.agents().size());
    }

    @Test
    public void aCycleWaitsWhileTheLoopIsBehindAndRunsOnceItCatchesUp() {
        java.util.concurrent.atomic.AtomicInteger cycles = new java.util.concurrent.atomic.AtomicInteger();
        f.ctx.lag.start();
        try {
            allocateWith(view -> {
                cycles.incrementAndGet();
                return List.of();
            });
            org.awaitility.Awaitility.await().until(() -> cycles.get() >= 1);
            int before = cycles.get();
            // the loop is busy for 300 ms (three times the lag a cycle tolerates), and a cycle is asked for meanwhile
            f.loop.execute(() -> busyFor(300));
            f.ctx.allocation.requestAllocation();
            org.awaitility.Awaitility.await().until(() -> cycles.get() == before + 1);
            assertEquals("the cycle was put off once", 1L, (long) f.on(() -> f.ctx.allocation.deferred()));
            assertTrue("the loop has caught up", f.on(() -> f.ctx.lag.millis()) < AllocationLoop.MAX_LAG_MS);
        } finally {
            f.ctx.lag.stop();
        }
    }

    @Test
    public void cyclesThatEventsAskForArePacedByTheLengthOfTheLastOne() {
        List<Long> starts = new java.util.concurrent.CopyOnWriteArrayList<>();
        allocateWith(view -> {
            starts.add(System.nanoTime());
            busyFor(50); // a cycle that decides for 50 ms
            return List.of();
        });
        org.awaitility.Awaitility.await().until(() -> starts.size() >= 1);
        f.ctx.allocation.requestAllocation(); // at once, and again while it waits: one cycle
        f.ctx.allocation.requestAllocation();
        org.awaitility.Awaitility.await().until(() -> starts.size() >= 2);
        long gapMs = (starts.get(1) - starts.get(0)) / 1_000_000;
        assertTrue("the second cycle started " + gapMs + " ms after the first, expected at least 50 + 4 x 50",
                gapMs >= 50 + AllocationLoop.PACE * 50);
        assertEquals("requests that came while it waited made one cycle", 2, starts.size());
    }
}
