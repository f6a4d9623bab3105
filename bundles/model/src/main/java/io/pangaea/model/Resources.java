package io.pangaea.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * An immutable bag of resources with the arithmetic an allocator needs. Resources of the same name, type,
 * reservation and allocation are merged into one entry; scalars are kept to Mesos's fixed point of three decimals,
 * so {@code 0.1 + 0.2 == 0.3} here as it is in Mesos. Subtracting more than is there leaves nothing rather than a
 * negative amount; check with {@link #contains} first where that matters.
 */
public final class Resources implements Iterable<Resource> {

    public static final Resources EMPTY = new Resources(Collections.unmodifiableList(new ArrayList<>(0)));

    private static final long FIXED_POINT = 1000;

    private final List<Resource> entries;

    /**
     * {@code normalized}, always an unmodifiable view of an {@link ArrayList}: one list class behind every
     * {@code Resources}, so that the hot loops' {@code size()} and {@code get(i)} are direct calls the JIT inlines
     * (with two or three list classes mixed, they were a tenth of an allocation cycle).
     */
    private Resources(List<Resource> normalized) {
        this.entries = normalized;
    }

    /** Resources of entries already normalized and merged, in an unmodifiable {@link ArrayList} view. */
    static Resources ofNormalized(List<Resource> normalized) {
        return new Resources(normalized);
    }

    public static Resources of(Collection<Resource> resources) {
        if (resources == null || resources.isEmpty()) {
            return EMPTY;
        }
        List<Resource> acc = new ArrayList<>(resources.size());
        for (Resource r : resources) {
            addInto(acc, r);
        }
        return new Resources(Collections.unmodifiableList(acc));
    }

    /**
     * {@code resources} allocated to {@code role} (whatever allocation they carried): the same as
     * {@code of(resources).unallocated().allocatedTo(role)} in one pass, for the tasks of a launch or of a
     * re-registering agent.
     */
    public static Resources allocated(Collection<Resource> resources, String role) {
        if (resources == null || resources.isEmpty()) {
            return EMPTY;
        }
        List<Resource> acc = new ArrayList<>(resources.size());
        for (Resource r : resources) {
            addInto(acc, r == null ? null : r.withAllocation(role));
        }
        return new Resources(Collections.unmodifiableList(acc));
    }

    public static Resources of(Resource... resources) {
        return of(List.of(resources));
    }

    // ---- arithmetic -------------------------------------------------------------------------------------------

    public Resources plus(Resources other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<Resource> acc = new ArrayList<>(entries.size() + other.entries.size());
        acc.addAll(entries);
        List<Resource> more = other.entries;
        for (int i = 0; i < more.size(); i++) {
            addInto(acc, more.get(i));
        }
        return new Resources(Collections.unmodifiableList(acc));
    }

    public Resources minus(Resources other) {
        if (other.isEmpty() || isEmpty()) {
            return this;
        }
        if (other == this || other.entries.equals(entries)) {
            return EMPTY; // an offer of all an agent has, mostly
        }
        List<Resource> acc = new ArrayList<>(entries);
        List<Resource> less = other.entries;
        for (int k = 0; k < less.size(); k++) {
            Resource r = less.get(k);
            int i = indexOfKey(acc, r);
            if (i < 0) {
                continue;
            }
            Resource left = subtract(acc.get(i), r);
            if (left == null) {
                acc.remove(i);
            } else {
                acc.set(i, left);
            }
        }
        return new Resources(Collections.unmodifiableList(acc));
    }

    /** True when every resource of {@code other} is here, with the same reservation and allocation. */
    public boolean contains(Resources other) {
        if (other == this) {
            return true;
        }
        List<Resource> wanted = other.entries;
        for (int k = 0; k < wanted.size(); k++) {
            Resource r = wanted.get(k);
            int i = indexOfKey(entries, r);
            if (i < 0 || !containsOne(entries.get(i), r)) {
                return false;
            }
        }
        return true;
    }

    public Resources filter(Predicate<Resource> keep) {
        int n = entries.size();
        int firstLeftOut = 0;
        while (firstLeftOut < n && keep.test(entries.get(firstLeftOut))) {
            firstLeftOut++;
        }
        if (firstLeftOut == n) {
            return this; // the usual case: nothing is left out, and nothing is copied
        }
        List<Resource> out = new ArrayList<>(n - 1);
        out.addAll(entries.subList(0, firstLeftOut));
        for (int i = firstLeftOut + 1; i < n; i++) {
            Resource r = entries.get(i);
            if (keep.test(r)) {
                out.add(r);
            }
        }
        return out.isEmpty() ? EMPTY : new Resources(Collections.unmodifiableList(out));
    }

    public Resources unreserved() {
        return filter(r -> !r.isReserved());
    }

    public Resources reservedTo(String role) {
        return filter(r -> r.isReserved() && r.reservationRole().equals(role));
    }

    /**
     * Usable by a framework in {@code role}: unreserved, or reserved to that role or to one of its ancestors
     * (a reservation for {@code eng} is available to {@code eng/web}, as in Mesos's hierarchical roles).
     */
    public Resources usableBy(String role) {
        return filter(r -> !r.isReserved() || isSelfOrAncestor(r.reservationRole(), role));
    }

    /** True when {@code ancestor} is {@code role} or one of its parents ({@code a} for {@code a/b/c}). */
    public static boolean isSelfOrAncestor(String ancestor, String role) {
        return role.equals(ancestor) || (role.length() > ancestor.length() && role.startsWith(ancestor)
                && role.charAt(ancestor.length()) == '/');
    }

    /** The same resources marked as allocated to {@code role} (as they appear in offers and in tasks). */
    public Resources allocatedTo(String role) {
        return reallocated(role);
    }

    /** The same resources with their allocation cleared (as they are in an agent's pool). */
    public Resources unallocated() {
        return reallocated(null);
    }

    /**
     * The same resources allocated to {@code role} (null: to none). When they have that allocation already, they are
     * returned as they are; when they all share one allocation, no two can merge, so they are only relabelled.
     */
    private Resources reallocated(String role) {
        int n = entries.size();
        boolean already = true;
        boolean shared = true;
        String first = n == 0 ? null : entries.get(0).allocationRole();
        for (int i = 0; i < n; i++) {
            String a = entries.get(i).allocationRole();
            already &= Objects.equals(a, role);
            shared &= Objects.equals(a, first);
        }
        if (already) {
            return this;
        }
        if (!shared) {
            return map(r -> r.withAllocation(role));
        }
        AllocationInfo info = role == null ? null : new AllocationInfo(role);
        List<Resource> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Resource r = entries.get(i);
            out.add(new Resource(r.name(), r.type(), r.scalar(), r.ranges(), r.set(), r.role(), info,
                    r.reservations(), r.disk()));
        }
        return new Resources(Collections.unmodifiableList(out));
    }

    /** All reservations dropped and the resources given {@code role} as if unreserved for it; allocation kept. */
    public Resources flatten(String role) {
        boolean already = true;
        for (int i = 0; i < entries.size() && already; i++) {
            Resource r = entries.get(i);
            already = role.equals(r.role()) && r.reservations() == null;
        }
        if (already) {
            return this; // unreserved resources flattened to "*", mostly
        }
        return map(r -> new Resource(r.name(), r.type(), r.scalar(), r.ranges(), r.set(), role, r.allocationInfo(),
                null, r.disk()));
    }

    public Resources flatten() {
        return flatten("*");
    }

    private Resources map(java.util.function.UnaryOperator<Resource> f) {
        List<Resource> acc = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            addInto(acc, f.apply(entries.get(i)));
        }
        return new Resources(Collections.unmodifiableList(acc));
    }

    // ---- queries ----------------------------------------------------------------------------------------------

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The total of a scalar resource across reservations and allocations; 0 when absent. */
    public double scalar(String name) {
        long sum = 0;
        for (int i = 0; i < entries.size(); i++) {
            Resource r = entries.get(i);
            if (r.name().equals(name) && r.type() == ValueType.SCALAR && r.scalar() != null) {
                sum += toFixed(r.scalar().value());
            }
        }
        return fromFixed(sum);
    }

    /** All ranges of a RANGES resource across reservations and allocations, merged. */
    public List<Range> ranges(String name) {
        List<Range> all = new ArrayList<>();
        for (Resource r : entries) {
            if (r.name().equals(name) && r.type() == ValueType.RANGES && r.ranges() != null) {
                all.addAll(r.ranges().range());
            }
        }
        return RangeArithmetic.normalizeRanges(all);
    }

    /** The resource names, in first-seen order. */
    public List<String> names() {
        return entries.stream().map(Resource::name).distinct().toList();
    }

    public List<Resource> toList() {
        return entries;
    }

    @Override
    public Iterator<Resource> iterator() {
        return entries.iterator();
    }

    public int size() {
        return entries.size();
    }

    /**
     * The legacy endpoints' summary form: scalars as numbers, ranges and sets as text; cpus, mem, disk and gpus are
     * always present, as Mesos writes them.
     */
    public Map<String, Object> toLegacyMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("disk", scalar("disk"));
        m.put("mem", scalar("mem"));
        m.put("gpus", scalar("gpus"));
        m.put("cpus", scalar("cpus"));
        for (String n : names()) {
            if (m.containsKey(n)) {
                continue;
            }
            Resource first = entries.stream().filter(r -> r.name().equals(n)).findFirst().orElseThrow();
            switch (first.type()) {
                case SCALAR -> m.put(n, scalar(n));
                case RANGES -> m.put(n, formatRanges(ranges(n)));
                case SET -> {
                    TreeSet<String> items = new TreeSet<>();
                    entries.stream().filter(r -> r.name().equals(n) && r.set() != null)
                            .forEach(r -> items.addAll(r.set().item()));
                    m.put(n, "{" + String.join(",", items) + "}");
                }
                default -> { }
            }
        }
        return m;
    }

    /** The Mesos text form, e.g. {@code cpus:2;mem:1024;ports:[31000-32000];cpus(web):1}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Resource r : entries) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(r.name());
            if (r.isReserved()) {
                sb.append('(').append(r.reservationRole()).append(')');
            }
            if (r.isPersistentVolume()) {
                sb.append('[').append(r.disk().persistence().id()).append(':')
                        .append(r.disk().volume() == null ? "" : r.disk().volume().containerPath()).append(']');
            }
            sb.append(':');
            switch (r.type()) {
                case SCALAR -> sb.append(formatScalar(r.scalar().value()));
                case RANGES -> sb.append(formatRanges(r.ranges().range()));
                case SET -> sb.append('{').append(String.join(",", r.set().item())).append('}');
                default -> sb.append('?');
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Resources other && contains(other) && other.contains(this);
    }

    @Override
    public int hashCode() {
        return names().hashCode();
    }

    // ---- parsing ----------------------------------------------------------------------------------------------

    /**
     * Parses the Mesos text form: {@code name[(role)]:value} separated by {@code ;}, where a value is a scalar
     * ({@code 4}, {@code 0.5}), ranges ({@code [31000-32000,33000-33010]}) or a set ({@code {a,b}}).
     *
     * @throws IllegalArgumentException naming the offending entry
     */
    public static Resources parse(String text) {
        if (text == null || text.isBlank()) {
            return EMPTY;
        }
        List<Resource> out = new ArrayList<>();
        for (String raw : text.split(";")) {
            String item = raw.trim();
            if (item.isEmpty()) {
                continue;
            }
            int colon = item.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Bad resource '" + item + "': expected name:value");
            }
            String name = item.substring(0, colon).trim();
            String value = item.substring(colon + 1).trim();
            String role = "*";
            int paren = name.indexOf('(');
            if (paren >= 0) {
                if (!name.endsWith(")")) {
                    throw new IllegalArgumentException("Bad resource '" + item + "': unclosed role");
                }
                role = name.substring(paren + 1, name.length() - 1).trim();
                name = name.substring(0, paren).trim();
                if (role.isEmpty()) {
                    throw new IllegalArgumentException("Bad resource '" + item + "': empty role");
                }
            }
            if (name.isEmpty() || value.isEmpty()) {
                throw new IllegalArgumentException("Bad resource '" + item + "': empty name or value");
            }
            Resource r;
            if (value.startsWith("[")) {
                r = Resource.ranges(name, parseRanges(item, value));
            } else if (value.startsWith("{")) {
                if (!value.endsWith("}")) {
                    throw new IllegalArgumentException("Bad resource '" + item + "': unclosed set");
                }
                List<String> items = new ArrayList<>();
                for (String s : value.substring(1, value.length() - 1).split(",")) {
                    if (!s.isBlank()) {
                        items.add(s.trim());
                    }
                }
                r = Resource.set(name, items);
            } else {
                double d;
                try {
                    d = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Bad resource '" + item + "': '" + value + "' is not a number");
                }
                if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException("Bad resource '" + item + "': negative or not finite");
                }
                r = Resource.scalar(name, d);
            }
            out.add(r.reservedFor(role));
        }
        return of(out);
    }

    private static List<Range> parseRanges(String item, String value) {
        if (!value.endsWith("]")) {
            throw new IllegalArgumentException("Bad resource '" + item + "': unclosed ranges");
        }
        List<Range> ranges = new ArrayList<>();
        for (String part : value.substring(1, value.length() - 1).split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] be = p.split("-");
            try {
                long b = Long.parseLong(be[0].trim());
                long e = be.length > 1 ? Long.parseLong(be[1].trim()) : b;
                if (be.length > 2 || e < b || b < 0) {
                    throw new NumberFormatException();
                }
                ranges.add(new Range(b, e));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("Bad resource '" + item + "': bad range '" + p + "'");
            }
        }
        return RangeArithmetic.normalizeRanges(ranges);
    }

    // ---- per-entry helpers ------------------------------------------------------------------------------------

    static long toFixed(double v) {
        return Math.round(v * FIXED_POINT);
    }

    static double fromFixed(long v) {
        return v / (double) FIXED_POINT;
    }

    public static String formatScalar(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    public static String formatRanges(List<Range> ranges) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ranges.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(ranges.get(i).begin()).append('-').append(ranges.get(i).end());
        }
        return sb.append(']').toString();
    }

    private static boolean sameKey(Resource a, Resource b) {
        return a.name().equals(b.name()) && a.type() == b.type()
                && a.reservationRole().equals(b.reservationRole())
                && Objects.equals(a.allocationRole(), b.allocationRole())
                && Objects.equals(reservationsOf(a), reservationsOf(b))
                && Objects.equals(volumeKey(a), volumeKey(b));
    }

    /** A persistent volume is its own resource (by persistence id and path); other disk info is not compared. */
    private static Object volumeKey(Resource r) {
        return r.isPersistentVolume() ? List.of(r.disk().persistence().id(), String.valueOf(r.disk().volume()))
                : null;
    }

    private static List<ReservationInfo> reservationsOf(Resource r) {
        return r.reservations() == null ? List.of() : r.reservations();
    }

    static int indexOfKey(List<Resource> list, Resource r) {
        for (int i = 0; i < list.size(); i++) {
            if (sameKey(list.get(i), r)) {
                return i;
            }
        }
        return -1;
    }

    private static void addInto(List<Resource> acc, Resource r) {
        if (r == null || isEmptyResource(r)) {
            return;
        }
        int i = indexOfKey(acc, r);
        if (i < 0) {
            acc.add(normalize(r));
        } else {
            acc.set(i, add(acc.get(i), r));
        }
    }

    private static Resource normalize(Resource r) {
        return switch (r.type()) {
            case SCALAR -> {
                double v = r.scalar().value();
                double fixed = fromFixed(toFixed(v));
                // most values are already on the fixed point; a scalar with stray ranges or a set is still cleaned
                yield fixed == v && r.ranges() == null && r.set() == null ? r : r.withScalar(fixed);
            }
            case RANGES -> RangeArithmetic.isNormalized(r.ranges().range()) ? r
                    : r.withRanges(RangeArithmetic.normalizeRanges(r.ranges().range()));
            case SET -> isSortedAndDistinct(r.set().item()) ? r
                    : r.withSet(new ArrayList<>(new TreeSet<>(r.set().item())));
            default -> r;
        };
    }

    static boolean isEmptyResource(Resource r) {
        if (r.type() == null) {
            return true;
        }
        return switch (r.type()) {
            case SCALAR -> r.scalar() == null || toFixed(r.scalar().value()) <= 0;
            case RANGES -> r.ranges() == null || r.ranges().range().isEmpty();
            case SET -> r.set() == null || r.set().item().isEmpty();
            default -> true;
        };
    }

    private static Resource add(Resource a, Resource b) {
        return switch (a.type()) {
            case SCALAR -> a.withScalar(fromFixed(toFixed(a.scalar().value()) + toFixed(b.scalar().value())));
            case RANGES -> {
                List<Range> all = new ArrayList<>(a.ranges().range());
                all.addAll(b.ranges().range());
                yield a.withRanges(RangeArithmetic.normalizeRanges(all));
            }
            case SET -> {
                TreeSet<String> s = new TreeSet<>(a.set().item());
                s.addAll(b.set().item());
                yield a.withSet(new ArrayList<>(s));
            }
            default -> a;
        };
    }

    /** a - b, or null when nothing is left. */
    private static Resource subtract(Resource a, Resource b) {
        Resource out = switch (a.type()) {
            case SCALAR -> a.withScalar(fromFixed(Math.max(0,
                    toFixed(a.scalar().value()) - toFixed(b.scalar().value()))));
            case RANGES -> a.withRanges(RangeArithmetic.subtractRanges(a.ranges().range(), b.ranges().range()));
            case SET -> {
                TreeSet<String> s = new TreeSet<>(a.set().item());
                b.set().item().forEach(s::remove);
                yield a.withSet(new ArrayList<>(s));
            }
            default -> a;
        };
        return isEmptyResource(out) ? null : out;
    }

    private static boolean containsOne(Resource a, Resource b) {
        return switch (a.type()) {
            case SCALAR -> toFixed(a.scalar().value()) >= toFixed(b.scalar().value());
            case RANGES -> RangeArithmetic.rangesContain(a.ranges().range(), b.ranges().range());
            case SET -> a.set().item().containsAll(b.set().item());
            default -> false;
        };
    }

    private static boolean isSortedAndDistinct(List<String> items) {
        for (int i = 1; i < items.size(); i++) {
            if (items.get(i - 1).compareTo(items.get(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

}
