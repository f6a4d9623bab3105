package io.pangaea.model.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.agentproto.AgentEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The agent events the master sends most, written field by field: the bytes {@link MesosJson#write} gives for the
 * same {@link AgentEvent}, without the generic serializer's per-field reflection. Under load the master sends an
 * ACKNOWLEDGE for every status update a framework acknowledges, on its loop, and the generic serializer was half of
 * what sending one cost. {@code AgentEventsJsonTest} compares the two byte for byte.
 */
public final class AgentEventsJson {

    private AgentEventsJson() {}

    /** {@code AgentEvent.acknowledge(new AgentEvent.Acknowledge(frameworkId, taskId, uuid))}, as JSON. */
    public static byte[] acknowledge(FrameworkId frameworkId, TaskId taskId, String uuid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = MesosJson.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", AgentEvent.Type.ACKNOWLEDGE.name());
            g.writeObjectFieldStart("acknowledge");
            id(g, "framework_id", frameworkId == null ? null : frameworkId.value(), frameworkId != null);
            id(g, "task_id", taskId == null ? null : taskId.value(), taskId != null);
            if (uuid != null) {
                g.writeStringField("uuid", uuid);
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write an acknowledgement", e);
        }
        return out.toByteArray();
    }

    /**
     * The framework's info alone, as {@link #launch} takes it: the master keeps it per framework, since every task
     * launched carries it and it rarely changes.
     */
    public static com.fasterxml.jackson.core.SerializableString frameworkInfo(FrameworkInfo info) {
        return new com.fasterxml.jackson.core.io.SerializedString(MesosJson.writeString(info));
    }

    /**
     * {@code AgentEvent.launch(new AgentEvent.Launch(info, task))}, as JSON, given the info's {@link #frameworkInfo}
     * encoding: only the task goes through the generic serializer.
     */
    public static byte[] launch(com.fasterxml.jackson.core.SerializableString frameworkInfo, TaskInfo task) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(frameworkInfo.charLength() + 512);
        try (JsonGenerator g = MesosJson.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", AgentEvent.Type.LAUNCH.name());
            g.writeObjectFieldStart("launch");
            g.writeFieldName("framework_info");
            g.writeRawValue(frameworkInfo);
            if (task != null) {
                g.writeFieldName("task");
                MesosJson.IN_PLACE.writeValue(g, task);
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a launch", e);
        }
        return out.toByteArray();
    }

    /** {@code "name":{"value":..}} for an id that is there; an id whose value is null is {@code {}}. */
    private static void id(JsonGenerator g, String name, String value, boolean present) throws IOException {
        if (!present) {
            return;
        }
        g.writeObjectFieldStart(name);
        if (value != null) {
            g.writeStringField("value", value);
        }
        g.writeEndObject();
    }
}
