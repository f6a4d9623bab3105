package io.pangaea.framework.services.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.framework.support.FileStateStore;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.scheduler.Call;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The services runner's decisions, driven through its loop with a recording stand-in for the master. */
public class ServiceSchedulerTest {

    /** What the runner asked of the master. */
    static final class Recorder implements io.pangaea.framework.support.FrameworkCalls {
        final List<TaskInfo> launched = new CopyOnWriteArrayList<>();
        final List<String> killed = new CopyOnWriteArrayList<>();
        final List<OfferId> declined = new CopyOnWriteArrayList<>();
        final List<List<Call.Reconcile.ReconcileTask>> reconciled = new CopyOnWriteArrayList<>();
        final AtomicInteger suppressed = new AtomicInteger();
        final AtomicInteger revived = new AtomicInteger();

        private static CompletableFuture<Void> done() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> launch(List<OfferId> offerIds, List<TaskInfo> tasks, double refuse) {
            launched.addAll(tasks);
            return done();
        }

        @Override
        public CompletableFuture<Void> decline(List<OfferId> offerIds, double refuseSeconds) {
            declined.addAll(offerIds);
            return done();
        }

        @Override
        public CompletableFuture<Void> kill(TaskId taskId, AgentId agentId, KillPolicy policy) {
            killed.add(taskId.value());
            return done();
        }

        @Override
        public CompletableFuture<Void> suppress() {
            suppressed.incrementAndGet();
            return done();
        }

        @Override
        public CompletableFuture<Void> revive() {
            revived.incrementAndGet();
            return done();
        }

        @Override
        public CompletableFuture<Void> reconcile(List<Call.Reconcile.ReconcileTask> tasks) {
            reconciled.add(tasks);
            return done();
        }
    }

    /** A clock the test moves. */
    static final class Hands extends Clock {
        volatile Instant now = Instant.parse("2026-12-05T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private FileStateStore store;
    private ServiceScheduler s;
    private Apps apps;
    private Recorder master;
    private final Hands clock = new Hands();
    private int offers;

    @Before
    public void setUp() throws Exception {
        store = new FileStateStore(Files.createTempDirectory("services-state"));
        start();
    }

    private void start() {
        Events events = new Events(json);
        s = new ServiceScheduler(json, store, events);
        s.clock = clock;
        apps = new Apps(json, s, events);
        apps.store(store);
        s.acting(true);
        master = new Recorder();
        on(() -> s.subscribed(master, new FrameworkId("F")));
    }

    @After
    public void tearDown() {
        s.close();
    }

    private void on(Runnable r) {
        try {
            s.onLoop(() -> {
                r.run();
                return null;
            });
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private <T> T read(java.util.concurrent.Callable<T> c) throws Exception {
        return s.onLoop(c);
    }

    private Apps.Answer post(String app) throws Exception {
        return read(() -> {
            try {
                return apps.create(json.readTree(app), false);
            } catch (Apps.Refusal r) {
                return r.answer;
            }
        });
    }

    private Apps.Answer put(String id, String patch, boolean force) throws Exception {
        return read(() -> {
            try {
                return apps.update(id, json.readTree(patch), force);
            } catch (Apps.Refusal r) {
                return r.answer;
            }
        });
    }

    private void offer(String agent, double cpus) {
        Offer o = new Offer(new OfferId("O" + (++offers)), new FrameworkId("F"), new AgentId(agent), agent, null,
                List.of(Resource.scalar("cpus", cpus), Resource.scalar("mem", 100_000)), List.of(), List.of(),
                null);
        on(() -> s.handleOffers(master, List.of(o)));
    }

    private void status(TaskInfo t, TaskState state) {
        on(() -> s.handleUpdate(master, new TaskStatus(t.taskId(), state, null, TaskStatus.Source.SOURCE_EXECUTOR,
                null, null, t.agentId(), null, null, null, null, null, null)));
    }

    private void status(String taskId, TaskState state) {
        on(() -> s.handleUpdate(master, new TaskStatus(new TaskId(taskId), state, null,
                TaskStatus.Source.SOURCE_EXECUTOR, null, null, new AgentId("A"), null, null, null, null, null,
                null)));
    }

    private void runAll() {
        for (TaskInfo t : master.launched) {
            if (read0(() -> s.instances.containsKey(t.taskId().value())
                    && s.instances.get(t.taskId().value()).state.equals("TASK_STAGING"))) {
                status(t, TaskState.TASK_RUNNING);
            }
        }
    }

    private <T> T read0(java.util.concurrent.Callable<T> c) {
        try {
            return read(c);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private int active(String app) {
        return read0(() -> (int) s.instancesOf(app).stream().filter(i -> !i.killRequested).count());
    }

    private static final String APP = "{\"id\":\"/web\",\"cmd\":\"run\",\"cpus\":1,\"mem\":10,\"portDefinitions\":[]";

    @Test
    public void launchesUpToTheCountOnTheOffersThenSuppresses() throws Exception {
        assertEquals(201, post(APP + ",\"instances\":3}").status());
        offer("A", 2.5);
        assertEquals(2, master.launched.size());
        offer("B", 8);
        assertEquals(3, master.launched.size());
        offer("C", 8);
        assertEquals(3, master.launched.size());
        assertEquals(1, master.declined.size());
        runAll();
        assertTrue(read(() -> s.deployments.isEmpty()));
        assertTrue(master.suppressed.get() > 0);
        int revives = master.revived.get();
        put("/web", "{\"instances\":4}", false);
        assertTrue(master.revived.get() > revives);
    }

    @Test
    public void aRollingUpgradeNeverGoesBelowTheMinimumHealthCapacity() throws Exception {
        post(APP + ",\"instances\":4,\"upgradeStrategy\":{\"minimumHealthCapacity\":0.75,"
                + "\"maximumOverCapacity\":0.25}}");
        offer("A", 100);
        runAll();
        assertTrue(read(() -> s.deployments.isEmpty()));
        List<String> old = new ArrayList<>(read(() -> s.instances.keySet()));
        put("/web", "{\"cmd\":\"run --v2\"}", false);
        int lowest = Integer.MAX_VALUE;
        int maxTotal = 0;
        for (int round = 0; round < 20 && !read(() -> s.deployments.isEmpty()); round++) {
            // kills done, launches placed, new instances running: the healthy count at each point
            for (String k : new ArrayList<>(master.killed)) {
                if (read(() -> s.instances.containsKey(k))) {
                    status(k, TaskState.TASK_KILLED);
                }
            }
            lowest = Math.min(lowest, read(() -> (int) s.instances.values().stream()
                    .filter(i -> i.running() && !i.killRequested).count()));
            offer("A", 100);
            maxTotal = Math.max(maxTotal, read(() -> s.instances.size()));
            runAll();
            lowest = Math.min(lowest, read(() -> (int) s.instances.values().stream()
                    .filter(i -> i.running() && !i.killRequested).count()));
        }
        assertTrue(read(() -> s.deployments.isEmpty()));
        assertTrue("lowest " + lowest, lowest >= 3);
        assertTrue("at most 5 at once, saw " + maxTotal, maxTotal <= 5);
        for (String o : old) {
            assertTrue(master.killed.contains(o));
        }
        assertEquals(4, active("/web"));
    }

    @Test
    public void scaleDownKillsTheYoungestFirstOrTheOldestWhenAsked() throws Exception {
        post(APP + ",\"instances\":3}");
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(10));
            offer("A", 1);
        }
        runAll();
        List<String> byAge = master.launched.stream().map(t -> t.taskId().value()).toList();
        put("/web", "{\"instances\":1}", false);
        assertEquals(List.of(byAge.get(2), byAge.get(1)), master.killed);

        post("{\"id\":\"/old\",\"cmd\":\"run\",\"cpus\":1,\"mem\":10,\"portDefinitions\":[],\"instances\":2,"
                + "\"killSelection\":\"OLDEST_FIRST\"}");
        int before = master.launched.size();
        clock.advance(Duration.ofSeconds(10));
        offer("B", 1);
        clock.advance(Duration.ofSeconds(10));
        offer("B", 1);
        runAll();
        String oldest = master.launched.get(before).taskId().value();
        master.killed.clear();
        put("/old", "{\"instances\":1}", false);
        assertEquals(List.of(oldest), master.killed);
    }

    @Test
    public void failuresBackOffAndANewVersionResetsTheDelay() throws Exception {
        post(APP + ",\"instances\":1,\"backoffSeconds\":10,\"backoffFactor\":2}");
        offer("A", 8);
        runAll();
        status(master.launched.get(0), TaskState.TASK_FAILED);
        offer("A", 8);
        assertEquals("waits 10 s", 1, master.launched.size());
        clock.advance(Duration.ofSeconds(11));
        offer("A", 8);
        assertEquals(2, master.launched.size());
        status(master.launched.get(1), TaskState.TASK_FAILED);
        clock.advance(Duration.ofSeconds(11));
        offer("A", 8);
        assertEquals("now waits 20 s", 2, master.launched.size());
        clock.advance(Duration.ofSeconds(10));
        offer("A", 8);
        assertEquals(3, master.launched.size());
        status(master.launched.get(2), TaskState.TASK_FAILED);
        put("/web", "{\"cmd\":\"run --fixed\"}", true);
        offer("A", 8);
        assertEquals("a new version starts at once", 4, master.launched.size());
        // a kill the runner asked for is not a failure
        assertTrue(read(() -> s.lastFailures.containsKey("/web")));
    }

    @Test
    public void unreachableInstancesAreReplacedAfterInactiveAfterSeconds() throws Exception {
        post(APP + ",\"instances\":1,\"unreachableStrategy\":{\"inactiveAfterSeconds\":60,"
                + "\"expungeAfterSeconds\":120}}");
        offer("A", 8);
        runAll();
        status(master.launched.get(0), TaskState.TASK_UNREACHABLE);
        offer("B", 8);
        assertEquals(1, master.launched.size());
        clock.advance(Duration.ofSeconds(61));
        offer("B", 8);
        assertEquals(2, master.launched.size());
        clock.advance(Duration.ofSeconds(60));
        on(s::step);
        assertFalse("expunged", read(() -> s.instances.containsKey(master.launched.get(0).taskId().value())));
    }

    @Test
    public void anUnknownRunningTaskIsKilled() {
        status("stray.instance-1._app.1", TaskState.TASK_RUNNING);
        assertEquals(List.of("stray.instance-1._app.1"), master.killed);
    }

    @Test
    public void aNewActingInstanceReadsTheStoreAndReconcilesWithoutLaunchingAgain() throws Exception {
        post(APP + ",\"instances\":2}");
        offer("A", 8);
        assertEquals(2, master.launched.size());
        s.close();
        start(); // another instance on the same store
        assertEquals(2, (int) read(() -> s.instances.size()));
        assertEquals(2, master.reconciled.get(0).size());
        offer("A", 8);
        assertEquals("nothing launched twice", 0, master.launched.size());
        assertEquals(1, read(() -> s.deployments.size()).intValue());
    }

    @Test
    public void lockedAppsAnswer409UnlessForced() throws Exception {
        post(APP + ",\"instances\":1}");
        assertEquals(409, put("/web", "{\"instances\":2}", false).status());
        assertEquals(200, put("/web", "{\"instances\":2}", true).status());
        assertEquals(1, read(() -> s.deployments.size()).intValue());
    }
}
