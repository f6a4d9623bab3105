package io.pangaea.master.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A part of a read view that had no encoding kept (a task the view shows for the first time, or that changed): the
 * loop takes only what it is made from, and it is encoded where the view is written, on a reader thread. Once all the
 * view's deferred parts are written, what they made is handed back to the loop, to be kept for the next reads. The
 * first read of a big cluster's state (after a failover, say) encodes hundreds of thousands of tasks: seconds that
 * the loop would otherwise spend not serving anyone.
 */
final class DeferredJson implements JsonSerializable {

    private final Supplier<byte[]> make;
    private final Consumer<RawJson> keep;
    private final Batch batch;
    /** Its encoding, when the batch made them all at once ({@link Batch#encodeAll}); else null. */
    private byte[] encoding;

    private DeferredJson(Supplier<byte[]> make, Consumer<RawJson> keep, Batch batch) {
        this.make = make;
        this.keep = keep;
        this.batch = batch;
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
        batch.encodeAll();
        byte[] bytes = encoding;
        RawJson json = new RawJson(bytes != null ? bytes : make.get());
        gen.writeRawValue(json);
        batch.written(() -> keep.accept(json));
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer)
            throws IOException {
        serialize(gen, serializers);
    }

    /** The deferred parts of one view. Made on the loop; written anywhere. */
    static final class Batch {
        /** From this many deferred parts on, the first one written has them all encoded in parallel first. */
        static final int IN_PARALLEL_FROM = 512;

        private final Executor loop;
        /** The parts, in the order made (on the loop; read once the view has been handed to its writer). */
        private final java.util.List<DeferredJson> parts = new java.util.ArrayList<>();
        private volatile boolean encoded;
        private final AtomicInteger written = new AtomicInteger();
        private final ConcurrentLinkedQueue<Runnable> keeps = new ConcurrentLinkedQueue<>();

        /** {@code loop}: where what was encoded is kept (the master's loop). */
        Batch(Executor loop) {
            this.loop = loop;
        }

        /**
         * A node written as {@code make}'s JSON, {@code make} run only then; {@code keep} is given it afterwards,
         * on the loop. Loop only.
         */
        JsonNode node(Supplier<byte[]> make, Consumer<RawJson> keep) {
            DeferredJson part = new DeferredJson(make, keep, this);
            parts.add(part);
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.pojoNode(part);
        }

        /**
         * Once, on the writer's thread when it reaches the first part: a big batch (the first read of a big
         * cluster's state: hundreds of thousands of tasks) is encoded on all cores before it is written, rather
         * than part by part on the writer's thread alone. A small one is left to be encoded as it is written.
         */
        void encodeAll() {
            if (encoded) {
                return;
            }
            synchronized (this) {
                if (encoded) {
                    return;
                }
                if (parts.size() >= IN_PARALLEL_FROM) {
                    parts.parallelStream().forEach(p -> p.encoding = p.make.get());
                }
                encoded = true;
            }
        }

        private void written(Runnable keep) {
            keeps.add(keep);
            // all of them written once (a view written twice is kept once): the loop keeps them, in one task
            if (written.incrementAndGet() == parts.size()) {
                try {
                    loop.execute(() -> {
                        for (Runnable k; (k = keeps.poll()) != null; ) {
                            k.run();
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    // the master stopped meanwhile: nothing to keep them for
                }
            }
        }
    }
}
