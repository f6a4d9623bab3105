/**
 * Writing a framework: implement {@link io.pangaea.scheduler.Scheduler}, build a
 * {@link io.pangaea.scheduler.SchedulerDriver} for the master's address and the framework's info, and start it. The
 * driver speaks the Mesos v1 scheduler HTTP API (JSON), so it works with any Mesos 1.11 compatible master.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.scheduler;
