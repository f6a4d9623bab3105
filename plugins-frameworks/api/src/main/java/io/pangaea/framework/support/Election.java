package io.pangaea.framework.support;

import java.util.function.Consumer;

/**
 * Which instance of an adapter acts. At most one instance acts at a time; the others stand by and forward their API
 * to the acting one, whose address {@link #acting()} gives.
 */
public interface Election extends AutoCloseable {

    /** Starts contending; {@code onChange} hears (on the election's own thread) each change of {@link #isActing}. */
    void start(Consumer<Boolean> onChange);

    /** Whether this instance acts now. */
    boolean isActing();

    /** The API address of the acting instance (this one's when it acts), or null when none is known. */
    String acting();

    @Override
    void close();

    /** The election of a single instance (no {@code zk}): it acts from the start. */
    static Election sole(String address) {
        return new Election() {
            private volatile boolean on;

            @Override
            public void start(Consumer<Boolean> onChange) {
                on = true;
                onChange.accept(true);
            }

            @Override
            public boolean isActing() {
                return on;
            }

            @Override
            public String acting() {
                return address;
            }

            @Override
            public void close() {
                on = false;
            }
        };
    }
}
