package io.pangaea.agent.internal.http;

import io.pangaea.agent.internal.Agent;
import io.pangaea.agent.internal.AgentView;
import io.pangaea.model.json.MesosJson;
import java.nio.ByteBuffer;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
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

/** The agent's HTTP endpoints on {@code :5051}: {@code /state}, {@code /health}, {@code /monitor/statistics}. */
public final class AgentHttpServer implements AutoCloseable {

    private final Server server;

    public AgentHttpServer(Agent agent, String host, int port) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(50, 4);
        pool.setName("pangaea-agent-http");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration cfg = new HttpConfiguration();
        cfg.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(cfg));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        server.setErrorHandler(errors);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = Request.getPathInContext(request);
                switch (path) {
                    case "/health", "/slave(1)/health" -> {
                        response.setStatus(200);
                        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
                        callback.succeeded();
                    }
                    case "/state", "/state.json", "/slave(1)/state" -> json(agent, response, callback, AgentView::state);
                    case "/monitor/statistics", "/monitor/statistics.json" ->
                            json(agent, response, callback, AgentView::statistics);
                    default -> {
                        response.setStatus(404);
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                        Content.Sink.write(response, true, "No such endpoint: " + path, callback);
                    }
                }
                return true;
            }
        });
        server.start();
    }

    private static void json(Agent agent, Response response, Callback callback,
                             Function<AgentView, Object> view) {
        agent.read(view).whenComplete((node, err) -> {
            if (err != null) {
                response.setStatus(503);
                Content.Sink.write(response, true, "Agent is not available", callback);
                return;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(MesosJson.write(node)), callback);
        });
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
