/** The one place where records meet the wire: Mesos-compatible JSON and RecordIO framing. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model.json;
