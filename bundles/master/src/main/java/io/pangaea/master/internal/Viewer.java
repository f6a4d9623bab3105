package io.pangaea.master.internal;

import io.pangaea.http.Acls;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.TaskInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * What one principal may see of the master's state, by the {@code view_frameworks}, {@code view_tasks},
 * {@code view_executors}, {@code view_roles} and {@code view_flags} ACLs: the read endpoints, the operator API's
 * reads and its event stream leave out what it may not see, rather than refuse the request, as Mesos does. The
 * objects are operating system users (a task's own user, else its framework's) and roles. Answers are remembered
 * per user, so a state of many tasks costs one check per distinct user. Not thread-safe: one request's view.
 */
public final class Viewer {

    /** Sees everything: no ACLs, or a caller inside the master (the shell's own tables). */
    public static final Viewer ALL = new Viewer(Acls.permissive(), null);

    private final Acls acls;
    private final String principal;
    private final Map<String, Boolean> frameworks = new HashMap<>();
    private final Map<String, Boolean> tasks = new HashMap<>();
    private final Map<String, Boolean> executors = new HashMap<>();
    private final Map<String, Boolean> roles = new HashMap<>();

    private Viewer(Acls acls, String principal) {
        this.acls = acls;
        this.principal = principal;
    }

    /** The view of {@code principal} (null: an unauthenticated caller) under {@code acls}. */
    public static Viewer of(Acls acls, String principal) {
        return acls.configured() ? new Viewer(acls, principal) : ALL;
    }

    public String principal() {
        return principal;
    }

    /** Whether it sees everything, so that callers may skip the checks. */
    public boolean all() {
        return !acls.configured();
    }

    public boolean framework(FrameworkInfo f) {
        return all() || frameworks.computeIfAbsent(userOf(f), u -> acls.approves("view_frameworks", principal, u));
    }

    public boolean task(FrameworkInfo f, TaskInfo t) {
        if (all()) {
            return true;
        }
        String user = null;
        if (t != null && t.command() != null && t.command().user() != null) {
            user = t.command().user();
        } else if (t != null && t.executor() != null && t.executor().command() != null
                && t.executor().command().user() != null) {
            user = t.executor().command().user();
        }
        return tasks.computeIfAbsent(user == null ? userOf(f) : user, u -> acls.approves("view_tasks", principal, u));
    }

    public boolean executor(FrameworkInfo f, ExecutorInfo e) {
        if (all()) {
            return true;
        }
        String user = e != null && e.command() != null && e.command().user() != null ? e.command().user()
                : userOf(f);
        return executors.computeIfAbsent(user, u -> acls.approves("view_executors", principal, u));
    }

    public boolean role(String role) {
        return all() || roles.computeIfAbsent(role, r -> acls.approves("view_roles", principal, r));
    }

    public boolean flags() {
        return acls.approves("view_flags", principal, null);
    }

    private static String userOf(FrameworkInfo f) {
        return f == null || f.user() == null ? "" : f.user();
    }
}
