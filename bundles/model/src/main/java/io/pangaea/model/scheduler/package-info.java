/** The Mesos 1.11 v1 scheduler API's {@code Call} and {@code Event} messages. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model.scheduler;
