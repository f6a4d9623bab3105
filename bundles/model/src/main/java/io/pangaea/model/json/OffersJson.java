package io.pangaea.model.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.pangaea.model.AgentId;
import io.pangaea.model.AllocationInfo;
import io.pangaea.model.Attribute;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.Offer;
import io.pangaea.model.Range;
import io.pangaea.model.Ranges;
import io.pangaea.model.Resource;
import io.pangaea.model.Url;
import io.pangaea.model.ValueSet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The scheduler API's OFFERS event, written field by field: the bytes {@link MesosJson#write} gives for
 * {@code Event.offers(offers)}, without the generic serializer's per-field reflection. An allocation cycle of a big
 * cluster encodes thousands of offers, and that serializer was half of its offer work. What is rare in an offer (a
 * reservation, disk info, maintenance) still goes through the generic serializer, on the same generator.
 * {@code OffersJsonTest} compares the two byte for byte.
 */
public final class OffersJson {

    /** About what an offer of a few resources takes, to size the buffer once. */
    private static final int BYTES_PER_OFFER = 900;

    private OffersJson() {}

    /**
     * What every offer from one agent carries alike (its id, hostname and URL, and its attributes), encoded once: an
     * agent's offers are made over and over, and its strings were most of each offer's encoding. The master keeps
     * one per agent ({@code Offers.make}).
     */
    public static final class AgentPart {
        private final AgentId agentId;
        private final String hostname;
        private final Url url;
        private final List<Attribute> attributes;
        /** {@code ,"agent_id":{..},"hostname":..,"url":{..}} and {@code ,"attributes":[..]}, as written here. */
        private final SerializedString head;
        private final SerializedString tail;

        private AgentPart(AgentId agentId, String hostname, Url url, List<Attribute> attributes) {
            this.agentId = agentId;
            this.hostname = hostname;
            this.url = url;
            this.attributes = attributes;
            this.head = new SerializedString(fields(g -> agentFields(g, agentId, hostname, url)));
            this.tail = new SerializedString(fields(g -> attributesField(g, attributes)));
        }

        /** The part of offers whose agent id, hostname, URL and attributes are these very objects. */
        public static AgentPart of(AgentId agentId, String hostname, Url url, List<Attribute> attributes) {
            return new AgentPart(agentId, hostname, url, attributes);
        }

        /** The agent's URL, for the offers made with this part. */
        public Url url() {
            return url;
        }

        /** True when {@code o} was made with this part's objects (then its encoding is theirs). */
        boolean fits(Offer o) {
            return o.agentId() == agentId && o.url() == url && o.attributes() == attributes
                    && java.util.Objects.equals(o.hostname(), hostname);
        }

        /** The fields {@code write} writes, as they follow other fields of an object: with a leading comma. */
        private static String fields(Writer write) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            try (JsonGenerator g = MesosJson.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                write.write(g);
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write an offer", e);
            }
            String object = out.toString(java.nio.charset.StandardCharsets.UTF_8);
            String inside = object.substring(1, object.length() - 1);
            return inside.isEmpty() ? "" : "," + inside;
        }

        private interface Writer {
            void write(JsonGenerator g) throws IOException;
        }
    }

    /** The OFFERS event carrying {@code offers}, as JSON. */
    public static byte[] event(List<Offer> offers) {
        return event(offers, null);
    }

    /**
     * The same, with the parts of their agents ({@code parts.get(i)} for {@code offers.get(i)}, or null): a part is
     * used for an offer it {@linkplain AgentPart#fits fits}, and the offer is written in full otherwise.
     */
    public static byte[] event(List<Offer> offers, List<AgentPart> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + offers.size() * BYTES_PER_OFFER);
        try (JsonGenerator g = MesosJson.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", "OFFERS");
            g.writeFieldName("offers");
            g.writeStartObject();
            g.writeFieldName("offers");
            g.writeStartArray();
            for (int i = 0; i < offers.size(); i++) {
                offer(g, offers.get(i), parts == null ? null : parts.get(i));
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write an offer", e);
        }
        return out.toByteArray();
    }

    private static void offer(JsonGenerator g, Offer o, AgentPart part) throws IOException {
        g.writeStartObject();
        if (o.id() != null) {
            id(g, "id", o.id().value());
        }
        // the part's fields come with their leading comma: only after a field the generator wrote
        boolean raw = part != null && o.id() != null && part.fits(o);
        if (o.frameworkId() != null) {
            id(g, "framework_id", o.frameworkId().value());
        }
        if (raw) {
            g.writeRaw(part.head);
        } else {
            agentFields(g, o.agentId(), o.hostname(), o.url());
        }
        if (o.resources() != null) {
            g.writeFieldName("resources");
            g.writeStartArray();
            for (Resource r : o.resources()) {
                resource(g, r);
            }
            g.writeEndArray();
        }
        if (raw) {
            g.writeRaw(part.tail);
        } else {
            attributesField(g, o.attributes());
        }
        if (o.executorIds() != null) {
            g.writeFieldName("executor_ids");
            g.writeStartArray();
            for (ExecutorId e : o.executorIds()) {
                if (e == null) {
                    g.writeNull();
                } else {
                    idValue(g, e.value());
                }
            }
            g.writeEndArray();
        }
        if (o.allocationInfo() != null) {
            g.writeFieldName("allocation_info");
            allocation(g, o.allocationInfo());
        }
        if (o.unavailability() != null) {
            g.writeFieldName("unavailability");
            generic(g, o.unavailability());
        }
        g.writeEndObject();
    }

    private static void agentFields(JsonGenerator g, AgentId agentId, String hostname, Url url) throws IOException {
        if (agentId != null) {
            id(g, "agent_id", agentId.value());
        }
        if (hostname != null) {
            g.writeStringField("hostname", hostname);
        }
        if (url != null) {
            g.writeFieldName("url");
            url(g, url);
        }
    }

    private static void attributesField(JsonGenerator g, List<Attribute> attributes) throws IOException {
        if (attributes != null) {
            g.writeFieldName("attributes");
            g.writeStartArray();
            for (Attribute a : attributes) {
                attribute(g, a);
            }
            g.writeEndArray();
        }
    }

    private static void resource(JsonGenerator g, Resource r) throws IOException {
        if (r == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (r.name() != null) {
            g.writeStringField("name", r.name());
        }
        if (r.type() != null) {
            g.writeStringField("type", r.type().name());
        }
        if (r.scalar() != null) {
            g.writeFieldName("scalar");
            g.writeStartObject();
            g.writeFieldName("value");
            g.writeNumber(r.scalar().value());
            g.writeEndObject();
        }
        if (r.ranges() != null) {
            ranges(g, r.ranges());
        }
        if (r.set() != null) {
            set(g, r.set());
        }
        if (r.role() != null) {
            g.writeStringField("role", r.role());
        }
        if (r.allocationInfo() != null) {
            g.writeFieldName("allocation_info");
            allocation(g, r.allocationInfo());
        }
        if (r.reservations() != null) {
            g.writeFieldName("reservations");
            generic(g, r.reservations());
        }
        if (r.disk() != null) {
            g.writeFieldName("disk");
            generic(g, r.disk());
        }
        g.writeEndObject();
    }

    private static void ranges(JsonGenerator g, Ranges ranges) throws IOException {
        g.writeFieldName("ranges");
        if (ranges.range() == null) {
            generic(g, ranges);
            return;
        }
        g.writeStartObject();
        g.writeFieldName("range");
        g.writeStartArray();
        for (Range x : ranges.range()) {
            g.writeStartObject();
            g.writeNumberField("begin", x.begin());
            g.writeNumberField("end", x.end());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void set(JsonGenerator g, ValueSet set) throws IOException {
        g.writeFieldName("set");
        if (set.item() == null) {
            generic(g, set);
            return;
        }
        g.writeStartObject();
        g.writeFieldName("item");
        g.writeStartArray();
        for (String item : set.item()) {
            g.writeString(item);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** An agent's attribute: every offer from the agent carries them, so they are written as resources are. */
    private static void attribute(JsonGenerator g, Attribute a) throws IOException {
        if (a == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (a.name() != null) {
            g.writeStringField("name", a.name());
        }
        if (a.type() != null) {
            g.writeStringField("type", a.type().name());
        }
        if (a.scalar() != null) {
            g.writeFieldName("scalar");
            g.writeStartObject();
            g.writeFieldName("value");
            g.writeNumber(a.scalar().value());
            g.writeEndObject();
        }
        if (a.ranges() != null) {
            ranges(g, a.ranges());
        }
        if (a.set() != null) {
            set(g, a.set());
        }
        if (a.text() != null) {
            g.writeFieldName("text");
            g.writeStartObject();
            if (a.text().value() != null) {
                g.writeStringField("value", a.text().value());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void url(JsonGenerator g, Url u) throws IOException {
        g.writeStartObject();
        if (u.scheme() != null) {
            g.writeStringField("scheme", u.scheme());
        }
        if (u.address() != null) {
            g.writeFieldName("address");
            g.writeStartObject();
            if (u.address().hostname() != null) {
                g.writeStringField("hostname", u.address().hostname());
            }
            if (u.address().ip() != null) {
                g.writeStringField("ip", u.address().ip());
            }
            if (u.address().port() != null) {
                g.writeNumberField("port", u.address().port().intValue());
            }
            g.writeEndObject();
        }
        if (u.path() != null) {
            g.writeStringField("path", u.path());
        }
        g.writeEndObject();
    }

    private static void allocation(JsonGenerator g, AllocationInfo a) throws IOException {
        g.writeStartObject();
        if (a.role() != null) {
            g.writeStringField("role", a.role());
        }
        g.writeEndObject();
    }

    private static void id(JsonGenerator g, String field, String value) throws IOException {
        g.writeFieldName(field);
        idValue(g, value);
    }

    private static void idValue(JsonGenerator g, String value) throws IOException {
        g.writeStartObject();
        if (value != null) {
            g.writeStringField("value", value);
        }
        g.writeEndObject();
    }

    /** Through the generic serializer, onto this generator (so that its doubles are written as Mesos writes them). */
    private static void generic(JsonGenerator g, Object value) throws IOException {
        MesosJson.IN_PLACE.writeValue(g, value);
    }
}
