package io.pangaea.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pangaea.model.Resources;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Test;

/** The sandbox garbage collector on real directories, with its delay and the disk usage it sees under test. */
public class GarbageCollectorTest {

    private final ScheduledThreadPoolExecutor state = new ScheduledThreadPoolExecutor(1);
    private final java.util.concurrent.ExecutorService workers = Executors.newCachedThreadPool();
    private Path work;

    private AgentContext context(Duration delay, double headroom) throws Exception {
        work = Files.createTempDirectory("pangaea-gc");
        AgentConfig config = new AgentConfig("127.0.0.1:1", "127.0.0.1", 5999, "node-gc", work,
                Resources.parse("cpus:1;mem:128"), List.of(), List.of(), List.of("native"), Duration.ofSeconds(3),
                Duration.ofMinutes(1)).withGc(new AgentConfig.Gc(delay, headroom, Duration.ofMillis(100)));
        return new AgentContext(config, name -> null, state, workers, HttpClient.newHttpClient());
    }

    private <T> T on(Supplier<T> f) {
        return CompletableFuture.supplyAsync(f, state).join();
    }

    @After
    public void close() throws Exception {
        state.shutdownNow();
        workers.shutdownNow();
        if (work != null) {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Path sandbox(String framework, String executor, String container) throws Exception {
        Path run = work.resolve("slaves/S0/frameworks/" + framework + "/executors/" + executor + "/runs/" + container);
        Files.createDirectories(run);
        Files.writeString(run.resolve("stdout"), "output");
        return run;
    }

    @Test
    public void anEndedSandboxGoesAfterTheDelayWithItsEmptyParents() throws Exception {
        AgentContext ctx = context(Duration.ofMillis(300), 0.1);
        ctx.gc.diskUsage(() -> 0.0);
        Path run = sandbox("fw", "ex", "c1");
        Path other = sandbox("fw", "ex2", "c2");
        long before = System.currentTimeMillis();
        on(() -> {
            ctx.gc.start();
            ctx.gc.schedule(run, System.currentTimeMillis());
            return null;
        });
        assertEquals(1, (int) on(ctx.gc::pending));
        Awaitility.await("sandbox removed").atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(run));
        assertTrue("not before its delay", System.currentTimeMillis() - before >= 300);
        // its executor's directory went with it; the framework's stays for the other executor
        Awaitility.await("empty executor directory removed").atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(work.resolve("slaves/S0/frameworks/fw/executors/ex")));
        assertTrue(Files.exists(other));
        assertEquals(0, (int) on(ctx.gc::pending));
        Awaitility.await("counted").atMost(Duration.ofSeconds(5))
                .until(() -> on(() -> ctx.counters.get("gc/path_removals_succeeded")) == 1L);
    }

    @Test
    public void aFullDiskShortensTheDelay() throws Exception {
        AgentContext ctx = context(Duration.ofHours(1), 0.1);
        double[] usage = {0.5};
        ctx.gc.diskUsage(() -> usage[0]);
        Path recent = sandbox("fw", "recent", "c1");
        Path older = sandbox("fw", "older", "c2");
        long now = System.currentTimeMillis();
        on(() -> {
            ctx.gc.schedule(recent, now);
            ctx.gc.schedule(older, now - Duration.ofMinutes(30).toMillis());
            return null;
        });
        // half full: the longest wait is 1 h x (1 - 0.1 - 0.5) = 24 min, so the 30-minute-old one goes
        assertEquals(Duration.ofMinutes(24), on(ctx.gc::maxAge));
        on(() -> {
            ctx.gc.prune();
            return null;
        });
        Awaitility.await("the older sandbox removed").atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(older));
        assertTrue(Files.exists(recent));
        // 95% full: beyond the headroom, nothing waits
        usage[0] = 0.95;
        on(() -> {
            ctx.gc.prune();
            return null;
        });
        Awaitility.await("the recent one too").atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(recent));
        assertFalse(Files.exists(work.resolve("slaves/S0/frameworks/fw/executors/recent")));
    }

    @Test
    public void sandboxesAnEarlierRunLeftAreScheduledByTheirAge() throws Exception {
        AgentContext ctx = context(Duration.ofHours(1), 0.1);
        ctx.gc.diskUsage(() -> 0.0);
        Path old = sandbox("fw", "old", "c1");
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()
                - Duration.ofHours(2).toMillis()));
        Path fresh = sandbox("fw", "fresh", "c2");
        on(() -> {
            ctx.gc.scheduleLeftovers();
            ctx.gc.prune();
            return null;
        });
        Awaitility.await("the two-hour-old sandbox removed").atMost(Duration.ofSeconds(5))
                .until(() -> !Files.exists(old));
        assertTrue(Files.exists(fresh));
        assertEquals(1, (int) on(ctx.gc::pending));
    }
}
