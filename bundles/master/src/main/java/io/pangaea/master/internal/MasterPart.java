package io.pangaea.master.internal;

import java.util.concurrent.ScheduledExecutorService;

/**
 * What every part of the master core starts from: the shared state and services of {@link MasterContext}. A part
 * owns one job; its methods run on the event loop unless they say otherwise.
 */
abstract class MasterPart {

    final MasterContext ctx;
    final MasterState state;
    final Registry registry;
    final MasterMetrics metrics;
    final ScheduledExecutorService loop;

    MasterPart(MasterContext ctx) {
        this.ctx = ctx;
        this.state = ctx.state;
        this.registry = ctx.registry;
        this.metrics = ctx.metrics;
        this.loop = ctx.loop;
    }

    MasterConfig config() {
        return ctx.config();
    }

    /** The v1 read views over the live state, for the events a part sends. */
    V1Views views() {
        return new MasterViews(ctx.master, state).v1();
    }
}
