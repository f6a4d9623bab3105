package io.pangaea.webui;

import io.pangaea.http.HttpRoute;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Component;

/**
 * The Web UI's files, served on the master's port through {@link HttpRoute}: the page at {@code /} (and
 * {@code /index.html}), its script and style under {@code /ui/}. Everything the page shows it reads from the master it
 * was loaded from: the operator API ({@code POST /api/v1}, its SUBSCRIBE stream for live changes) and
 * {@code /metrics/snapshot}. Other paths are not this route's.
 */
@Component(service = HttpRoute.class, property = {HttpRoute.PATH_PROPERTY + "=/",
        HttpRoute.SERVER_PROPERTY + "=master"})
public final class WebUi implements HttpRoute {

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml",
            "png", "image/png", "ico", "image/x-icon");

    /** The files, read once from the bundle. */
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();

    @Override
    public Reply handle(Request request) throws IOException {
        String path = request.path();
        String file;
        if (path.equals("/") || path.equals("/index.html")) {
            file = "index.html";
        } else if (path.startsWith("/ui/")) {
            file = path.substring("/ui/".length());
        } else {
            return null;
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return new Reply(405, "text/plain; charset=utf-8", "Expecting GET".getBytes(StandardCharsets.UTF_8),
                    Map.of("Allow", "GET, HEAD"));
        }
        if (!file.matches("[a-z0-9][a-z0-9._-]*") || file.contains("..")) {
            return Reply.of(404, "text/plain; charset=utf-8", ("No such file: " + path)
                    .getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = read(file);
        if (body == null) {
            return Reply.of(404, "text/plain; charset=utf-8", ("No such file: " + path)
                    .getBytes(StandardCharsets.UTF_8));
        }
        String ext = file.substring(file.lastIndexOf('.') + 1);
        return new Reply(200, TYPES.getOrDefault(ext, "application/octet-stream"), body,
                Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff"));
    }

    private byte[] read(String file) throws IOException {
        byte[] cached = files.get(file);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = WebUi.class.getResourceAsStream("/webui/" + file)) {
            if (in == null) {
                return null;
            }
            byte[] body = in.readAllBytes();
            files.put(file, body);
            return body;
        }
    }
}
