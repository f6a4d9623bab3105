package io.pangaea.agent.internal.http;

import io.pangaea.agent.internal.Agent;
import io.pangaea.agent.internal.AgentView;
import io.pangaea.http.HttpSupport;
import io.pangaea.model.json.MesosJson;
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
        AgentOperatorApi operator = new AgentOperatorApi(agent);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                HttpSupport.Gate gate = HttpSupport.gate(request);
                try {
                    route(request, response, callback);
                } finally {
                    gate.open();
                }
                return true;
            }

            private void route(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                switch (path) {
                    case "/health", "/slave(1)/health" -> HttpSupport.text(response, callback, 200, "");
                    case "/state", "/state.json", "/slave(1)/state" -> json(agent, response, callback, AgentView::state);
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

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
