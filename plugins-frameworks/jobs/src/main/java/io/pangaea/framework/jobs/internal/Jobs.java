package io.pangaea.framework.jobs.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The changes the API asks for, on the scheduler's loop: each is validated as Chronos validates (400 with a message
 * naming the field) and changes nothing when refused.
 */
final class Jobs {

    /** A refused change: the message names the field. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern NAME = Pattern.compile("[\\w.-]+");

    private final ObjectMapper json;
    private final JobScheduler s;

    Jobs(ObjectMapper json, JobScheduler s) {
        this.json = json;
        this.s = s;
    }

    Job read(byte[] body) throws Invalid {
        try {
            JsonNode n = json.readTree(body);
            if (n == null || !n.isObject()) {
                throw new Invalid("a job is a JSON object");
            }
            return json.treeToValue(n, Job.class);
        } catch (JsonProcessingException e) {
            throw new Invalid("invalid JSON: " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new Invalid("invalid JSON: " + e.getMessage());
        }
    }

    /** {@code POST /iso8601} ({@code dependent} false) or {@code POST /dependency}: creates or replaces a job. */
    void put(Job posted, boolean dependent) throws Invalid, IOException {
        if (posted.name() == null || !NAME.matcher(posted.name()).matches()) {
            throw new Invalid("name: must match [\\w.-]+, got '" + posted.name() + "'");
        }
        if (posted.command() == null || posted.command().isBlank()) {
            throw new Invalid("command: is required");
        }
        Job previous = s.jobs.get(posted.name());
        java.time.Instant now = s.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        if (posted.schedule() != null && posted.schedule().split("/", -1).length == 3
                && posted.schedule().split("/", -1)[1].isEmpty()) {
            // an empty start is now: stored as the time it was given, so that the schedule does not move on
            String[] parts = posted.schedule().split("/", -1);
            posted = posted.withSchedule(parts[0] + "/" + now + "/" + parts[2]);
        }
        Job job = posted.withDefaults(previous);
        boolean hasParents = job.parents() != null && !job.parents().isEmpty();
        if (dependent) {
            if (!hasParents) {
                throw new Invalid("parents: a dependent job needs at least one parent");
            }
            if (job.schedule() != null || job.cron() != null) {
                throw new Invalid("schedule: a dependent job has parents, not a schedule");
            }
            for (String p : job.parents()) {
                if (!s.jobs.containsKey(p)) {
                    throw new Invalid("parents: no job named '" + p + "'");
                }
            }
            String cycle = cycle(job.name(), job.parents());
            if (cycle != null) {
                throw new Invalid("parents: " + cycle + " would be a cycle");
            }
        } else {
            if (hasParents) {
                throw new Invalid("parents: a scheduled job has a schedule, not parents (POST /dependency)");
            }
            if (job.schedule() == null && job.cron() == null) {
                throw new Invalid("schedule: is required (R[n]/<start>/<period>), or cron");
            }
            if (job.schedule() != null && job.cron() != null) {
                throw new Invalid("cron: give schedule or cron, not both");
            }
        }
        try {
            Schedules.of(job, now);
            Schedules.zone(job.scheduleTimeZone());
            if (Schedules.duration("epsilon", job.epsilon()).isNegative()) {
                throw new Invalid("epsilon: must not be negative");
            }
        } catch (Schedules.BadSchedule e) {
            throw new Invalid(e.getMessage());
        }
        if (job.retries() < 0) {
            throw new Invalid("retries: must be 0 or more, got " + job.retries());
        }
        if (job.cpus() < 0 || job.mem() < 0 || job.disk() < 0) {
            throw new Invalid((job.cpus() < 0 ? "cpus" : job.mem() < 0 ? "mem" : "disk") + ": must be 0 or more");
        }
        for (int i = 0; i < job.constraints().size(); i++) {
            List<String> c = job.constraints().get(i);
            if (c == null || c.size() != 3 || !List.of("EQUALS", "LIKE", "UNLIKE").contains(c.get(1))) {
                throw new Invalid("constraints[" + i + "]: expected [attribute, EQUALS|LIKE|UNLIKE, value]");
            }
            if (!c.get(1).equals("EQUALS")) {
                try {
                    Pattern.compile(c.get(2));
                } catch (PatternSyntaxException e) {
                    throw new Invalid("constraints[" + i + "]: '" + c.get(2) + "' is not a regular expression");
                }
            }
        }
        if (job.container() != null && (job.container().image() == null || job.container().image().isBlank())) {
            throw new Invalid("container.image: is required");
        }
        s.jobs.put(job.name(), job);
        s.saveJob(job);
        s.history.computeIfAbsent(job.name(), k -> new ArrayList<>());
        boolean scheduleChanged = previous == null || !java.util.Objects.equals(previous.schedule(), job.schedule())
                || !java.util.Objects.equals(previous.cron(), job.cron())
                || !java.util.Objects.equals(previous.scheduleTimeZone(), job.scheduleTimeZone());
        if (scheduleChanged) {
            s.resetCursor(job, now);
        }
        s.step();
    }

    /** The path {@code a -> b -> a} if {@code job} with {@code parents} would close a cycle, else null. */
    private String cycle(String job, List<String> parents) {
        Deque<List<String>> paths = new ArrayDeque<>();
        for (String p : parents) {
            paths.add(List.of(job, p));
        }
        Set<String> seen = new HashSet<>();
        while (!paths.isEmpty()) {
            List<String> path = paths.poll();
            String last = path.get(path.size() - 1);
            if (last.equals(job)) {
                List<String> shown = new ArrayList<>(path);
                java.util.Collections.reverse(shown);
                return "'" + String.join("' -> '", shown) + "'";
            }
            if (!seen.add(last)) {
                continue;
            }
            Job j = s.jobs.get(last);
            if (j != null && j.parents() != null) {
                for (String p : j.parents()) {
                    List<String> next = new ArrayList<>(path);
                    next.add(p);
                    paths.add(next);
                }
            }
        }
        return null;
    }

    /** {@code PUT /job/{name}}: runs now, with {@code arguments} after the job's own. */
    Occurrence runNow(String name, List<String> arguments) throws Invalid {
        Job j = s.jobs.get(name);
        if (j == null) {
            return null;
        }
        Occurrence o = s.occur(j, "manual:" + UUID.randomUUID(), "MANUAL", s.now(), null, arguments);
        s.step();
        return o;
    }

    /** {@code DELETE /job/{name}}: its running tasks are killed, it and its history forgotten. */
    boolean delete(String name) throws Invalid, IOException {
        if (!s.jobs.containsKey(name)) {
            return false;
        }
        List<String> children = new ArrayList<>();
        for (Job j : s.jobs.values()) {
            if (j.parents() != null && j.parents().contains(name)) {
                children.add(j.name());
            }
        }
        if (!children.isEmpty()) {
            throw new Invalid("name: jobs " + children + " depend on '" + name + "'; delete them first");
        }
        s.killTasks(name);
        s.forget(name);
        return true;
    }

    /** The dependency graph in Graphviz's dot. */
    String dot() {
        StringBuilder b = new StringBuilder("digraph G {\n");
        for (Job j : s.jobs.values()) {
            b.append("  \"").append(j.name()).append("\";\n");
        }
        for (Job j : s.jobs.values()) {
            if (j.parents() != null) {
                for (String p : j.parents()) {
                    b.append("  \"").append(p).append("\" -> \"").append(j.name()).append("\";\n");
                }
            }
        }
        return b.append("}\n").toString();
    }

    /** Chronos's CSV graph: {@code node,<name>,<last status>,<state>} and {@code link,<parent>,<child>} lines. */
    String csv() {
        StringBuilder b = new StringBuilder();
        for (Job j : s.jobs.values()) {
            String last = j.lastSuccess() != null && !j.lastSuccess().isEmpty()
                    && (j.lastError() == null || j.lastError().isEmpty() || j.lastSuccess().compareTo(j.lastError())
                    > 0) ? "success" : j.lastError() != null && !j.lastError().isEmpty() ? "failure" : "fresh";
            b.append("node,").append(j.name()).append(',').append(last).append(',')
                    .append(s.status(j.name()).path("status").asText()).append('\n');
        }
        for (Job j : s.jobs.values()) {
            if (j.parents() != null) {
                for (String p : j.parents()) {
                    b.append("link,").append(p).append(',').append(j.name()).append('\n');
                }
            }
        }
        return b.toString();
    }

    Map<String, Job> all() {
        return s.jobs;
    }
}
