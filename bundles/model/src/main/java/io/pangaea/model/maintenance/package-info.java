/** Mesos's maintenance primitives: machines, schedules of unavailability, and the cluster's maintenance status. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.model.maintenance;
