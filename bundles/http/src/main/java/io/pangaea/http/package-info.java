/** HTTP helpers shared by the master's and the agent's Jetty 12 handlers. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package io.pangaea.http;
