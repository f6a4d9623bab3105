package io.pangaea.master.internal.http;

import io.pangaea.http.HttpSupport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master that does not lead forwards a request to the leader, and its answer back, when the request asks for it
 * with {@value #HEADER}{@code : leader} (or {@code forward=leader} in its query): so that a web page loaded from any master stays on that master's origin (the
 * Web UI sets the header on its data calls). Streams (the operator API's SUBSCRIBE) are copied as they come. Every
 * other request still gets the 307 to the leader that Mesos clients expect.
 */
final class LeaderForwarding {

    static final String HEADER = "Pangaea-Forward";
    private static final Logger LOG = LoggerFactory.getLogger(LeaderForwarding.class);
    /** Request headers passed on; the others (Host, hop-by-hop) are the client's connection's own. */
    private static final Set<String> PASSED = Set.of("content-type", "accept", "mesos-stream-id", "authorization");

    /** The forwarded calls, without a thread started for each answer (see {@link io.pangaea.model.http.HttpSender}). */
    private final io.pangaea.model.http.HttpSender http;
    /** The masters' scheme: all of a cluster's masters serve TLS, or none does. */
    private final String scheme;

    LeaderForwarding() {
        this(io.pangaea.http.Tls.off());
    }

    /** Forwarding between masters with these TLS settings (the leader is called as this master is served). */
    LeaderForwarding(io.pangaea.http.Tls tls) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1);
        if (tls.enabled()) {
            b.sslContext(tls.clientContext());
        }
        this.http = new io.pangaea.model.http.HttpSender(b.build(), 16, "pangaea-leader-forwarding");
        this.scheme = tls.scheme();
    }
    /** Copies answers (a stream may last as long as the page is open). */
    private final ExecutorService copiers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pangaea-master-forward");
        t.setDaemon(true);
        return t;
    });

    /** Asked by the header, or by {@code forward=leader} in the query (a link, such as a download, has no headers). */
    static boolean wanted(Request request) {
        if ("leader".equalsIgnoreCase(request.getHeaders().get(HEADER))) {
            return true;
        }
        String query = request.getHttpURI().getQuery();
        return query != null && java.util.Arrays.asList(query.split("&")).contains("forward=leader");
    }

    void forward(Request request, Response response, Callback callback, String leader) throws IOException {
        byte[] body = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()) ? new byte[0]
                : HttpSupport.body(request, response, callback);
        if (body == null) {
            return; // too large: answered
        }
        String query = request.getHttpURI().getQuery();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://" + leader
                + Request.getPathInContext(request) + (query == null ? "" : "?" + query)))
                .method(request.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        request.getHeaders().forEach(f -> {
            if (PASSED.contains(f.getLowerCaseName())) {
                b.header(f.getName(), f.getValue());
            }
        });
        http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()).whenComplete((r, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "The leader at " + leader + " cannot be reached: "
                        + err.getMessage());
                return;
            }
            copiers.execute(() -> copy(r, response, callback));
        });
    }

    private static void copy(HttpResponse<InputStream> r, Response response, Callback callback) {
        try (InputStream in = r.body()) {
            response.setStatus(r.statusCode());
            r.headers().firstValue("content-type").ifPresent(v -> response.getHeaders().put(HttpHeader.CONTENT_TYPE,
                    v));
            r.headers().firstValue("mesos-stream-id").ifPresent(v -> response.getHeaders().put("Mesos-Stream-Id",
                    v));
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                FutureCallback written = new FutureCallback();
                response.write(false, ByteBuffer.wrap(buf, 0, n).slice(), written);
                written.get(); // one write at a time, each flushed: an event stream reaches the page as it comes
            }
            response.write(true, ByteBuffer.allocate(0), callback);
        } catch (Exception e) {
            LOG.debug("Forwarding to the leader ended: {}", e.toString());
            callback.failed(e);
        }
    }

    void close() {
        copiers.shutdownNow();
        http.close();
    }
}
