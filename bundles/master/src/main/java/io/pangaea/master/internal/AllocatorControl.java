package io.pangaea.master.internal;

import java.util.Map;

/** The allocation policies the running master can use, and the switch between them (for the shell and the APIs). */
public interface AllocatorControl {

    /** Installed policies: name to the bundle that provides it, by name. */
    Map<String, String> installed();

    /** The policy the configuration asks for ({@code allocator}). */
    String configured();

    /** The policy in use: the configured one, or the fallback while it is not installed. */
    String active();

    /**
     * Makes {@code name} the configured policy, persisted in {@code etc/io.pangaea.master.cfg}, and switches to it:
     * outstanding offers are rescinded, running tasks are untouched.
     *
     * @throws IllegalArgumentException when no installed bundle provides {@code name}
     */
    void use(String name) throws Exception;
}
