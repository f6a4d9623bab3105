/**
 * The agent's extension points. A {@link io.pangaea.agent.spi.Containerizer} runs containers; the native one
 * composes {@link io.pangaea.agent.spi.Isolator}s in the order of the agent's {@code isolation} setting and cleans
 * them up in reverse. Both are OSGi services found by their name property, so that a plugin bundle installed at
 * runtime becomes usable for new containers without a change to the agent.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.5.0")
package io.pangaea.agent.spi;
