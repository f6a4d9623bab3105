package io.pangaea.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Passes a request on to another instance of the same service (a framework adapter that stands by forwards its API
 * to the acting one): same method, path, query, headers and body; the answer comes back as it is, or 502 when that
 * instance does not answer. Thread-safe; answers asynchronously.
 */
public final class Forwarder {

    private static final Set<String> HOP_BY_HOP_REQUEST = Set.of("host", "content-length", "connection",
            "transfer-encoding", "expect", "upgrade");
    private static final Set<String> HOP_BY_HOP_RESPONSE = Set.of("content-length", "transfer-encoding",
            "connection", ":status");

    /** Forwards without a thread started for each answer (see {@link io.pangaea.model.http.HttpSender}). */
    private final io.pangaea.model.http.HttpSender client;

    /** {@code tls}: the context for https targets, or null for the JVM's. */
    public Forwarder(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.client = new io.pangaea.model.http.HttpSender(b.build(), 8, "pangaea-forwarder");
    }

    /** Sends the request to {@code base} (scheme, host and port) and answers with what comes back. */
    public void forward(String base, Request request, Response response, Callback callback) throws IOException {
        String path = Request.getPathInContext(request);
        String query = request.getHttpURI().getQuery();
        URI target = URI.create(base + path + (query == null ? "" : "?" + query));
        byte[] body = new byte[0];
        if (request.getLength() != 0 && !request.getMethod().equals("GET")) {
            body = HttpSupport.body(request, response, callback);
            if (body == null) {
                return;
            }
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                .method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (HttpField f : request.getHeaders()) {
            if (!HOP_BY_HOP_REQUEST.contains(f.getName().toLowerCase(Locale.ROOT))) {
                b.header(f.getName(), f.getValue());
            }
        }
        b.header("Via", "1.1 " + request.getHttpURI().getAuthority());
        client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) ->
                HttpSupport.later(response, () -> {
                    if (e != null) {
                        response.setStatus(502);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        response.write(true, ByteBuffer.wrap(("{\"message\":\"The acting instance at " + base
                                + " did not answer\"}").getBytes(StandardCharsets.UTF_8)), callback);
                        return;
                    }
                    response.setStatus(r.statusCode());
                    r.headers().map().forEach((k, v) -> {
                        if (!HOP_BY_HOP_RESPONSE.contains(k.toLowerCase(Locale.ROOT))) {
                            v.forEach(value -> response.getHeaders().add(k, value));
                        }
                    });
                    response.write(true, ByteBuffer.wrap(r.body()), callback);
                }));
    }
}
