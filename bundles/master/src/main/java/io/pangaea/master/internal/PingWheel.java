package io.pangaea.master.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The agents' places in the health check: a wheel of slots, one turned every tick, each slot holding the agents
 * that are pinged on that tick. A turn of the wheel takes the ping interval, so each agent is pinged once per
 * interval, and agents are dealt to the slots in turn, so that as many go out on each tick however the agents came
 * (50,000 re-registering within seconds after a failover would otherwise be pinged in the same few seconds, every
 * interval, for as long as they stay).
 *
 * <p>A member is due only once it has been on the wheel a full turn: its first PING comes one to two intervals after
 * it joined (Mesos: exactly one), never while a crowd of agents is still re-registering after a failover, when the
 * PINGs and PONGs would only add to the master's work.
 *
 * <p>One periodic task for all the agents instead of one timer per agent: at 50,000 agents and Mesos's 15 s,
 * 3,333 timers a second each woke the timer thread and then the loop to send one PING; a tick now sends ~333 at
 * once. Loop-confined: used only on the master's loop.
 *
 * @param <A> what is pinged (the master's agent entries)
 */
final class PingWheel<A> {

    /** The longest a tick lasts: how late a PING may go out, and how late a PONG may be counted. */
    static final long MAX_TICK_MS = 100;

    private final long tickMs;
    private final List<Set<A>> slots;
    /** Where each member is (to take it out in one step), and the tick it joined on. */
    private final java.util.Map<A, Place> places = new java.util.HashMap<>();
    /** Ticks so far. */
    private long ticks;

    private record Place(int slot, long joined) {}
    /** The slot the next tick pings. */
    private int hand;
    /** The slot the next member joins (in turn, to spread them). */
    private int deal;

    /** A wheel that turns once per {@code intervalMs} (at least one tick). */
    PingWheel(long intervalMs) {
        long interval = Math.max(1, intervalMs);
        this.tickMs = Math.min(MAX_TICK_MS, interval);
        int n = (int) Math.max(1, Math.round((double) interval / tickMs));
        this.slots = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slots.add(new LinkedHashSet<>());
        }
    }

    /** How often {@link #turn()} must be called. */
    long tickMs() {
        return tickMs;
    }

    int slotCount() {
        return slots.size();
    }

    /**
     * Puts {@code member} on the wheel (again: it leaves its old place first); it is first due one to two turns
     * from now.
     */
    void add(A member) {
        remove(member);
        int slot = deal;
        deal = (deal + 1) % slots.size();
        slots.get(slot).add(member);
        places.put(member, new Place(slot, ticks));
    }

    /** Takes {@code member} off the wheel; nothing if it is not on it. */
    void remove(A member) {
        Place place = places.remove(member);
        if (place != null) {
            slots.get(place.slot()).remove(member);
        }
    }

    boolean contains(A member) {
        return places.containsKey(member);
    }

    int size() {
        return places.size();
    }

    /** Everything on the wheel, in no set order. */
    List<A> members() {
        return new ArrayList<>(places.keySet());
    }

    /**
     * One tick: the members due now, those of this tick's slot that have been on the wheel a full turn (a copy: the
     * caller may take them off the wheel while going through them).
     */
    List<A> turn() {
        Set<A> slot = slots.get(hand);
        hand = (hand + 1) % slots.size();
        long now = ticks++;
        if (slot.isEmpty()) {
            return List.of();
        }
        List<A> due = new ArrayList<>(slot.size());
        for (A member : slot) {
            if (now - places.get(member).joined() >= slots.size()) {
                due.add(member);
            }
        }
        return due;
    }
}
