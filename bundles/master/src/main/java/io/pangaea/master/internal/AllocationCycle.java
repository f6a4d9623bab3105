package io.pangaea.master.internal;

/**
 * What one allocation cycle cost: taking the snapshot on the event loop, the allocator's decision on the allocation
 * thread, and turning grants into offers back on the event loop. Times in nanoseconds.
 *
 * @param agents     agents in the snapshot (those with something available)
 * @param frameworks frameworks in the snapshot
 * @param grants     grants the allocator returned
 * @param offers     offers made from them
 */
public record AllocationCycle(long snapshotNanos, long decideNanos, long applyNanos, int agents, int frameworks,
                              int grants, int offers) {

    static final AllocationCycle SKIPPED = new AllocationCycle(0, 0, 0, 0, 0, 0, 0);

    public long totalNanos() {
        return snapshotNanos + decideNanos + applyNanos;
    }
}
