/**
 * The framework adapter model. An adapter is a bundle whose component runs one framework (a services runner, a job
 * scheduler, ...) against the leading master through the scheduler library, and registers a
 * {@link io.pangaea.framework.FrameworkAdapter} service so that the shell ({@code adapter:list}) and the Web UI can
 * say what it is doing. The building blocks every adapter shares are in {@code io.pangaea.framework.support}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.framework;
