package io.pangaea.master.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;

/** The master's event loop: work in order, timers kept apart and handed over when due. */
public class LoopExecutorTest {

    private final LoopExecutor loop = new LoopExecutor(r -> thread(r, "test-loop"), r -> thread(r, "test-timers"));

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @After
    public void stop() {
        loop.shutdownNow();
    }

    /** Blocks the loop until the returned latch is counted down. */
    private CountDownLatch blockLoop() {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        loop.execute(() -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return release;
    }

    @Test
    public void workRunsOnOneThreadInTheOrderItWasPostedAndIsCountedUntilItStarts() {
        CountDownLatch release = blockLoop();
        List<Integer> ran = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.execute(() -> {
                ran.add(n);
                threads.add(Thread.currentThread().getName());
            });
        }
        assertEquals(100, loop.waiting());
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 100);
        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), ran);
        assertEquals(List.of("test-loop"), threads.stream().distinct().toList());
        assertEquals(0, loop.waiting());
    }

    @Test
    public void aTimerRunsOnTheLoopWhenDueAndGivesItsResult() throws Exception {
        long start = System.nanoTime();
        ScheduledFuture<String> f = loop.schedule(() -> Thread.currentThread().getName(), 50, TimeUnit.MILLISECONDS);
        assertTrue(f.getDelay(TimeUnit.MILLISECONDS) > 0);
        assertEquals("test-loop", f.get(10, TimeUnit.SECONDS));
        assertTrue("not before it was due", System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
        assertTrue(f.isDone());
        assertFalse("done already", f.cancel(false));
    }

    @Test
    public void aTimerCancelledAfterItWasHandedOverDoesNotRun() {
        CountDownLatch release = blockLoop();
        AtomicInteger ran = new AtomicInteger();
        ScheduledFuture<?> f = loop.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS);
        // fallen due: handed to the loop, which is busy
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.waiting() == 1);
        assertTrue(f.cancel(false));
        CountDownLatch after = new CountDownLatch(1);
        loop.execute(after::countDown);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> after.getCount() == 0);
        assertEquals(0, ran.get());
        assertTrue(f.isCancelled());
    }

    @Test
    public void aPeriodicTimerWaitingForTheLoopIsNotHandedOverTwice() {
        CountDownLatch release = blockLoop();
        AtomicInteger ran = new AtomicInteger();
        ScheduledFuture<?> f = loop.scheduleAtFixedRate(ran::incrementAndGet, 0, 1, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.waiting() == 1);
        // it falls due every millisecond meanwhile, and still only one run waits
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10)).until(() -> loop.waiting() == 1);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() >= 3);
        f.cancel(false);
        int after = ran.get();
        CountDownLatch drained = new CountDownLatch(1);
        loop.execute(drained::countDown);
        await().atMost(Duration.ofSeconds(10)).until(() -> drained.getCount() == 0);
        assertTrue("at most the run already handed over", ran.get() <= after + 1);
    }

    @Test
    public void workThatThrowsIsLoggedAndTheLoopGoesOn() throws Exception {
        loop.execute(() -> {
            throw new IllegalStateException("thrown on purpose by the test");
        });
        ScheduledFuture<?> failing = loop.scheduleAtFixedRate(() -> {
            throw new IllegalStateException("thrown on purpose by the test");
        }, 0, 1, TimeUnit.MILLISECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException);
        assertEquals("the loop's own thread still runs", "test-loop",
                loop.schedule(() -> Thread.currentThread().getName(), 0, TimeUnit.MILLISECONDS)
                        .get(10, TimeUnit.SECONDS));
    }

    @Test
    public void nothingIsTakenOnceStopped() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        ScheduledFuture<?> later = loop.schedule(ran::incrementAndGet, 100, TimeUnit.MILLISECONDS);
        loop.shutdownNow();
        assertTrue(loop.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> loop.execute(ran::incrementAndGet));
        assertThrows(RejectedExecutionException.class, () -> loop.schedule(ran::incrementAndGet, 1,
                TimeUnit.MILLISECONDS));
        assertTrue(loop.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(loop.isTerminated());
        assertFalse(later.isDone());
        assertEquals(0, ran.get());
    }
}
