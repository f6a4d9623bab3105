package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.http.EventSink;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Marathon's event bus: each event is a JSON object with {@code eventType} and {@code timestamp}, sent to every
 * subscriber of {@code /v2/events} as a server-sent event ({@code event: <type>}, {@code data: <json>}) unless the
 * subscriber filtered it out by {@code event_type}. Publishing never blocks: each stream queues its own writes.
 */
final class Events {

    private record Subscriber(EventSink sink, Set<String> types) {}

    private final ObjectMapper json;
    private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    Events(ObjectMapper json) {
        this.json = json;
    }

    /** A new event of {@code type}, to be filled and then {@link #publish}ed. */
    ObjectNode event(String type) {
        ObjectNode e = json.createObjectNode();
        e.put("eventType", type);
        e.put("timestamp", Instant.now().toString());
        return e;
    }

    void publish(ObjectNode event) {
        if (subscribers.isEmpty()) {
            return;
        }
        String type = event.path("eventType").asText();
        byte[] frame = sse(type, event.toString());
        for (Subscriber s : subscribers) {
            if (s.types().isEmpty() || s.types().contains(type)) {
                if (!s.sink().send(frame)) {
                    subscribers.remove(s);
                }
            }
        }
    }

    /** {@code status_update_event}: an instance's task changed state. */
    void statusUpdate(Instance i, io.pangaea.model.TaskStatus s) {
        ObjectNode e = event("status_update_event");
        e.put("slaveId", i.placement.agentId());
        e.put("taskId", i.taskId());
        e.put("taskStatus", s.state().name());
        e.put("message", s.message() == null ? "" : s.message());
        e.put("appId", i.placement.appId());
        e.put("host", i.placement.host());
        e.putArray("ipAddresses");
        com.fasterxml.jackson.databind.node.ArrayNode ports = e.putArray("ports");
        i.placement.ports().forEach(ports::add);
        e.put("version", i.placement.version());
        publish(e);
    }

    /** {@code instance_changed_event}: an instance's condition, and what the adapter wants of it. */
    void instanceChanged(Instance i, String goal) {
        ObjectNode c = event("instance_changed_event");
        c.put("instanceId", i.instanceId());
        c.put("condition", MarathonJson.condition(i.state));
        c.put("runSpecId", i.placement.appId());
        c.put("agentId", i.placement.agentId());
        c.put("host", i.placement.host());
        c.put("runSpecVersion", i.placement.version());
        c.put("goal", goal);
        publish(c);
    }

    /** {@code health_status_changed_event}. */
    void healthChanged(Instance i) {
        ObjectNode h = event("health_status_changed_event");
        h.put("appId", i.placement.appId());
        h.put("instanceId", i.instanceId());
        h.put("taskId", i.taskId());
        h.put("version", i.placement.version());
        h.put("alive", i.healthy);
        publish(h);
    }

    /** {@code deployment_info} or {@code deployment_step_success}: the plan and its current step. */
    void deploymentStep(String type, Deployment d) {
        ObjectNode e = event(type);
        e.set("plan", MarathonJson.plan(json, d));
        e.set("currentStep", MarathonJson.step(json, d.currentActions()));
        publish(e);
    }

    /** {@code deployment_success} or {@code deployment_failed}. */
    void deploymentEnded(String type, Deployment d) {
        ObjectNode e = event(type);
        e.put("id", d.id);
        e.set("plan", MarathonJson.plan(json, d));
        publish(e);
    }

    static byte[] sse(String type, String data) {
        return ("event: " + type + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Adds a stream; it is dropped when it closes. {@code types} empty: every event. */
    void subscribe(EventSink sink, Set<String> types, String clientIp) {
        Subscriber s = new Subscriber(sink, Set.copyOf(types));
        subscribers.add(s);
        sink.onClose(() -> subscribers.remove(s));
        ObjectNode attached = event("event_stream_attached");
        attached.put("remoteAddress", clientIp);
        if (types.isEmpty() || types.contains("event_stream_attached")) {
            sink.send(sse("event_stream_attached", attached.toString()));
        }
    }

    int subscribers() {
        return subscribers.size();
    }

    void closeAll() {
        subscribers.forEach(s -> s.sink().close());
        subscribers.clear();
    }
}
