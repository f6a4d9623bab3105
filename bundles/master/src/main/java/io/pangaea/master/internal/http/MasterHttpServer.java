package io.pangaea.master.internal.http;

import io.pangaea.master.internal.Master;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The master's embedded Jetty server on {@code ip:port}. */
public final class MasterHttpServer implements AutoCloseable {

    private final Server server;

    public MasterHttpServer(Master master, String bindHost, int port) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("pangaea-master-http");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(bindHost);
        connector.setPort(port);
        connector.setIdleTimeout(75_000);
        server.addConnector(connector);
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowMessageInTitle(true);
        server.setErrorHandler(errors);
        server.setHandler(new MasterHttpHandler(master));
        server.start();
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
