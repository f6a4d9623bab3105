package io.pangaea.framework;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A framework adapter, as registered in the service registry by its bundle (with the service property
 * {@value #NAME_PROPERTY}). The shell and the Web UI list adapters through this service; it is read-only.
 *
 * <p>{@link #status()} may be called from any thread, at any time, and must not block.
 */
@ConsumerType
public interface FrameworkAdapter {

    /** The service property carrying {@link #name()}. */
    String NAME_PROPERTY = "pangaea.framework.adapter";

    /** The adapter's name, as in its feature {@code pangaea-framework-<name>}: {@code services}, {@code jobs}. */
    String name();

    /** What the adapter is doing now. */
    AdapterStatus status();
}
