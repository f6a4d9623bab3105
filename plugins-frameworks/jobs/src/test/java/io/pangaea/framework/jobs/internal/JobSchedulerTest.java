package io.pangaea.framework.jobs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.framework.support.FileStateStore;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.scheduler.Call;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The jobs scheduler's guarantees, driven through its loop with a moving clock and a recording master. */
public class JobSchedulerTest {

    static final class Recorder implements io.pangaea.framework.support.FrameworkCalls {
        final List<TaskInfo> launched = new CopyOnWriteArrayList<>();
        final List<String> killed = new CopyOnWriteArrayList<>();
        final List<List<Call.Reconcile.ReconcileTask>> reconciled = new CopyOnWriteArrayList<>();

        private static CompletableFuture<Void> done() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> launch(List<OfferId> offers, List<TaskInfo> tasks, double refuse) {
            launched.addAll(tasks);
            return done();
        }

        @Override
        public CompletableFuture<Void> decline(List<OfferId> offers, double refuse) {
            return done();
        }

        @Override
        public CompletableFuture<Void> kill(TaskId task, AgentId agent, io.pangaea.model.KillPolicy policy) {
            killed.add(task.value());
            return done();
        }

        @Override
        public CompletableFuture<Void> suppress() {
            return done();
        }

        @Override
        public CompletableFuture<Void> revive() {
            return done();
        }

        @Override
        public CompletableFuture<Void> reconcile(List<Call.Reconcile.ReconcileTask> tasks) {
            reconciled.add(tasks);
            return done();
        }
    }

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
    }

    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Hands clock = new Hands();
    private FileStateStore store;
    private JobScheduler s;
    private Jobs jobs;
    private Recorder master;
    private int offers;

    @Before
    public void setUp() throws Exception {
        store = new FileStateStore(Files.createTempDirectory("jobs-state"));
        start();
    }

    private void start() throws Exception {
        s = new JobScheduler(json, store);
        s.clock = clock;
        jobs = new Jobs(json, s);
        s.acting(true);
        master = new Recorder();
        read(() -> {
            s.subscribed(master);
            return null;
        });
    }

    @After
    public void tearDown() {
        s.close();
    }

    private <T> T read(Callable<T> c) throws Exception {
        return s.onLoop(c);
    }

    private void post(String job, boolean dependent) throws Exception {
        Object r = read(() -> {
            try {
                jobs.put(jobs.read(job.getBytes(StandardCharsets.UTF_8)), dependent);
                return null;
            } catch (Jobs.Invalid e) {
                return e;
            }
        });
        if (r instanceof Jobs.Invalid e) {
            throw e;
        }
    }

    private String invalid(String job, boolean dependent) {
        return assertThrows(Jobs.Invalid.class, () -> post(job, dependent)).getMessage();
    }

    private void advance(Duration d) throws Exception {
        clock.now = clock.now.plus(d);
        read(() -> {
            s.step();
            return null;
        });
    }

    private void offer() throws Exception {
        Offer o = new Offer(new OfferId("O" + (++offers)), new FrameworkId("F"), new AgentId("A"), "host", null,
                List.of(Resource.scalar("cpus", 8), Resource.scalar("mem", 8192), Resource.scalar("disk", 8192)),
                List.of(), List.of(), null);
        read(() -> {
            s.handleOffers(master, List.of(o));
            return null;
        });
    }

    private void status(TaskInfo t, TaskState state) throws Exception {
        status(t.taskId().value(), state, null);
    }

    private void status(String taskId, TaskState state, TaskStatus.Reason reason) throws Exception {
        read(() -> {
            s.handleUpdate(master, new TaskStatus(new TaskId(taskId), state, null, TaskStatus.Source.SOURCE_MASTER,
                    reason, null, new AgentId("A"), null, null, null, null, null, null));
            return null;
        });
    }

    private List<Occurrence> history(String job) throws Exception {
        return read(() -> List.copyOf(s.history.get(job)));
    }

    private Job job(String name) throws Exception {
        return read(() -> s.jobs.get(name));
    }

    private static String scheduled(String name, String schedule, String extra) {
        return "{\"name\":\"" + name + "\",\"command\":\"true\",\"schedule\":\"" + schedule + "\"" + extra + "}";
    }

    @Test
    public void eachDueTimeOnceAndLateOnesSkippedWithTheirReason() throws Exception {
        post(scheduled("tick", "R/2026-12-05T00:00:10Z/PT10S", ",\"epsilon\":\"PT30S\""), false);
        for (int i = 0; i < 6; i++) {
            advance(Duration.ofSeconds(10));
            offer();
            status(master.launched.get(master.launched.size() - 1), TaskState.TASK_FINISHED);
            offer(); // nothing more to launch for this due time
        }
        assertEquals(6, master.launched.size());
        assertEquals(6, history("tick").size());
        Set<String> ids = new HashSet<>();
        history("tick").forEach(o -> ids.add(o.id));
        assertEquals(6, ids.size());
        assertEquals(6L, (long) job("tick").successCount());
        // down for 100 s: the due times past epsilon (70 to 120) are skipped; 130 waits for an offer, and the three
        // after it are skipped as well, since concurrent is false
        advance(Duration.ofSeconds(100));
        List<Occurrence> h = history("tick");
        assertEquals(16, h.size());
        assertEquals(6, h.stream().filter(o -> o.state == Occurrence.State.SKIPPED
                && o.reason.startsWith("past epsilon")).count());
        assertEquals(3, h.stream().filter(o -> o.state == Occurrence.State.SKIPPED
                && o.reason.contains("still going")).count());
        assertEquals(1, h.stream().filter(o -> o.state == Occurrence.State.WAITING).count());
    }

    @Test
    public void retriesThenOneError() throws Exception {
        post(scheduled("flaky", "R1//PT1M", ""), false);
        advance(Duration.ofSeconds(1));
        for (int i = 0; i < 3; i++) {
            offer();
            status(master.launched.get(i), TaskState.TASK_FAILED);
        }
        offer();
        assertEquals("the first try and its 2 retries", 3, master.launched.size());
        assertEquals(1L, (long) job("flaky").errorCount());
        assertEquals(0L, (long) job("flaky").successCount());
        Occurrence o = history("flaky").get(0);
        assertEquals(Occurrence.State.FAILED, o.state);
        assertEquals(3, o.attempts.size());
    }

    @Test
    public void notConcurrentSkipsWhileThePreviousRuns() throws Exception {
        post(scheduled("slow", "R/2026-12-05T00:00:10Z/PT10S", ""), false);
        advance(Duration.ofSeconds(10));
        offer();
        status(master.launched.get(0), TaskState.TASK_RUNNING);
        advance(Duration.ofSeconds(10));
        Occurrence second = history("slow").get(1);
        assertEquals(Occurrence.State.SKIPPED, second.state);
        assertTrue(second.reason.contains("still going"));
    }

    @Test
    public void aChildRunsOnceAfterAllItsParentsSucceeded() throws Exception {
        post(scheduled("a", "R/2026-12-05T00:00:10Z/PT1H", ""), false);
        post("{\"name\":\"b\",\"command\":\"true\",\"parents\":[\"a\"]}", true);
        post("{\"name\":\"c\",\"command\":\"true\",\"parents\":[\"a\"]}", true);
        post("{\"name\":\"d\",\"command\":\"true\",\"parents\":[\"b\",\"c\"]}", true);
        advance(Duration.ofSeconds(10));
        offer();
        status(master.launched.get(0), TaskState.TASK_FINISHED);
        offer();
        assertEquals(3, master.launched.size()); // a, then b and c
        status(master.launched.get(1), TaskState.TASK_FINISHED);
        offer();
        assertEquals("d waits for c", 3, master.launched.size());
        status(master.launched.get(2), TaskState.TASK_FINISHED);
        offer();
        assertEquals(4, master.launched.size());
        assertTrue(master.launched.get(3).taskId().value().contains(":d:"));
        status(master.launched.get(3), TaskState.TASK_FINISHED);
        assertEquals(1L, (long) job("d").successCount());
        // a failed parent fires nothing
        advance(Duration.ofHours(1));
        offer();
        for (int i = 0; i < 3; i++) {
            status(master.launched.get(master.launched.size() - 1), TaskState.TASK_FAILED);
            offer();
        }
        assertEquals(1, history("b").size());
    }

    @Test
    public void aNewActingInstanceAdoptsRunningTasksAndLaunchesLostOnesOnce() throws Exception {
        post(scheduled("x", "R/2026-12-05T00:00:10Z/PT10S", ",\"concurrent\":true"), false);
        advance(Duration.ofSeconds(10));
        offer();
        status(master.launched.get(0), TaskState.TASK_RUNNING);
        advance(Duration.ofSeconds(10));
        offer(); // launched, but no update came back before the failover
        String running = master.launched.get(0).taskId().value();
        String lost = master.launched.get(1).taskId().value();
        s.close();
        start();
        Set<String> asked = new HashSet<>();
        master.reconciled.get(0).forEach(t -> asked.add(t.taskId().value()));
        assertEquals(Set.of(running, lost), asked);
        status(running, TaskState.TASK_RUNNING, TaskStatus.Reason.REASON_RECONCILIATION);
        status(lost, TaskState.TASK_GONE, TaskStatus.Reason.REASON_RECONCILIATION);
        offer();
        assertEquals("only the lost launch again", 1, master.launched.size());
        assertTrue(master.launched.get(0).taskId().value().startsWith(lost.substring(0, lost.indexOf(":x:"))));
        status(running, TaskState.TASK_FINISHED, null);
        assertEquals(Occurrence.State.SUCCEEDED, history("x").get(0).state);
    }

    @Test
    public void invalidJobsAreRefusedNamingTheFieldAndStoreNothing() throws Exception {
        assertTrue(invalid(scheduled("bad name!", "R//PT1M", ""), false).startsWith("name:"));
        assertTrue(invalid(scheduled("z", "R//PT0S", ""), false).startsWith("schedule: the period must be more"));
        assertTrue(invalid(scheduled("z", "every minute", ""), false).startsWith("schedule:"));
        assertTrue(invalid(scheduled("z", "R/yesterday/PT1M", ""), false).startsWith("schedule:"));
        assertTrue(invalid("{\"name\":\"z\",\"command\":\"true\",\"parents\":[\"nobody\"]}", true)
                .startsWith("parents: no job named 'nobody'"));
        assertTrue(invalid("{\"name\":\"z\",\"command\":\"true\",\"cron\":\"61 * * * *\"}", false)
                .startsWith("cron:"));
        post(scheduled("p", "R//PT1M", ""), false);
        post("{\"name\":\"q\",\"command\":\"true\",\"parents\":[\"p\"]}", true);
        post("{\"name\":\"r\",\"command\":\"true\",\"parents\":[\"q\"]}", true);
        assertTrue(invalid("{\"name\":\"q\",\"command\":\"true\",\"parents\":[\"r\"]}", true)
                .contains("would be a cycle"));
        assertEquals(Set.of("p", "q", "r"), read(() -> Set.copyOf(s.jobs.keySet())));
        assertEquals(List.of("p"), job("q").parents());
    }

    @Test
    public void cronWithSeconds() throws Exception {
        post("{\"name\":\"c\",\"command\":\"true\",\"cron\":\"*/5 * * * * ?\"}", false);
        advance(Duration.ofSeconds(12));
        assertEquals(3, history("c").size()); // 0, 5 and 10 s
        assertEquals("2026-12-05T00:00:05Z", history("c").get(1).id);
    }
}
