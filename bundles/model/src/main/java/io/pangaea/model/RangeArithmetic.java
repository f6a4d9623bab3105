package io.pangaea.model;

import java.util.ArrayList;
import java.util.List;

/** Arithmetic on lists of {@link Range}s, as {@link Resources} keeps them: sorted, none overlapping or adjacent. */
final class RangeArithmetic {

    private RangeArithmetic() {}

    /** True when {@code ranges} are sorted, none overlapping or adjacent (as {@link #normalizeRanges} makes them). */
    static boolean isNormalized(List<Range> ranges) {
        for (int i = 0; i < ranges.size(); i++) {
            Range r = ranges.get(i);
            if (r.end() < r.begin() || (i > 0 && r.begin() <= ranges.get(i - 1).end() + 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when every number of {@code inner} is in {@code outer}; both normalized, as a {@code Resources}'s entries
     * are. One pass over both, with nothing allocated.
     */
    static boolean rangesContain(List<Range> outer, List<Range> inner) {
        int j = 0;
        for (int i = 0; i < inner.size(); i++) {
            Range want = inner.get(i);
            while (j < outer.size() && outer.get(j).end() < want.begin()) {
                j++;
            }
            if (j == outer.size() || outer.get(j).begin() > want.begin() || outer.get(j).end() < want.end()) {
                return false;
            }
        }
        return true;
    }

    /** Sorted, with overlapping and adjacent ranges merged. */
    static List<Range> normalizeRanges(List<Range> in) {
        if (in.size() <= 1) {
            return List.copyOf(in);
        }
        List<Range> sorted = new ArrayList<>(in);
        sorted.sort((x, y) -> Long.compare(x.begin(), y.begin()));
        List<Range> out = new ArrayList<>();
        Range cur = sorted.get(0);
        for (int i = 1; i < sorted.size(); i++) {
            Range n = sorted.get(i);
            if (n.begin() <= cur.end() + 1) {
                cur = new Range(cur.begin(), Math.max(cur.end(), n.end()));
            } else {
                out.add(cur);
                cur = n;
            }
        }
        out.add(cur);
        return List.copyOf(out);
    }

    static List<Range> subtractRanges(List<Range> from, List<Range> remove) {
        List<Range> result = new ArrayList<>(normalizeRanges(from));
        for (Range r : normalizeRanges(remove)) {
            List<Range> next = new ArrayList<>();
            for (Range c : result) {
                if (r.end() < c.begin() || r.begin() > c.end()) {
                    next.add(c);
                    continue;
                }
                if (r.begin() > c.begin()) {
                    next.add(new Range(c.begin(), r.begin() - 1));
                }
                if (r.end() < c.end()) {
                    next.add(new Range(r.end() + 1, c.end()));
                }
            }
            result = next;
        }
        return List.copyOf(result);
    }
}
