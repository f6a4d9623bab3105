package io.pangaea.containerizer.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Transport;

/**
 * The few Docker Engine API calls the containerizer needs, over the engine's unix socket with Jetty's HTTP client
 * (API version 1.41, Docker 20.10 and later).
 */
final class DockerApi implements AutoCloseable {

    static final String VERSION = "v1.41";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = new HttpClient();
    private final Transport transport;

    DockerApi(Path socket) throws Exception {
        this.transport = new Transport.TCPUnix(socket);
        http.setIdleTimeout(0);
        http.start();
    }

    /** A failed call: the engine's status and message. */
    static final class DockerException extends Exception {
        final int status;

        DockerException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private Request request(HttpMethod method, String path) {
        return http.newRequest("http://docker/" + VERSION + path).method(method).transport(transport)
                .timeout(60, TimeUnit.SECONDS);
    }

    private JsonNode call(Request r, int... ok) throws Exception {
        ContentResponse resp = r.send();
        for (int s : ok) {
            if (resp.getStatus() == s) {
                String body = resp.getContentAsString();
                return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
            }
        }
        String message = resp.getContentAsString();
        try {
            message = JSON.readTree(message).path("message").asText(message);
        } catch (Exception ignored) {
            // not JSON: keep the text
        }
        throw new DockerException(resp.getStatus(), message);
    }

    void ping() throws Exception {
        ContentResponse r = request(HttpMethod.GET, "/_ping").send();
        if (r.getStatus() != 200) {
            throw new DockerException(r.getStatus(), "Docker engine ping answered " + r.getStatus());
        }
    }

    String create(String name, JsonNode spec) throws Exception {
        Request r = request(HttpMethod.POST, "/containers/create?name=" + name)
                .body(new BytesRequestContent("application/json", JSON.writeValueAsBytes(spec)));
        return call(r, 201).path("Id").asText();
    }

    /** Changes a running container's resource limits ({@code POST /containers/{id}/update}). */
    void update(String id, JsonNode limits) throws Exception {
        call(request(HttpMethod.POST, "/containers/" + id + "/update")
                .body(new BytesRequestContent("application/json", JSON.writeValueAsBytes(limits))), 200);
    }

    void start(String id) throws Exception {
        call(request(HttpMethod.POST, "/containers/" + id + "/start"), 204, 304);
    }

    /** Completes with the exit code of the container's next exit (asked before it starts; a long-poll). */
    CompletableFuture<Integer> await(String id) {
        return await(id, "next-exit");
    }

    /**
     * Completes with the container's exit code once {@code condition} holds: {@code next-exit} (asked before it
     * starts), or {@code not-running} (at once for a container that has ended; a container found again after a
     * restart of the agent).
     */
    CompletableFuture<Integer> await(String id, String condition) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        http.newRequest("http://docker/" + VERSION + "/containers/" + id + "/wait?condition=" + condition)
                .method(HttpMethod.POST)
                .transport(transport).timeout(0, TimeUnit.SECONDS).send(new org.eclipse.jetty.client.BufferingResponseListener() {
                    @Override
                    public void onComplete(org.eclipse.jetty.client.Result result) {
                        try {
                            if (result.isFailed()) {
                                f.completeExceptionally(result.getFailure());
                            } else if (result.getResponse().getStatus() != 200) {
                                f.completeExceptionally(new DockerException(result.getResponse().getStatus(),
                                        getContentAsString()));
                            } else {
                                f.complete(JSON.readTree(getContentAsString()).path("StatusCode").asInt());
                            }
                        } catch (Exception e) {
                            f.completeExceptionally(e);
                        }
                    }
                });
        return f;
    }

    /** {@code docker stop -t}: SIGTERM, then SIGKILL after {@code seconds}. */
    void stop(String id, long seconds) throws Exception {
        Request r = request(HttpMethod.POST, "/containers/" + id + "/stop?t=" + seconds)
                .timeout(seconds + 60, TimeUnit.SECONDS);
        call(r, 204, 304, 404);
    }

    void remove(String id) throws Exception {
        // 409: another removal of it is under way (an orphan sweep and its own end may meet)
        call(request(HttpMethod.DELETE, "/containers/" + id + "?force=true&v=true"), 204, 404, 409);
    }

    JsonNode inspect(String id) throws Exception {
        return call(request(HttpMethod.GET, "/containers/" + id + "/json"), 200);
    }

    /** Containers (running or not) with a label {@code key=value}. */
    JsonNode list(String key, String value) throws Exception {
        String filters = JSON.writeValueAsString(JSON.createObjectNode().set("label",
                JSON.createArrayNode().add(key + "=" + value)));
        return call(request(HttpMethod.GET, "/containers/json?all=true&filters="
                + java.net.URLEncoder.encode(filters, StandardCharsets.UTF_8)), 200);
    }

    JsonNode stats(String id) throws Exception {
        return call(request(HttpMethod.GET, "/containers/" + id + "/stats?stream=false&one-shot=true"), 200);
    }

    /**
     * Follows the container's output from its start (or from {@code since}, when given), demultiplexing the engine's
     * stream (8-byte frame headers: stream 1 stdout, 2 stderr) into {@code sink}, each frame with the time the engine
     * gave it. Completes when the container's output ends.
     */
    CompletableFuture<Void> follow(String id, java.time.Instant since, Consumer<Frame> sink) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Demux demux = new Demux(sink);
        String from = since == null ? "" : "&since=" + since.getEpochSecond() + "."
                + String.format("%09d", since.getNano());
        http.newRequest("http://docker/" + VERSION + "/containers/" + id
                        + "/logs?follow=true&stdout=true&stderr=true&timestamps=true" + from).method(HttpMethod.GET)
                .transport(transport)
                .timeout(0, TimeUnit.SECONDS)
                .onResponseContent((Response response, ByteBuffer content) -> demux.feed(content))
                .send(result -> {
                    if (result.isFailed()) {
                        done.completeExceptionally(result.getFailure());
                    } else {
                        done.complete(null);
                    }
                });
        return done;
    }

    /**
     * One chunk of output: {@code stream} 1 (stdout) or 2 (stderr), with the time the engine logged it (null when it
     * had none).
     */
    record Frame(int stream, byte[] data, java.time.Instant time) {

        /** A frame as the engine sends it with {@code timestamps=true}: {@code <RFC 3339 time> <data>}. */
        static Frame stamped(int stream, byte[] raw) {
            int space = -1;
            for (int i = 0; i < Math.min(raw.length, 48); i++) {
                if (raw[i] == ' ') {
                    space = i;
                    break;
                }
            }
            if (space > 0) {
                try {
                    java.time.Instant t = java.time.Instant.parse(new String(raw, 0, space,
                            StandardCharsets.US_ASCII));
                    return new Frame(stream, java.util.Arrays.copyOfRange(raw, space + 1, raw.length), t);
                } catch (java.time.format.DateTimeParseException notAStamp) {
                    // output that does not start with a time
                }
            }
            return new Frame(stream, raw, null);
        }
    }

    /** Reassembles frames across content chunks. */
    static final class Demux {
        private final Consumer<Frame> sink;
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        Demux(Consumer<Frame> sink) {
            this.sink = sink;
        }

        synchronized void feed(ByteBuffer content) {
            byte[] chunk = new byte[content.remaining()];
            content.get(chunk);
            pending.writeBytes(chunk);
            byte[] all = pending.toByteArray();
            int at = 0;
            while (all.length - at >= 8) {
                int stream = all[at];
                int len = ((all[at + 4] & 0xff) << 24) | ((all[at + 5] & 0xff) << 16) | ((all[at + 6] & 0xff) << 8)
                        | (all[at + 7] & 0xff);
                if (all.length - at - 8 < len) {
                    break;
                }
                byte[] data = java.util.Arrays.copyOfRange(all, at + 8, at + 8 + len);
                sink.accept(Frame.stamped(stream, data));
                at += 8 + len;
            }
            pending.reset();
            pending.write(all, at, all.length - at);
        }
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }
}
