package io.pangaea.framework.jobs.internal;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A Chronos job, with Chronos's JSON field names: a {@code schedule} ({@code R[n]/start/period}) or a {@code cron}
 * (Pangaea's), or {@code parents} (a dependent job). The counters are kept by the adapter; a definition posted again
 * keeps them. {@link #withDefaults} fills in Chronos's defaults.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Job(String name, String command, Boolean shell, List<String> arguments, String schedule,
                  String scheduleTimeZone, String cron, List<String> parents, String epsilon, Integer retries,
                  Boolean disabled, Boolean concurrent, String owner, String ownerName, String description,
                  Double cpus, Double mem, Double disk, Container container, List<List<String>> constraints,
                  List<Fetch> fetch, List<String> uris, List<Variable> environmentVariables, String runAsUser,
                  Long successCount, Long errorCount, String lastSuccess, String lastError,
                  Long errorsSinceLastSuccess) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Container(String type, String image, String network, List<Volume> volumes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Volume(String containerPath, String hostPath, String mode) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Fetch(String uri, Boolean executable, Boolean extract, Boolean cache) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Variable(String name, String value) {}

    private static <T> T or(T v, T d) {
        return v == null ? d : v;
    }

    /** Chronos's defaults filled in (counters from {@code previous}, when the job existed). */
    Job withDefaults(Job previous) {
        return new Job(name, command, or(shell, true), or(arguments, List.of()), schedule,
                schedule == null && cron == null ? null : or(scheduleTimeZone, "UTC"), cron,
                parents == null || parents.isEmpty() ? (schedule == null && cron == null ? List.of() : null)
                        : parents, or(epsilon, "PT60S"), or(retries, 2), or(disabled, false), or(concurrent, false),
                or(owner, ""), or(ownerName, ""), or(description, ""), or(cpus, 0.1), or(mem, 128.0),
                or(disk, 256.0), container, or(constraints, List.of()), or(fetch, List.of()), or(uris, List.of()),
                or(environmentVariables, List.of()), or(runAsUser, "root"),
                previous == null ? 0L : previous.successCount, previous == null ? 0L : previous.errorCount,
                previous == null ? "" : previous.lastSuccess, previous == null ? "" : previous.lastError,
                previous == null ? 0L : previous.errorsSinceLastSuccess);
    }

    /** The same job with another schedule. */
    Job withSchedule(String newSchedule) {
        return new Job(name, command, shell, arguments, newSchedule, scheduleTimeZone, cron, parents, epsilon,
                retries, disabled, concurrent, owner, ownerName, description, cpus, mem, disk, container,
                constraints, fetch, uris, environmentVariables, runAsUser, successCount, errorCount, lastSuccess,
                lastError, errorsSinceLastSuccess);
    }

    /** The same job with its counters after a run. */
    Job counted(boolean success, String at) {
        return new Job(name, command, shell, arguments, schedule, scheduleTimeZone, cron, parents, epsilon, retries,
                disabled, concurrent, owner, ownerName, description, cpus, mem, disk, container, constraints, fetch,
                uris, environmentVariables, runAsUser, success ? successCount + 1 : successCount,
                success ? errorCount : errorCount + 1, success ? at : lastSuccess, success ? lastError : at,
                success ? 0L : errorsSinceLastSuccess + 1);
    }

    @JsonIgnore
    boolean dependent() {
        return schedule == null && cron == null;
    }
}
