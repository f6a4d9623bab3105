package io.pangaea.framework;

/**
 * A snapshot of one adapter instance.
 *
 * @param name        the adapter's name
 * @param state       what this instance is doing
 * @param frameworkId the framework id it subscribes with (null before the first subscription)
 * @param master      the master it is subscribed to (null when not subscribed)
 * @param api         the URL of this instance's HTTP API
 * @param acting      the URL of the acting instance's HTTP API (this one's when it acts; null when unknown)
 * @param detail      a short human reason for the state (a refusal, the ZooKeeper that cannot be reached), or null
 */
public record AdapterStatus(String name, State state, String frameworkId, String master, String api, String acting,
                            String detail) {

    /** The states of an adapter instance. */
    public enum State {
        /** Waiting its turn: another instance acts; this one forwards its API there. */
        STANDBY,
        /** Acting, and subscribing to the leading master (or subscribing again after a failover). */
        SUBSCRIBING,
        /** Acting and subscribed: it runs the framework. */
        ACTIVE,
        /** The master refused the framework; the detail says why. */
        REFUSED,
        /** Stopped. */
        STOPPED
    }
}
