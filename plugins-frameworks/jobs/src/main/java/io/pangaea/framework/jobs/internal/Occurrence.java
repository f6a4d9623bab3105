package io.pangaea.framework.jobs.internal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * One occurrence of a job: a scheduled time, a run by hand, or a run after its parents succeeded. Stored (in the
 * job's history) before any of its tasks is launched, with each attempt's task id, so that a new acting adapter
 * finds every occurrence and reconciles its task instead of launching it again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
final class Occurrence {

    /** Waiting for an offer, launched, running; then one of the ends. */
    enum State { WAITING, LAUNCHING, RUNNING, SUCCEEDED, FAILED, SKIPPED }

    /** One task of the occurrence: the first try and each retry. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Attempt {
        public String taskId;
        public String agentId;
        public String state;
        public String startedAt;
        public String endedAt;
        public String message;
    }

    /** The scheduled time (ISO 8601), {@code manual:<uuid>}, or {@code after:<parents' last success>}. */
    public String id;
    public String job;
    /** SCHEDULED, MANUAL or DEPENDENT. */
    public String kind;
    /** When it was due. */
    public String scheduledAt;
    public State state;
    /** Why it was skipped or failed. */
    public String reason;
    public List<String> arguments;
    public List<Attempt> attempts = new ArrayList<>();
    public String endedAt;

    boolean unfinished() {
        return state == State.WAITING || state == State.LAUNCHING || state == State.RUNNING;
    }

    Attempt current() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }
}
