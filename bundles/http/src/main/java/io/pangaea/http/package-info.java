/**
 * HTTP helpers shared by the master's and the agent's Jetty 12 handlers, and {@link io.pangaea.http.HttpRoute}, through
 * which other bundles serve routes on a daemon's port.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.7.0")
package io.pangaea.http;
