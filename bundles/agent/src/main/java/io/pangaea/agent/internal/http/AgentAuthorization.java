package io.pangaea.agent.internal.http;

import io.pangaea.agent.internal.Agent;
import io.pangaea.http.Acls;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.http.HttpSupport;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The agent's own endpoints under its {@code acls}, as a Mesos agent checks them: {@code view_flags},
 * {@code get_endpoints} (metrics), {@code set_log_level}, and for files {@code access_sandboxes} (the sandbox's
 * user) or {@code access_mesos_logs} (anything outside a sandbox). A refusal is 403 naming the action.
 */
final class AgentAuthorization {

    private final Agent agent;
    private final SandboxFiles files;

    AgentAuthorization(Agent agent, SandboxFiles files) {
        this.agent = agent;
        this.files = files;
    }

    static String principal(Request request) {
        return request.getAttribute(HttpAuthentication.PRINCIPAL) instanceof String p ? p : null;
    }

    /** Whether the request's principal may {@code action} {@code object}; when not, 403 has been answered. */
    boolean permits(Request request, String action, String object, Response response, Callback callback) {
        if (agent.acls().approves(action, principal(request), object)) {
            return true;
        }
        forbid(request, action, object, response, callback);
        return false;
    }

    private static void forbid(Request request, String action, String object, Response response,
                               Callback callback) {
        String p = principal(request);
        HttpSupport.text(response, callback, 403, "Forbidden: " + (p == null ? "an unauthenticated caller"
                : "principal '" + p + "'") + " is not authorized to " + action + (object == null ? "" : " " + object)
                + " (ACL '" + action + "')");
    }

    /**
     * Runs {@code serve} when the request's principal may read {@code path}: a sandbox by its user
     * ({@code access_sandboxes}), anything else as the agent's logs ({@code access_mesos_logs}); else 403.
     */
    void files(Request request, String path, Runnable serve, Response response, Callback callback) {
        Acls acls = agent.acls();
        if (!acls.configured()) {
            serve.run();
            return;
        }
        String[] owner = path == null ? null : files.owner(path);
        CompletableFuture<String> user = owner == null ? CompletableFuture.completedFuture(null)
                : agent.sandboxUser(FrameworkId.of(owner[0]), ExecutorId.of(owner[1]));
        user.whenComplete((u, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Agent is not available");
            } else if (owner == null ? acls.approves("access_mesos_logs", principal(request), null)
                    : acls.approves("access_sandboxes", principal(request), u)) {
                serve.run();
            } else {
                forbid(request, owner == null ? "access_mesos_logs" : "access_sandboxes", path, response, callback);
            }
        });
    }
}
