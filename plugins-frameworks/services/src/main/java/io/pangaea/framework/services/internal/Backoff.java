package io.pangaea.framework.services.internal;

/**
 * The delay before an app's next launch after failures: {@code backoffSeconds} after the first, growing by
 * {@code backoffFactor} with each one, up to {@code maxLaunchDelaySeconds}. A new version starts without one.
 */
final class Backoff {

    /** The delay the next failure gets, in seconds. */
    private double next;
    /** No launch before this time (epoch milliseconds). */
    long until;

    Backoff(AppDefinition app) {
        this.next = app.backoffSeconds();
    }

    /** A failure at {@code now}: the app waits, and the next delay grows. */
    void failed(AppDefinition app, long now) {
        until = now + (long) (next * 1000);
        next = Math.min(app.maxLaunchDelaySeconds(), Math.max(next, 0.001) * app.backoffFactor());
    }
}
