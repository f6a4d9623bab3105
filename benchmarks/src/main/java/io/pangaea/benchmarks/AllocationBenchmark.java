package io.pangaea.benchmarks;

import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.drf.DrfAllocator;
import io.pangaea.master.internal.AllocationCycle;
import io.pangaea.http.EventSink;
import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.Filters;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.Resources;
import io.pangaea.model.Task;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Allocation cycle time of the master core with a real allocator, in process, in the shapes of Mesos's own allocator
 * benchmarks (agents and frameworks subscribe through the master's entry points, as over HTTP; offers come out as
 * the JSON events a framework would read).
 *
 * <ul>
 *   <li>{@code cycle}: agents {@code cpus:24;mem:4096;disk:4096;ports:[31000-32000]}, frameworks in one role; every
 *       cycle offers the whole cluster, then every offer is declined with {@code refuse_seconds: 0} (untimed) so the
 *       next cycle offers it all again.</li>
 *   <li>{@code decline}: 10k agents {@code cpus:16;mem:2014;disk:1024} whose ports are already in use by tasks of the
 *       1k frameworks, round-robin; every offer is declined with an effectively infinite filter; one cycle per
 *       round.</li>
 * </ul>
 * A cycle is timed from the snapshot of the master's state to the last offer sent. Prints median and max after
 * warm-up, and the heap in use. Args: {@code [policy] [shape...]}, e.g. {@code drf cycle:20000x2000 decline}.
 */
public final class AllocationBenchmark {

    /** Cycles left out while the JIT compiles the paths (a master runs cycles for days), and cycles measured. */
    private static final int WARMUP = Integer.getInteger("allocation.warmup", 10);
    private static final int MEASURED = Integer.getInteger("allocation.cycles", 15);

    public static void main(String[] argv) throws Exception {
        String[] args = String.join(" ", argv).trim().isEmpty() ? new String[0]
                : String.join(" ", argv).trim().split("\\s+");
        String policy = args.length > 0 ? args[0] : "drf";
        List<String> shapes = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
                : List.of("cycle:1000x100", "cycle:5000x500", "cycle:10000x1000", "cycle:20000x2000",
                "decline:10000x1000");
        System.out.printf(Locale.ROOT, "Allocation benchmark, policy %s, %d cores, max heap %d MB, JDK %s%n", policy,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"));
        for (String shape : shapes) {
            String[] p = shape.split("[:x]");
            int agents = Integer.parseInt(p[1]);
            int frameworks = Integer.parseInt(p[2]);
            switch (p[0]) {
                case "cycle" -> cycle(policy, agents, frameworks);
                case "decline" -> decline(policy, agents, frameworks);
                default -> throw new IllegalArgumentException("unknown shape " + p[0]);
            }
        }
    }

    static Allocator allocator(String name) {
        return switch (name) {
            case "drf" -> new DrfAllocator();
            case "priority" -> new io.pangaea.allocator.priority.PriorityAllocator();
            case "random" -> new io.pangaea.allocator.random.RandomAllocator();
            case "fifo" -> new io.pangaea.allocator.fifo.FifoAllocator();
            default -> throw new IllegalArgumentException("unknown policy " + name);
        };
    }

    // ---- shapes ----------------------------------------------------------------------------------------------------

    static void cycle(String policy, int agentCount, int frameworkCount) throws Exception {
        try (Cluster c = new Cluster(policy)) {
            List<Fw> fws = c.frameworks(frameworkCount, "roleA");
            c.agents(agentCount, i -> "cpus:24;mem:4096;disk:4096;ports:[31000-32000]", i -> List.of());
            List<AllocationCycle> cycles = new ArrayList<>();
            for (int round = 0; round < WARMUP + MEASURED; round++) {
                AllocationCycle cycle = c.master.allocateNow().get(10, TimeUnit.MINUTES);
                check(cycle.offers() == agentCount, "expected one offer per agent, got " + cycle.offers());
                if (round >= WARMUP) {
                    cycles.add(cycle);
                }
                c.declineAll(fws, 0);
            }
            report("cycle " + agentCount + " agents x " + frameworkCount + " frameworks", cycles, c);
        }
    }

    static void decline(String policy, int agentCount, int frameworkCount) throws Exception {
        try (Cluster c = new Cluster(policy)) {
            List<Fw> fws = c.frameworks(frameworkCount, "roleA");
            // ports in use round-robin: agent i runs a task of framework i mod F holding its whole port range
            c.agents(agentCount, i -> "cpus:16;mem:2014;disk:1024;ports:[31000-32000]", i -> {
                Fw owner = fws.get(i % fws.size());
                return List.of(new Task("t" + i, new TaskId("t" + i), owner.id, new ExecutorId("t" + i), null,
                        TaskState.TASK_RUNNING, Resources.parse("ports:[31000-32000]").allocatedTo("roleA").toList(),
                        List.of(), TaskState.TASK_RUNNING, null, null, null, null));
            });
            List<AllocationCycle> cycles = new ArrayList<>();
            for (int round = 0; round < WARMUP + MEASURED; round++) {
                AllocationCycle cycle = c.master.allocateNow().get(10, TimeUnit.MINUTES);
                check(cycle.offers() == agentCount, "round " + round + ": expected one offer per agent, got "
                        + cycle.offers());
                if (round >= WARMUP) {
                    cycles.add(cycle);
                }
                c.declineAll(fws, 1e9);
            }
            report("decline " + agentCount + " agents x " + frameworkCount + " frameworks (per round)", cycles, c);
        }
    }

    static void report(String what, List<AllocationCycle> cycles, Cluster c) {
        long[] total = cycles.stream().mapToLong(AllocationCycle::totalNanos).sorted().toArray();
        long[] decide = cycles.stream().mapToLong(AllocationCycle::decideNanos).sorted().toArray();
        long[] snap = cycles.stream().mapToLong(AllocationCycle::snapshotNanos).sorted().toArray();
        long[] apply = cycles.stream().mapToLong(AllocationCycle::applyNanos).sorted().toArray();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "BENCHMARK allocation %s: cycle median %.1f ms, min %.1f, max %.1f ms"
                        + " (snapshot %.1f, allocator %.1f, offers %.1f ms median; %d cycles) heap %d MB%n", what,
                ms(median(total)), ms(total[0]), ms(total[total.length - 1]), ms(median(snap)), ms(median(decide)),
                ms(median(apply)), cycles.size(), heap >> 20);
    }

    static long median(long[] sorted) {
        return sorted[sorted.length / 2];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    // ---- an in-process cluster ----------------------------------------------------------------------------------

    /**
     * A framework: its id and the offers it holds. Like the master's HTTP streams, {@link #send} only queues the
     * record (it runs on the master's event loop); records are read later, outside the timed cycle.
     */
    static final class Fw implements EventSink {
        volatile FrameworkId id;
        final String streamId = UUID.randomUUID().toString();
        final ConcurrentLinkedQueue<byte[]> records = new ConcurrentLinkedQueue<>();
        final List<OfferId> offers = new ArrayList<>();

        @Override
        public boolean send(byte[] record) {
            if (id == null) {
                Event e = parse(record, Event.class);
                if (e.type() == Event.Type.SUBSCRIBED) {
                    id = e.subscribed().frameworkId();
                }
                return true;
            }
            records.add(record);
            return true;
        }

        /** Reads the queued events; returns the offers received and not yet taken. */
        List<OfferId> takeOffers() {
            byte[] record;
            while ((record = records.poll()) != null) {
                Event e = parse(record, Event.class);
                if (e.type() == Event.Type.OFFERS) {
                    for (Offer o : e.offers().offers()) {
                        offers.add(o.id());
                    }
                }
            }
            List<OfferId> out = new ArrayList<>(offers);
            offers.clear();
            return out;
        }

        @Override
        public void close() {
        }

        @Override
        public void onClose(Runnable listener) {
        }
    }

    /** An agent's stream: only whether it is registered. */
    static final class AgentSink implements EventSink {
        volatile AgentId id;

        @Override
        public boolean send(byte[] record) {
            if (id == null) {
                AgentEvent e = parse(record, AgentEvent.class);
                if (e.type() == AgentEvent.Type.REGISTERED) {
                    id = e.registered().agentId();
                }
            }
            return true;
        }

        @Override
        public void close() {
        }

        @Override
        public void onClose(Runnable listener) {
        }
    }

    static final class Cluster implements AutoCloseable {
        final Master master;

        Cluster(String policy) {
            // cycles run only when asked: the periodic one is an hour away; so are the agents' health checks,
            // which these in-process agents do not answer
            master = new Master(MasterConfig.defaults().withAllocationInterval(Duration.ofHours(1))
                    .withAgentPings(Duration.ofHours(1), 5));
            master.setAllocator(allocator(policy));
            master.setAllocationPaused(true);
            master.start();
        }

        List<Fw> frameworks(int n, String role) {
            List<Fw> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Fw fw = new Fw();
                FrameworkInfo info = new FrameworkInfo("root", "bench-" + i, null, null, null, null, List.of(role),
                        null, null, null, List.of(new FrameworkInfo.Capability(
                        FrameworkInfo.Capability.Type.MULTI_ROLE)), null);
                Call sub = new Call(null, Call.Type.SUBSCRIBE, new Call.Subscribe(info, null), null, null, null, null,
                        null, null, null, null, null, null);
                master.subscribe(sub, fw.streamId, fw);
                out.add(fw);
            }
            awaitTrue(() -> out.stream().allMatch(f -> f.id != null), "frameworks subscribed");
            return out;
        }

        void agents(int n, java.util.function.IntFunction<String> resources,
                    java.util.function.IntFunction<List<Task>> tasks) {
            List<AgentSink> sinks = new CopyOnWriteArrayList<>();
            for (int i = 0; i < n; i++) {
                AgentSink sink = new AgentSink();
                AgentInfo info = new AgentInfo("agent-" + i, 5051, Resources.parse(resources.apply(i)).toList(),
                        List.of(), null);
                List<Task> running = tasks.apply(i);
                master.subscribeAgent(new AgentCall.Subscribe(info, running, List.of(), List.of("MULTI_ROLE"),
                        "bench", List.of()), sink);
                sinks.add(sink);
            }
            awaitTrue(() -> sinks.stream().allMatch(s -> s.id != null), "agents registered");
        }

        /** Declines every offer the frameworks hold (one call per framework), and waits until the master did. */
        void declineAll(List<Fw> fws, double refuseSeconds) throws Exception {
            List<java.util.concurrent.CompletableFuture<?>> done = new ArrayList<>();
            for (Fw fw : fws) {
                List<OfferId> ids = fw.takeOffers();
                if (ids.isEmpty()) {
                    continue;
                }
                Call decline = new Call(fw.id, Call.Type.DECLINE, null, null,
                        new Call.Decline(ids, new Filters(refuseSeconds)), null, null, null, null, null, null, null,
                        null);
                done.add(master.call(decline, fw.streamId));
            }
            for (var f : done) {
                f.get(1, TimeUnit.MINUTES);
            }
        }

        @Override
        public void close() {
            master.close();
        }
    }

    static <T> T parse(byte[] record, Class<T> type) {
        try {
            return MesosJson.read(record, type);
        } catch (io.pangaea.model.json.MesosJsonException e) {
            throw new IllegalStateException("the master sent what it cannot read back: " + e.getMessage(), e);
        }
    }

    static void awaitTrue(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    private AllocationBenchmark() {
    }
}
