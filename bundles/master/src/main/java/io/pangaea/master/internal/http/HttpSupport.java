package io.pangaea.master.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small helpers shared by the master's handlers. */
final class HttpSupport {

    /** Bodies larger than this are refused (413) before they are parsed. */
    static final int MAX_BODY = 16 * 1024 * 1024;

    private HttpSupport() {}

    static void text(Response response, Callback callback, int status, String message) {
        response.setStatus(status);
        if (message == null || message.isEmpty()) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, message, callback);
    }

    static void json(Response response, Callback callback, byte[] body) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
    }

    /** The body, or null when it is larger than {@link #MAX_BODY}. Chunked bodies are accepted. */
    static byte[] body(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > MAX_BODY) {
            return null;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            return b.length > MAX_BODY ? null : b;
        }
    }

    static String mediaType(Request request) {
        String ct = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (ct == null) {
            return null;
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** True when the Accept header (if any) allows {@code type}. */
    static boolean accepts(Request request, String type) {
        boolean any = false;
        for (HttpField f : request.getHeaders()) {
            if (f.getHeader() != HttpHeader.ACCEPT) {
                continue;
            }
            any = true;
            for (String part : f.getValue().split(",")) {
                String p = part.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
                if (p.equals(type) || p.equals("*/*") || p.equals("application/*")) {
                    return true;
                }
            }
        }
        return !any;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
