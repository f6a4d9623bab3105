package io.pangaea.master.internal;

import io.pangaea.http.EventSink;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.json.MesosJson;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The master's parts wired by a {@link MasterContext} of their own, with no HTTP, no OSGi and no allocator: a test
 * books agents and frameworks straight into the state and drives one part, on the event loop as in the master.
 */
final class PartsFixture implements AutoCloseable {

    /** A stream that keeps what it was sent. */
    static final class Sink implements EventSink {
        final List<byte[]> records = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public boolean send(byte[] record) {
            records.add(record);
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void onClose(Runnable listener) {
        }

        <T> List<T> read(Class<T> type) {
            return records.stream().map(r -> {
                try {
                    return MesosJson.read(r, type);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
    }

    final LoopExecutor loop = new LoopExecutor(PartsFixture::daemon, PartsFixture::daemon);

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "parts-fixture-loop");
        t.setDaemon(true);
        return t;
    }
    final MasterContext ctx;
    final MasterState state;

    PartsFixture() {
        this(MasterConfig.defaults());
    }

    PartsFixture(MasterConfig config) {
        ctx = new MasterContext(null, config, Registry.inMemory(), "m1", loop);
        state = ctx.state;
    }

    /** Runs {@code work} on the event loop and waits for its answer. */
    <T> T on(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, loop).join();
    }

    void run(Runnable work) {
        CompletableFuture.runAsync(work, loop).join();
    }

    /** A connected agent with everything free. */
    AgentEntry agent(String id, String resources) {
        return on(() -> {
            AgentEntry a = new AgentEntry(AgentId.of(id), state.agentViews);
            a.setInfo(new AgentInfo("host-" + id, 5051, Resources.parse(resources).toList(), List.of(), a.id));
            a.setTotal(Resources.parse(resources));
            a.setAvailable(a.total());
            a.setConnected(true);
            a.stream = new Sink();
            state.agents.put(a.id, a);
            return a;
        });
    }

    /** A subscribed, active framework in {@code role}. */
    FrameworkEntry framework(String id, String role) {
        return on(() -> {
            FrameworkEntry f = new FrameworkEntry(FrameworkId.of(id));
            f.info = new FrameworkInfo("root", "fw-" + id, f.id, null, null, role, null, null, null, null,
                    List.of(), null);
            f.connected = true;
            f.active = true;
            f.stream = new Sink();
            f.streamId = "stream-" + id;
            state.frameworks.put(f.id, f);
            return f;
        });
    }

    static Sink sink(EventSink s) {
        return (Sink) s;
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
