package io.pangaea.agent.internal.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.agent.internal.Agent;
import io.pangaea.agent.internal.AgentView;
import io.pangaea.http.HttpSupport;
import io.pangaea.model.json.MesosJson;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The agent's HTTP endpoints on {@code :5051}: {@code /state}, {@code /health}, {@code /monitor/statistics} and the
 * v1 operator API at {@code /api/v1}. Responses made on other threads wait until {@code handle} has returned
 * ({@link HttpSupport#later}).
 */
public final class AgentHttpServer implements AutoCloseable {

    private final Server server;

    /** Mesos's agent realms. */
    public static final String READONLY = "mesos-agent-readonly";
    public static final String READWRITE = "mesos-agent-readwrite";

    /**
     * The realm of a request to the agent: none for health and the executor API (executors authenticate with tokens,
     * not yet built), the operator API and other writes read-write, the rest read-only.
     */
    static String realm(String path, String method) {
        if (path.endsWith("/health") || path.endsWith("/api/v1/executor")) {
            return null;
        }
        if (path.equals("/api/v1") || path.equals("/slave(1)/api/v1")) {
            return READWRITE;
        }
        return "GET".equals(method) || "HEAD".equals(method) ? READONLY : READWRITE;
    }

    private final io.pangaea.http.HttpAuthentication auth;

    public AgentHttpServer(Agent agent, String host, int port) throws Exception {
        this(agent, host, port, io.pangaea.http.HttpAuthentication.none());
    }

    /** With who may call what ({@code authenticate_http_readonly}, {@code authenticate_http_readwrite}). */
    public AgentHttpServer(Agent agent, String host, int port, io.pangaea.http.HttpAuthentication auth)
            throws Exception {
        this.auth = auth;
        QueuedThreadPool pool = new QueuedThreadPool(50, 4);
        pool.setName("pangaea-agent-http");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration cfg = new HttpConfiguration();
        cfg.setSendServerVersion(false);
        ServerConnector connector = agent.tls().connector(server, cfg);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        server.setErrorHandler(errors);
        SandboxFiles files = new SandboxFiles(agent.config().workDir());
        agent.serveFiles(r -> filesFor(files, r));
        AgentAuthorization authorization = new AgentAuthorization(agent, files);
        AgentOperatorApi operator = new AgentOperatorApi(agent, files, authorization);
        ExecutorApi executors = new ExecutorApi(agent);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                HttpSupport.Gate gate = HttpSupport.gate(request);
                try {
                    route(request, response, callback);
                } catch (Exception e) {
                    // what no part answered: a 500 that says nothing of the inside
                    org.slf4j.LoggerFactory.getLogger(AgentHttpServer.class).warn("Failed to serve {}",
                            Request.getPathInContext(request), e);
                    HttpSupport.text(response, callback, 500, "Internal error: " + e.getClass().getSimpleName());
                } finally {
                    gate.open();
                }
                return true;
            }

            private void route(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                if (!auth.admits(realm(path, request.getMethod()), request, response, callback)) {
                    return;
                }
                switch (path) {
                    case "/health", "/slave(1)/health" -> HttpSupport.text(response, callback, 200, "");
                    case "/state", "/state.json", "/slave(1)/state" -> json(agent, response, callback, AgentView::state);
                    case "/flags", "/slave(1)/flags" -> {
                        if (authorization.permits(request, "view_flags", null, response, callback)) {
                            json(agent, response, callback, v -> {
                                ObjectNode body = JsonNodeFactory.instance.objectNode();
                                body.set("flags", v.flags());
                                return body;
                            });
                        }
                    }
                    case "/version" -> json(agent, response, callback, v -> AgentView.version());
                    case "/monitor/statistics", "/monitor/statistics.json" ->
                            agent.containers().whenComplete((list, err) -> {
                                if (err != null) {
                                    HttpSupport.text(response, callback, 503, "Agent is not available");
                                } else {
                                    HttpSupport.json(response, callback,
                                            MesosJson.write(AgentView.statistics(list)));
                                }
                            });
                    case "/api/v1", "/slave(1)/api/v1" -> operator.handle(request, response, callback);
                    case "/api/v1/executor", "/slave(1)/api/v1/executor" ->
                            executors.handle(request, response, callback);
                    case "/metrics/snapshot", "/metrics/snapshot.json" -> {
                        if (authorization.permits(request, "get_endpoints", "/metrics/snapshot", response,
                                callback)) {
                            json(agent, response, callback, AgentView::metrics);
                        }
                    }
                    case "/files/browse", "/files/browse.json", "/files/read", "/files/read.json", "/files/download",
                            "/files/download.json" -> {
                        String what = path.substring("/files/".length()).replace(".json", "");
                        authorization.files(request, Request.extractQueryParameters(request).getValue("path"),
                                () -> filesNow(request, response, callback, files, what), response, callback);
                    }
                    default -> HttpSupport.text(response, callback, 404, "No such endpoint: " + path);
                }
            }
        });
        server.start();
    }

    private static void json(Agent agent, Response response, Callback callback,
                             Function<AgentView, Object> view) {
        agent.read(view).whenComplete((node, err) -> {
            if (err != null) {
                HttpSupport.text(response, callback, 503, "Agent is not available");
            } else {
                HttpSupport.json(response, callback, MesosJson.write(node));
            }
        });
    }

    /** The legacy file endpoints, with Mesos's query parameters ({@code path}, {@code offset}, {@code length}). */
    private static void filesNow(Request request, Response response, Callback callback, SandboxFiles files,
                                 String what) {
        var q = Request.extractQueryParameters(request);
        FileAnswer a = answer(files, what, q.getValue("path"), q.getValue("offset"), q.getValue("length"));
        if (a.status() != 200) {
            HttpSupport.text(response, callback, a.status(), new String(a.body(), StandardCharsets.UTF_8));
            return;
        }
        if (a.filename() != null) {
            response.getHeaders().put("Content-Disposition", "attachment; filename=\"" + a.filename() + "\"");
        }
        HttpSupport.ok(response, callback, a.contentType(), a.body());
    }

    /** What one of the file endpoints answers: status, content type, body and, for a download, the file's name. */
    record FileAnswer(int status, String contentType, byte[] body, String filename) {}

    /** Serves {@code browse}, {@code read} or {@code download} with the endpoints' parameters (text or null). */
    static FileAnswer answer(SandboxFiles files, String what, String path, String offsetText, String lengthText) {
        try {
            switch (what) {
                case "browse" -> {
                    return new FileAnswer(200, HttpSupport.JSON, MesosJson.write(files.browse(path)), null);
                }
                case "read" -> {
                    long offset = number(offsetText, -1, "offset");
                    long length = number(lengthText, SandboxFiles.MAX_READ, "length");
                    var n = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                    if (offset == -1) {
                        // Mesos: without an offset, the answer is the file's size and no data
                        n.put("data", "");
                        n.put("offset", files.read(path, 0, 0).size());
                    } else {
                        SandboxFiles.Chunk c = files.read(path, offset, length);
                        n.put("data", new String(c.data(), StandardCharsets.UTF_8));
                        n.put("offset", offset);
                    }
                    return new FileAnswer(200, HttpSupport.JSON, MesosJson.write(n), null);
                }
                case "download" -> {
                    SandboxFiles.Chunk c = files.read(path, 0, SandboxFiles.MAX_READ);
                    String name = java.nio.file.Path.of(path).getFileName().toString().replace("\"", "");
                    return new FileAnswer(200, "application/octet-stream", c.data(), name);
                }
                default -> {
                    return new FileAnswer(404, "text/plain", ("No such file operation: " + what)
                            .getBytes(StandardCharsets.UTF_8), null);
                }
            }
        } catch (SandboxFiles.FileException e) {
            return new FileAnswer(e.status, "text/plain", e.getMessage().getBytes(StandardCharsets.UTF_8), null);
        }
    }

    /**
     * The master's FILES event, on behalf of a client of the master (the Web UI): answered as the endpoints would,
     * body in base64.
     */
    public static io.pangaea.model.agentproto.AgentCall.FilesReply filesFor(SandboxFiles files,
            io.pangaea.model.agentproto.AgentEvent.Files request) {
        // the master let its caller read the sandbox the path names: a path that leads into another one (through a
        // link, say) is not followed
        if (!java.util.Arrays.equals(files.owner(request.path()), SandboxFiles.namedOwner(request.path()))) {
            return new io.pangaea.model.agentproto.AgentCall.FilesReply(request.requestId(), 404, "text/plain",
                    java.util.Base64.getEncoder().encodeToString(("File not found: '" + request.path() + "'")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        FileAnswer a = answer(files, request.operation() == null ? "" : request.operation(), request.path(),
                request.offset() == null ? null : request.offset().toString(),
                request.length() == null ? null : request.length().toString());
        return new io.pangaea.model.agentproto.AgentCall.FilesReply(request.requestId(), a.status(),
                a.contentType(), java.util.Base64.getEncoder().encodeToString(a.body()));
    }

    private static long number(String value, long absent, String name) throws SandboxFiles.FileException {
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            long n = Long.parseLong(value);
            if (n < -1 || (n == -1 && !name.equals("offset"))) {
                throw new SandboxFiles.FileException(400, "Negative '" + name + "' provided: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new SandboxFiles.FileException(400, "Failed to parse '" + name + "': '" + value + "' is not a number");
        }
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
