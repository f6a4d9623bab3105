/**
 * The allocation SPI. The master core keeps all bookkeeping (what each agent has, what is offered and used, per
 * role and framework; filters; suppression; weights) and, once per allocation cycle, asks the active
 * {@link io.pangaea.allocator.Allocator} which framework gets what, handing it an immutable
 * {@link io.pangaea.allocator.ClusterView}. An allocator is a pure policy: it never sees live state, never sends
 * anything, and may be swapped at any time.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package io.pangaea.allocator;
