package io.pangaea.http;

import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Starts with this bundle, before any bundle that serves HTTP through it: Jetty's header pre-encoders are set up
 * here, with HTTP/2 among them (see {@link Http2Support}), before anything else in the JVM touches them.
 */
@Header(name = "Bundle-Activator", value = "${@class}")
public final class HttpBundle implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Http2Support.available();
    }

    @Override
    public void stop(BundleContext context) {
        // nothing to undo: the encoders belong to Jetty's classes
    }
}
