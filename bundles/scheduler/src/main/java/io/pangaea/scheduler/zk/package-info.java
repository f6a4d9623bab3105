/**
 * Reading the leading master from ZooKeeper, for the scheduler library's {@code zk://} masters and for agents given
 * {@code master = zk://...}. Not exported: the agent bundle embeds it, the library uses it inside.
 */
package io.pangaea.scheduler.zk;
