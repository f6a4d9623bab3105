package io.pangaea.framework.jobs.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.framework.support.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The jobs adapter's durable records in its {@link StateStore}: {@code jobs/<name>} (the definition and counters),
 * {@code history/<name>} (the occurrences, the last {@value #HISTORY} finished ones and every unfinished one),
 * {@code cursors/<name>} (the next due time) and {@code dependencies/<name>} (a dependent job's progress). A write
 * that fails throws, so that nothing is launched on a record that was not kept.
 */
final class JobRecords {

    static final int HISTORY = 200;

    private final ObjectMapper json;
    private final StateStore store;

    JobRecords(ObjectMapper json, StateStore store) {
        this.json = json;
        this.store = store;
    }

    List<Job> jobs() throws IOException {
        List<Job> out = new ArrayList<>();
        for (String key : store.list("jobs")) {
            out.add(json.readValue(store.get(key).orElseThrow(), Job.class));
        }
        return out;
    }

    List<Occurrence> history(String job) throws IOException {
        Optional<byte[]> h = store.get("history/" + job);
        return h.isPresent() ? new ArrayList<>(List.of(json.readValue(h.get(), Occurrence[].class)))
                : new ArrayList<>();
    }

    Instant cursor(String job) throws IOException {
        return store.get("cursors/" + job).map(b -> Instant.parse(new String(b, StandardCharsets.UTF_8)))
                .orElse(null);
    }

    JobScheduler.Dependencies dependencies(String job) throws IOException {
        Optional<byte[]> d = store.get("dependencies/" + job);
        return d.isPresent() ? json.readValue(d.get(), JobScheduler.Dependencies.class) : null;
    }

    void putJob(Job j) throws IOException {
        store.put("jobs/" + j.name(), json.writeValueAsBytes(j));
    }

    /** Stores {@code list}, first dropping its oldest finished occurrences past {@value #HISTORY}. */
    void putHistory(String job, List<Occurrence> list) {
        while (list.size() > HISTORY) {
            int drop = -1;
            for (int i = 0; i < list.size(); i++) {
                if (!list.get(i).unfinished()) {
                    drop = i;
                    break;
                }
            }
            if (drop < 0) {
                break;
            }
            list.remove(drop);
        }
        write("history/" + job, list, "the history of " + job);
    }

    void putCursor(String job, Instant next) {
        try {
            if (next == null) {
                store.delete("cursors/" + job);
            } else {
                store.put("cursors/" + job, next.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot store the schedule of " + job + ": " + e.getMessage(), e);
        }
    }

    void putDependencies(String job, JobScheduler.Dependencies d) {
        write("dependencies/" + job, d, "the dependencies of " + job);
    }

    void delete(String job) throws IOException {
        for (String folder : List.of("jobs", "history", "cursors", "dependencies")) {
            store.delete(folder + "/" + job);
        }
    }

    private void write(String key, Object value, String what) {
        try {
            store.put(key, json.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new IllegalStateException("cannot store " + what + ": " + e.getMessage(), e);
        }
    }
}
