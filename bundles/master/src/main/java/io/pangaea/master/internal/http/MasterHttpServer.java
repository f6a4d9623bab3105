package io.pangaea.master.internal.http;

import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterViews;
import io.pangaea.model.json.MesosJson;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.http.HttpHeader;
import io.pangaea.http.HttpRoutes;
import io.pangaea.http.HttpSupport;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The master's embedded Jetty server on {@code ip:port}. */
public final class MasterHttpServer implements AutoCloseable {

    private final Server server;

    /** The handler of the master this process runs while it leads; null while it follows. */
    private volatile MasterHttpHandler leading;
    /** {@code host:port} of the leading master while this one follows; null while no master leads. */
    private volatile String leader;

    /** Who may call what (see {@link io.pangaea.http.HttpAuthentication}); read at each request. */
    private final java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth;

    /** Requests a web page asks this follower to pass on to the leader (see {@link LeaderForwarding}). */
    private final LeaderForwarding forwarding;
    /** The routes other bundles serve on this port (see {@link io.pangaea.http.HttpRoute}); every master serves them. */
    private final HttpRoutes routes;

    /** A server for a master that leads from the start (no election). */
    public MasterHttpServer(Master master, String bindHost, int port) throws Exception {
        this(master, bindHost, port, new HttpRoutes());
    }

    /** A server for a master that leads from the start, with the routes of other bundles. */
    public MasterHttpServer(Master master, String bindHost, int port, HttpRoutes routes) throws Exception {
        this(master, bindHost, port, routes, io.pangaea.http.HttpAuthentication::none);
    }

    /** With who may call what, in force from the first request. */
    public MasterHttpServer(Master master, String bindHost, int port, HttpRoutes routes,
                            java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth) throws Exception {
        this(bindHost, port, routes, auth);
        lead(master);
    }

    public MasterHttpServer(String bindHost, int port) throws Exception {
        this(bindHost, port, new HttpRoutes());
    }

    /**
     * A server that follows until {@link #lead} is called: it answers {@code /health} itself and redirects every
     * other request to the leader (307 with {@code Location: //host:port/path}, as a Mesos master that does not
     * lead), or answers 503 while no master leads. The {@code routes} of other bundles it serves itself.
     */
    public MasterHttpServer(String bindHost, int port, HttpRoutes routes) throws Exception {
        this(bindHost, port, routes, io.pangaea.http.HttpAuthentication::none);
    }

    public MasterHttpServer(String bindHost, int port, HttpRoutes routes,
                            java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth) throws Exception {
        this(bindHost, port, routes, auth, io.pangaea.http.Tls.off());
    }

    /** A leading master's server that serves TLS as {@code tls} says. */
    public MasterHttpServer(Master master, String bindHost, int port, HttpRoutes routes,
                            java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth,
                            io.pangaea.http.Tls tls) throws Exception {
        this(bindHost, port, routes, auth, tls);
        lead(master);
    }

    /** The full form: HTTPS (and plain HTTP too, with the downgrade) as {@code tls} says. */
    public MasterHttpServer(String bindHost, int port, HttpRoutes routes,
                            java.util.function.Supplier<io.pangaea.http.HttpAuthentication> auth,
                            io.pangaea.http.Tls tls) throws Exception {
        this.routes = routes;
        this.auth = auth;
        this.forwarding = new LeaderForwarding(tls);
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("pangaea-master-http");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = tls.connector(server, http, true);
        connector.setHost(bindHost);
        connector.setPort(port);
        connector.setIdleTimeout(75_000);
        server.addConnector(connector);
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowMessageInTitle(true);
        server.setErrorHandler(errors);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                MasterHttpHandler h = leading;
                if (h != null) {
                    return h.handle(request, response, callback);
                }
                String path = Request.getPathInContext(request);
                if (path.equals("/health") || path.equals("/master/health")) {
                    HttpSupport.text(response, callback, 200, "");
                    return true;
                }
                if (!path.equals("/api/v1/scheduler") && !path.equals("/internal/v1/agent")
                        && !auth.get().admits(MasterHttpHandler.realm(path, request.getMethod()), request, response,
                        callback)) {
                    return true; // what is answered here; the leader checks what reaches it
                }
                if (LeaderForwarding.wanted(request) && !routes.serve(request, response, callback)) {
                    String leading = leader;
                    if (leading == null) {
                        HttpSupport.discardBody(request);
                        HttpSupport.text(response, callback, 503, "No leader elected");
                    } else {
                        forwarding.forward(request, response, callback, leading);
                    }
                    return true;
                }
                // what a master says of itself, whether it leads or not
                if (path.equals("/metrics/snapshot")) {
                    HttpSupport.json(response, callback, MesosJson.write(MasterViews.followerMetrics(
                            rehearsed.getAsInt())));
                    return true;
                }
                if (path.equals("/version")) {
                    HttpSupport.json(response, callback, MesosJson.write(MasterViews.versionJson()));
                    return true;
                }
                if (routes.serve(request, response, callback)) {
                    return true;
                }
                // the answers below need no body: read what is left of it first, or Jetty closes the connection
                // under a client that sends its next request on it (the JDK's does, after a 307 to a POST)
                HttpSupport.discardBody(request);
                String to = leader;
                if (to == null) {
                    HttpSupport.text(response, callback, 503, "No leader elected");
                    return true;
                }

                String query = request.getHttpURI().getQuery();
                response.setStatus(307);
                response.getHeaders().put(HttpHeader.LOCATION, "//" + to
                        + (path.equals("/redirect") || path.equals("/master/redirect") ? "" : path)
                        + (query == null ? "" : "?" + query));
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
                response.write(true, java.nio.ByteBuffer.allocate(0), callback);
                return true;
            }
        });
        server.start();
    }

    /** The made-up agents this standby's rehearsal registered, for its {@code /metrics/snapshot}. */
    private volatile java.util.function.IntSupplier rehearsed = () -> 0;

    /** Where the standby's {@code /metrics/snapshot} reads its rehearsal's progress from. */
    public void rehearsal(java.util.function.IntSupplier registered) {
        rehearsed = registered;
    }

    /** From now on this process's {@code master} answers. */
    public void lead(Master master) {
        leading = new MasterHttpHandler(master, routes, auth);
        leader = null;
    }

    /** From now on requests go to {@code leaderHostPort} ({@code host:port}), or get 503 when it is null. */
    public void follow(String leaderHostPort) {
        leading = null;
        leader = leaderHostPort;
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        forwarding.close();
        server.stop();
    }
}
