/**
 * What every framework adapter needs: a {@link io.pangaea.framework.support.StateStore} for its framework id and its
 * own state (ZooKeeper or files), an {@link io.pangaea.framework.support.Election} among its instances, and
 * {@link io.pangaea.framework.support.AdapterRunner}, which subscribes the framework only while the instance acts and
 * keeps its framework id stable across restarts, failovers and bundle updates.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.pangaea.framework.support;
