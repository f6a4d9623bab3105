package io.pangaea.master.internal;

import io.pangaea.http.EventSink;
import io.pangaea.model.json.MesosJson;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The operator API's event stream (SUBSCRIBE on {@code /api/v1}): who is subscribed, the SUBSCRIBED snapshot,
 * the events as the state changes and the heartbeats. Owns the list of operator streams; it only reads the rest.
 * Must not touch: the state it reports; it only reads it.
 */
final class OperatorEvents extends MasterPart {

    /** Operator API SUBSCRIBE streams, each with what its subscriber may see. */
    private final List<Subscriber> operatorStreams = new ArrayList<>();

    /**
     * One operator stream and its subscriber's view: the ACLs in force when it subscribed (a change of the
     * {@code acls} setting applies to the streams opened after it). Its SUBSCRIBED is encoded and sent off the loop
     * (a big cluster's state is tens of megabytes); the events published meanwhile wait, in order, and follow it.
     */
    private static final class Subscriber {
        final EventSink sink;
        final Viewer viewer;
        /** Events published before SUBSCRIBED went out; null once it has, and events go straight to the sink. */
        private List<byte[]> held = new ArrayList<>();

        Subscriber(EventSink sink, Viewer viewer) {
            this.sink = sink;
            this.viewer = viewer;
        }

        /** Sends or holds {@code event} (loop); false when the stream has closed. */
        boolean send(byte[] event) {
            synchronized (this) {
                if (held != null) {
                    held.add(event);
                    return true;
                }
            }
            return sink.send(event);
        }

        /** Sends SUBSCRIBED, then what was held (a reader thread); the loop never waits for these sends. */
        void open(byte[] subscribed) {
            sink.send(subscribed);
            for (;;) {
                List<byte[]> batch;
                synchronized (this) {
                    if (held.isEmpty()) {
                        held = null;
                        return;
                    }
                    batch = held;
                    held = new ArrayList<>();
                }
                batch.forEach(sink::send);
            }
        }
    }
    private ScheduledFuture<?> operatorHeartbeat;

    OperatorEvents(MasterContext ctx) {
        super(ctx);
    }

    /**
     * Operator API SUBSCRIBE: the stream gets SUBSCRIBED with the whole state, then TASK_ADDED, TASK_UPDATED,
     * AGENT_ADDED, AGENT_REMOVED, FRAMEWORK_ADDED, FRAMEWORK_UPDATED and FRAMEWORK_REMOVED as they happen, and
     * HEARTBEAT at the heartbeat interval.
     */
    void subscribe(EventSink stream, Viewer viewer) {
        com.fasterxml.jackson.databind.node.ObjectNode body =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        // the state as it is now, on the loop (its tasks and agents' parts are encoded already); written out and
        // sent on a reader thread, as GET_STATE is
        body.set("get_state", new MasterViews(ctx.master, state, viewer).v1().getState());
        body.put("heartbeat_interval_seconds", config().heartbeatInterval().toMillis() / 1000.0);
        com.fasterxml.jackson.databind.JsonNode subscribed = V1Views.response("SUBSCRIBED", body);
        Subscriber subscriber = new Subscriber(stream, viewer);
        operatorStreams.add(subscriber);
        stream.onClose(() -> loop.execute(() -> operatorStreams.remove(subscriber)));
        if (operatorHeartbeat == null) {
            startHeartbeat();
        }
        ReaderThreads.execute(() -> subscriber.open(MesosJson.write(subscribed)));
    }

    /** (Re)starts the heartbeats of the operator streams at the configured interval. */
    private void startHeartbeat() {
        if (operatorHeartbeat != null) {
            operatorHeartbeat.cancel(false);
        }
        long ms = config().heartbeatInterval().toMillis();
        byte[] heartbeat = MesosJson.write(V1Views.response("HEARTBEAT", null));
        operatorHeartbeat = loop.scheduleAtFixedRate(() -> List.copyOf(operatorStreams)
                .forEach(s -> s.send(heartbeat)), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The live settings changed: heartbeats go at the new interval. */
    void reconfigured(MasterConfig before) {
        if (operatorHeartbeat != null && !config().heartbeatInterval().equals(before.heartbeatInterval())) {
            startHeartbeat();
        }
    }

    /** Sends an operator event of {@code type} whose message holds {@code key}: {@code value} (loop only). */
    void publish(String type, String key, java.util.function.Supplier<Object> value) {
        publish(type, key, value, v -> true);
    }

    /** The same, sent only to the subscribers that may see it. */
    void publish(String type, String key, java.util.function.Supplier<Object> value,
                 java.util.function.Predicate<Viewer> visible) {
        if (operatorStreams.isEmpty()) {
            return;
        }
        com.fasterxml.jackson.databind.node.ObjectNode body =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        Object v = value.get();
        body.set(key, v instanceof com.fasterxml.jackson.databind.JsonNode j ? j : MesosJson.tree(v));
        byte[] event = MesosJson.write(V1Views.response(type, body));
        for (Subscriber s : List.copyOf(operatorStreams)) {
            if (visible.test(s.viewer) && !s.send(event)) {
                operatorStreams.remove(s);
            }
        }
    }

    /** Operator event streams open now (event loop). */
    int operatorSubscribers() {
        return operatorStreams.size();
    }

    /** TASK_UPDATED for a status a framework was sent about one of its known tasks. */
    void taskUpdated(MasterState.FrameworkEntry fw, io.pangaea.model.TaskStatus status) {
        if (operatorStreams.isEmpty()) {
            return;
        }
        MasterState.TaskEntry t = fw.tasks.get(status.taskId());
        if (t != null) {
            com.fasterxml.jackson.databind.node.ObjectNode body =
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            body.set("framework_id", MesosJson.tree(fw.id));
            body.set("status", MesosJson.tree(status));
            body.put("state", t.state().name());
            byte[] event = MesosJson.write(V1Views.response("TASK_UPDATED", body));
            List.copyOf(operatorStreams).stream().filter(s -> s.viewer.task(fw.info, t.info))
                    .forEach(s -> s.send(event));
        }
    }
}
