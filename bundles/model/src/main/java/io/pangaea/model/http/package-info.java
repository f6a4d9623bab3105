/**
 * Calls through the JDK's HTTP client, as the scheduler and executor libraries and the daemons make them to each
 * other.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model.http;
