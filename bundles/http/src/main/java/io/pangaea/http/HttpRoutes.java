package io.pangaea.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HttpRoute}s a daemon serves, as they come and go in the service registry, and their dispatch from a
 * Jetty 12 handler: the longest prefix that matches is asked first. Thread-safe.
 */
public final class HttpRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(HttpRoutes.class);

    private record Entry(String prefix, HttpRoute route) {}

    private final List<Entry> routes = new CopyOnWriteArrayList<>();

    /** Adds {@code route} under {@code prefix} (a path such as {@code /ui}, or {@code /}). */
    public void add(String prefix, HttpRoute route) {
        String p = prefix == null || prefix.isBlank() ? "/" : prefix.trim();
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        routes.add(new Entry(p, route));
        LOG.info("HTTP route {} added", p);
    }

    public void remove(HttpRoute route) {
        routes.removeIf(e -> e.route() == route);
    }

    /** The prefixes served, for the read endpoints. */
    public List<String> prefixes() {
        return routes.stream().map(Entry::prefix).sorted().toList();
    }

    private static boolean matches(String prefix, String path) {
        return prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /**
     * Serves the request through the routes that match its path, longest prefix first; false when none answered
     * (the caller then answers 404). A route that fails answers 500, without the failure's details.
     */
    public boolean serve(Request request, Response response, Callback callback) throws IOException {
        String path = Request.getPathInContext(request);
        List<Entry> candidates = new ArrayList<>();
        for (Entry e : routes) {
            if (matches(e.prefix(), path)) {
                candidates.add(e);
            }
        }
        if (candidates.isEmpty()) {
            return false;
        }
        candidates.sort(Comparator.comparingInt((Entry e) -> e.prefix().length()).reversed());
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField f : request.getHeaders()) {
            headers.merge(f.getName(), f.getValue(), (a, b) -> a + ", " + b);
        }
        byte[] body = new byte[0];
        if (request.getLength() != 0 && !"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
            body = HttpSupport.body(request, response, callback);
            if (body == null) {
                return true; // too large: answered
            }
        }
        HttpRoute.Request r = new HttpRoute.Request(request.getMethod(), path, request.getHttpURI().getQuery(),
                headers, body, request.getAttribute(HttpAuthentication.PRINCIPAL) instanceof String p ? p : null);
        for (Entry e : candidates) {
            HttpRoute.Reply reply;
            try {
                reply = e.route().handle(r);
            } catch (IOException | RuntimeException x) {
                LOG.warn("HTTP route {} failed on {} {}", e.prefix(), r.method(), path, x);
                HttpSupport.text(response, callback, 500, "Internal error");
                return true;
            }
            if (reply != null) {
                write(response, callback, reply, "HEAD".equals(request.getMethod()));
                return true;
            }
        }
        return false;
    }

    private static void write(Response response, Callback callback, HttpRoute.Reply reply, boolean head) {
        HttpSupport.later(response, () -> {
            response.setStatus(reply.status());
            if (reply.contentType() != null) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            }
            reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            byte[] body = reply.body() == null ? new byte[0] : reply.body();
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
            response.write(true, java.nio.ByteBuffer.wrap(head ? new byte[0] : body), callback);
        });
    }
}
