package io.pangaea.master.conformance;

import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.scheduler.SchedulerDriver;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The Java scheduler library with many frameworks in one process: the drivers share one HTTP client (one selector
 * thread and its few executor threads for all of them, not two or three threads per driver), and closing one driver
 * leaves the others' stream and calls working, while the master sees the closed one disconnected at once.
 */
public class SchedulerLibraryTest {

    private static Harness h;

    @BeforeClass
    public static void up() throws Exception {
        h = new Harness(MasterConfig.defaults());
    }

    @AfterClass
    public static void down() throws Exception {
        h.close();
    }

    /** The names of the live selector threads of the JDK's HTTP clients. */
    private static Set<String> selectorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("HttpClient-") && n.endsWith("-SelectorManager"))
                .collect(Collectors.toSet());
    }

    private static long count(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().equals(prefix)).count();
    }

    /** The names of the connected frameworks {@code /master/state} lists. */
    private static Set<String> connected() throws Exception {
        com.fasterxml.jackson.databind.JsonNode state = Harness.JSON.readTree(Harness.HTTP.send(
                java.net.http.HttpRequest.newBuilder(URI.create(h.url("/master/state"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        Set<String> names = new java.util.TreeSet<>();
        state.path("frameworks").forEach(f -> {
            if (f.path("connected").asBoolean()) {
                names.add(f.path("name").asText());
            }
        });
        return names;
    }

    /** shared-1 to shared-{@code n}. */
    private static Set<String> expected(int n) {
        Set<String> names = new java.util.TreeSet<>();
        for (int i = 1; i <= n; i++) {
            names.add("shared-" + i);
        }
        return names;
    }

    @Test
    public void twentyDriversShareOneClientAndClosingOneLeavesTheOthersWorking() throws Exception {
        long executorsBefore = count("scheduler-http");
        Set<String> selectorsBefore = selectorThreads();
        List<SchedulerDriver> drivers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                FrameworkInfo info = new FrameworkInfo("root", "shared-" + i, null, 60.0, false, "*", null, null,
                        null, null, List.of(), null);
                SchedulerDriver d = SchedulerDriver.builder(URI.create(h.url("/")), info)
                        .scheduler(new io.pangaea.scheduler.Scheduler() { }).build();
                drivers.add(d);
                d.start();
            }
            Awaitility.await("every framework subscribed").atMost(Duration.ofSeconds(30))
                    .until(() -> drivers.stream().allMatch(d -> d.frameworkId() != null));
            for (SchedulerDriver d : drivers) {
                d.revive().get(10, TimeUnit.SECONDS); // a call each, on the shared client
            }
            Set<String> selectorsNow = selectorThreads();
            selectorsNow.removeAll(selectorsBefore);
            // the shared client's selector, made on first use in this process: one at most for all 20 drivers
            assertTrue("new selector threads: " + selectorsNow, selectorsNow.size() <= 1);
            long executors = count("scheduler-http");
            assertTrue("executor threads " + executorsBefore + " -> " + executors,
                    executors <= Math.max(executorsBefore, Math.max(2, Runtime.getRuntime().availableProcessors())));

            drivers.get(0).close();
            for (SchedulerDriver d : drivers.subList(1, drivers.size())) {
                d.revive().get(10, TimeUnit.SECONDS);
            }
            assertTrue(connected().containsAll(expected(19)));
            // the master sees the closed one's connection go at once, not at its next heartbeat (15 s)
            Awaitility.await("closed driver's framework disconnected").atMost(Duration.ofSeconds(5))
                    .until(() -> !connected().contains("shared-0"));
            assertTrue(connected().containsAll(expected(19)));
            assertTrue("a closed driver makes no call", drivers.get(0).revive().isCompletedExceptionally());
        } finally {
            drivers.forEach(SchedulerDriver::close);
        }
    }
}
