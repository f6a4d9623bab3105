package io.pangaea.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this JVM's Jetty can serve HTTP/2. Jetty finds how to pre-encode header fields for each protocol with
 * {@link java.util.ServiceLoader}, once, from the thread's context class loader; under OSGi (no SPI Fly here) that
 * finds only HTTP/1.1, and every HTTP/2 response then fails with a COMPRESSION_ERROR. So the first use is made here,
 * with the HPACK bundle's class loader as the context, and checked: where it did not take (Jetty was used before),
 * servers stay HTTP/1.1 only.
 */
final class Http2Support {

    private static final Logger LOG = LoggerFactory.getLogger(Http2Support.class);
    private static final boolean AVAILABLE = prepare();

    private Http2Support() {}

    static boolean available() {
        return AVAILABLE;
    }

    /**
     * HTTP/2 in clear text for clients that start with its preface (prior knowledge). An HTTP/1.1 request asking to
     * upgrade ({@code Upgrade: h2c}, which the JDK's client sends by default) stays HTTP/1.1: the clients and
     * event streams that work over HTTP/1.1 today keep doing so.
     */
    static org.eclipse.jetty.server.ConnectionFactory priorKnowledge(org.eclipse.jetty.server.HttpConfiguration http,
                                                                     int maxStreams) {
        org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory h2c =
                new org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory(http) {
                    @Override
                    public org.eclipse.jetty.io.Connection upgradeConnection(org.eclipse.jetty.server.Connector c,
                            org.eclipse.jetty.io.EndPoint endPoint, org.eclipse.jetty.http.MetaData.Request request,
                            org.eclipse.jetty.http.HttpFields.Mutable response101) {
                        if (!org.eclipse.jetty.http.HttpMethod.PRI.is(request.getMethod())) {
                            return null; // an Upgrade header: no
                        }
                        return super.upgradeConnection(c, endPoint, request, response101);
                    }
                };
        h2c.setMaxConcurrentStreams(maxStreams);
        // request bodies of streams whose handler has not read them yet hold the connection's receive window; a
        // window of Jetty's default size (1 MB) filled with re-registrations (tens of KB each) starved the handlers
        // that were reading, and the connection stalled. What the window lets in is held in memory until read, so
        // it stays a few tens of MB per connection
        h2c.setInitialSessionRecvWindow(32 * 1024 * 1024);
        h2c.setInitialStreamRecvWindow(1024 * 1024);
        // Jetty's guard against "rapid reset" floods allows 128 suspect frames a second per connection; one
        // connection here carries thousands of agents, whose streams end and are cancelled at that rate in a
        // normal failover, and tripping the guard drops every agent on the connection at once
        h2c.setRateControlFactory(new org.eclipse.jetty.io.WindowRateControl.Factory(maxStreams));
        return h2c;
    }

    private static boolean prepare() {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        try {
            t.setContextClassLoader(org.eclipse.jetty.http2.hpack.HpackFieldPreEncoder.class.getClassLoader());
            PreEncodedHttpField probe = new PreEncodedHttpField(HttpHeader.SERVER, "pangaea");
            return probe.getEncodedLength(HttpVersion.HTTP_2) > 0 && probe.getEncodedLength(HttpVersion.HTTP_1_1) > 0;
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("HTTP/2 is off: Jetty cannot pre-encode header fields for it here ({})", e.toString());
            return false;
        } finally {
            t.setContextClassLoader(before);
        }
    }
}
