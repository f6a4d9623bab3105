package io.pangaea.http;

import java.io.IOException;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bundle's HTTP routes on a Pangaea daemon's port, found through the OSGi service registry (the whiteboard
 * pattern): register an {@code HttpRoute} with {@value #PATH_PROPERTY} (a path prefix such as {@code /ui}, or
 * {@code /} for what nothing else serves) and {@value #SERVER_PROPERTY} ({@code master}). The daemon's own endpoints
 * come first; among routes, the longest prefix that matches is asked. A route that answers {@code null} does not
 * serve that path: the next shorter prefix is asked, and at the end the daemon answers 404.
 *
 * <p>Routes are served by every master, the leader and the others alike (a web page stays on the master the user
 * opened); {@link #handle} runs on an HTTP thread and must not block for long.
 */
@ConsumerType
public interface HttpRoute {

    String PATH_PROPERTY = "pangaea.http.path";
    String SERVER_PROPERTY = "pangaea.http.server";

    /**
     * One request: its method, its path (with the route's prefix), its query string (or null), headers, body, and
     * the principal it authenticated as (null when the daemon did not ask for credentials), for a route to check
     * against the daemon's ACLs.
     */
    record Request(String method, String path, String query, Map<String, String> headers, byte[] body,
                   String principal) {
        public Request(String method, String path, String query, Map<String, String> headers, byte[] body) {
            this(method, path, query, headers, body, null);
        }

        /** A header by its name, in any case, or null. */
        public String header(String name) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }
    }

    /** The answer: status, content type, body and any other headers. */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        public static Reply of(int status, String contentType, byte[] body) {
            return new Reply(status, contentType, body, Map.of());
        }
    }

    /** Answers {@code request}, or returns null when this route does not serve its path. */
    Reply handle(Request request) throws IOException;
}
