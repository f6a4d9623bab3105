package io.pangaea.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * A running total: adds many {@code Resources} up without making the total at each addition, as {@link Resources#plus}
 * would. Scalars are summed as numbers on the fixed point, ranges and sets are gathered and merged once, in
 * {@link #total}: the allocation snapshot adds up every agent's resources on each cycle. Not thread-safe;
 * {@link #total} may be called more than once.
 */
public final class ResourceSum {
    /** Beyond this many gathered ranges or items for one resource, they are merged before more come. */
    private static final int GATHERED = 4096;

    /** The first resource seen of each kind (name, type, reservation, allocation). */
    private final List<Resource> kinds = new ArrayList<>();
    private long[] scalars = new long[8];
    private final List<List<Range>> ranges = new ArrayList<>();
    private final List<TreeSet<String>> sets = new ArrayList<>();

    public ResourceSum add(Resources r) {
        List<Resource> more = r.toList();
        for (int k = 0; k < more.size(); k++) {
            Resource x = more.get(k);
            if (x == null || Resources.isEmptyResource(x)) {
                continue;
            }
            int i = Resources.indexOfKey(kinds, x);
            if (i < 0) {
                i = kinds.size();
                kinds.add(x);
                ranges.add(null);
                sets.add(null);
                if (i == scalars.length) {
                    scalars = java.util.Arrays.copyOf(scalars, i * 2);
                }
                scalars[i] = 0;
            }
            switch (x.type()) {
                case SCALAR -> scalars[i] += Resources.toFixed(x.scalar().value());
                case RANGES -> {
                    List<Range> gathered = ranges.get(i);
                    if (gathered == null) {
                        gathered = new ArrayList<>();
                        ranges.set(i, gathered);
                    }
                    gathered.addAll(x.ranges().range());
                    if (gathered.size() > GATHERED) {
                        ranges.set(i, new ArrayList<>(RangeArithmetic.normalizeRanges(gathered)));
                    }
                }
                case SET -> {
                    TreeSet<String> gathered = sets.get(i);
                    if (gathered == null) {
                        gathered = new TreeSet<>();
                        sets.set(i, gathered);
                    }
                    gathered.addAll(x.set().item());
                }
                default -> { }
            }
        }
        return this;
    }

    public Resources total() {
        if (kinds.isEmpty()) {
            return Resources.EMPTY;
        }
        List<Resource> out = new ArrayList<>(kinds.size());
        for (int i = 0; i < kinds.size(); i++) {
            Resource kind = kinds.get(i);
            out.add(switch (kind.type()) {
                case SCALAR -> {
                    double v = Resources.fromFixed(scalars[i]);
                    yield v == kind.scalar().value() && kind.ranges() == null && kind.set() == null ? kind
                            : kind.withScalar(v);
                }
                case RANGES -> kind.withRanges(RangeArithmetic.normalizeRanges(ranges.get(i)));
                case SET -> kind.withSet(new ArrayList<>(sets.get(i)));
                default -> kind;
            });
        }
        return Resources.ofNormalized(Collections.unmodifiableList(out));
    }
}
