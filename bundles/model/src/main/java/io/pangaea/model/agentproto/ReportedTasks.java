package io.pangaea.model.agentproto;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import io.pangaea.model.Task;
import java.io.IOException;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * The completed tasks of a re-registration, read from its body without being decoded: for each, only its
 * framework's id, when it ended (its latest status's timestamp) and where it lies in the body. A task is decoded when
 * it is asked for ({@link #get}). After a master failover, agents report far more completed tasks than the master
 * keeps ({@code max_completed_tasks_per_framework}), and decoding every one was most of the time spent reading
 * re-registrations; the master asks only for those it keeps.
 *
 * <p>Made by {@link Reader} when the body was given to the reader ({@code MesosJson.readReported}); otherwise the
 * completed tasks are decoded as any list. Immutable; its tasks are decoded anew on each {@link #get}.
 */
public final class ReportedTasks extends AbstractList<Task> {

    /** The reader's attribute that holds the body being read. */
    public static final String BODY = "io.pangaea.model.agentproto.body";
    /**
     * The reader's attribute that says which tasks to decode as they are read (a
     * {@code java.util.function.ToDoubleFunction<String>}): those of a framework that ended after the time it gives
     * for the framework's id. The master gives what its kept tasks end after, as it was when the body came: those
     * are likely to be kept, and decoding them here spares its loop. Without it, none is decoded as read.
     */
    public static final String DECODE_AFTER = "io.pangaea.model.agentproto.decodeAfter";

    private static final class Decoder {
        static final com.fasterxml.jackson.databind.ObjectReader TASK = io.pangaea.model.json.MesosJson.mapper()
                .readerFor(Task.class);
    }

    private final byte[] body;
    private final int size;
    private final String[] frameworkIds;
    private final double[] endedAt;
    private final int[] start;
    private final int[] end;
    /** Those decoded as they were read; null for the others. */
    private final Task[] decoded;

    private ReportedTasks(byte[] body, int size, String[] frameworkIds, double[] endedAt, int[] start, int[] end,
                          Task[] decoded) {
        this.body = body;
        this.size = size;
        this.frameworkIds = frameworkIds;
        this.endedAt = endedAt;
        this.start = start;
        this.end = end;
        this.decoded = decoded;
    }

    @Override
    public int size() {
        return size;
    }

    /** The {@code i}th task's framework id as reported, or null (no id, or a null task). */
    public String frameworkId(int i) {
        return frameworkIds[i];
    }

    /** When the {@code i}th task ended: its latest status's timestamp, 0 when it has none. */
    public double endedAt(int i) {
        return endedAt[i];
    }

    /** Whether the {@code i}th task was decoded as it was read (the rest are decoded by {@link #get}). */
    public boolean decodedAsRead(int i) {
        return decoded[i] != null;
    }

    /**
     * The {@code i}th task, decoded now unless it was as it was read; null for a null entry.
     *
     * @throws IllegalArgumentException when it is not a valid task (its message says why)
     */
    @Override
    public Task get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        if (start[i] < 0) {
            return null;
        }
        if (decoded[i] != null) {
            return decoded[i];
        }
        try {
            return Decoder.TASK.readValue(body, start[i], end[i] - start[i]);
        } catch (IOException e) {
            throw new IllegalArgumentException("Completed task " + i + " is not a valid task: "
                    + (e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage()
                    : e.getMessage()), e);
        }
    }

    /** Reads {@code completed_tasks} as {@link ReportedTasks} when the body is at hand, else as a list of tasks. */
    public static final class Reader extends JsonDeserializer<List<Task>> {

        @Override
        public List<Task> deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            Object body = ctx.getAttribute(BODY);
            if (!(body instanceof byte[] bytes) || p.currentToken() != JsonToken.START_ARRAY) {
                return ctx.readValue(p, ctx.getTypeFactory().constructCollectionType(List.class, Task.class));
            }
            java.util.function.ToDoubleFunction<String> decodeAfter = ctx.getAttribute(DECODE_AFTER)
                    instanceof java.util.function.ToDoubleFunction<?> f ? castHint(f) : null;
            int n = 0;
            Task[] tasks = new Task[16];
            String[] fws = new String[16];
            double[] ended = new double[16];
            int[] starts = new int[16];
            int[] ends = new int[16];
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (n == fws.length) {
                    tasks = Arrays.copyOf(tasks, n * 2);
                    fws = Arrays.copyOf(fws, n * 2);
                    ended = Arrays.copyOf(ended, n * 2);
                    starts = Arrays.copyOf(starts, n * 2);
                    ends = Arrays.copyOf(ends, n * 2);
                }
                if (t == JsonToken.VALUE_NULL) {
                    starts[n] = -1;
                    ends[n] = -1;
                    n++;
                    continue;
                }
                if (t != JsonToken.START_OBJECT) {
                    return ctx.reportInputMismatch(Task.class, "Expecting each completed task to be an object");
                }
                starts[n] = (int) p.currentTokenLocation().getByteOffset();
                scanTask(p, fws, ended, n);
                ends[n] = (int) p.currentTokenLocation().getByteOffset() + 1;
                if (starts[n] < 0 || ends[n] > bytes.length || bytes[starts[n]] != '{' || bytes[ends[n] - 1] != '}') {
                    // not read from this body after all (offsets unknown): decode them as any list would be
                    throw new IllegalStateException("completed_tasks were not read from the body given");
                }
                if (decodeAfter != null && fws[n] != null && ended[n] > decodeAfter.applyAsDouble(fws[n])) {
                    try {
                        tasks[n] = Decoder.TASK.readValue(bytes, starts[n], ends[n] - starts[n]);
                    } catch (IOException | RuntimeException invalid) {
                        tasks[n] = null; // said when it is asked for
                    }
                }
                n++;
            }
            return new ReportedTasks(bytes, n, fws, ended, starts, ends, tasks);
        }

        @SuppressWarnings("unchecked")
        private static java.util.function.ToDoubleFunction<String> castHint(java.util.function.ToDoubleFunction<?> f) {
            return (java.util.function.ToDoubleFunction<String>) f;
        }

        /** Reads one task object up to its end, keeping its framework id and its latest status's timestamp. */
        private static void scanTask(JsonParser p, String[] fws, double[] ended, int n) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("framework_id".equals(name) && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        if (p.nextToken() == JsonToken.VALUE_STRING && "value".equals(inner)) {
                            fws[n] = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if ("statuses".equals(name) && v == JsonToken.START_ARRAY) {
                    double last = 0;
                    JsonToken s;
                    while ((s = p.nextToken()) != JsonToken.END_ARRAY) {
                        last = s == JsonToken.START_OBJECT ? timestamp(p) : 0;
                        if (s != JsonToken.START_OBJECT) {
                            p.skipChildren();
                        }
                    }
                    ended[n] = last;
                } else {
                    p.skipChildren();
                }
            }
        }

        /** A status object's timestamp (a number, or a string holding one), read to the status's end; else 0. */
        private static double timestamp(JsonParser p) throws IOException {
            double ts = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("timestamp".equals(name) && (v == JsonToken.VALUE_NUMBER_FLOAT || v == JsonToken.VALUE_NUMBER_INT)) {
                    ts = p.getDoubleValue();
                } else if ("timestamp".equals(name) && v == JsonToken.VALUE_STRING) {
                    try {
                        ts = Double.parseDouble(p.getText().trim());
                    } catch (NumberFormatException e) {
                        ts = 0; // decoding the task says what is wrong, if it is ever decoded
                    }
                } else {
                    p.skipChildren();
                }
            }
            return ts;
        }
    }
}
