package io.pangaea.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Mesos's framework rate limits ({@code rate_limits}: {@code {"limits": [{"principal": "a", "qps": 50, "capacity":
 * 100}], "aggregate_default_qps": 300, "aggregate_default_capacity": 1000}}). A listed principal's calls are served at
 * most {@code qps} a second (no {@code qps}: unlimited); calls beyond that rate wait their turn, and when
 * {@code capacity} calls already wait, the next is refused (429). The principals not listed share one limiter of
 * the aggregate defaults, when they are set. Thread-safe.
 */
public final class RateLimits {

    private static final RateLimits NONE = new RateLimits(Map.of(), null);

    private final Map<String, Limiter> limiters;
    private final Limiter aggregate;

    private RateLimits(Map<String, Limiter> limiters, Limiter aggregate) {
        this.limiters = limiters;
        this.aggregate = aggregate;
    }

    public static RateLimits none() {
        return NONE;
    }

    public boolean configured() {
        return !limiters.isEmpty() || aggregate != null;
    }

    /** The limiter of {@code principal} (null: a caller without one), or null when its calls are not limited. */
    public Limiter limiter(String principal) {
        Limiter l = principal == null ? null : limiters.get(principal);
        return l != null ? l : aggregate;
    }

    /** Reads the setting: the JSON, or a file holding it (optionally {@code file://}); empty means no limits. */
    public static RateLimits parse(String fileOrJson) throws IOException {
        if (fileOrJson == null || fileOrJson.isBlank()) {
            return NONE;
        }
        JsonNode root = SettingText.object("rate_limits", fileOrJson);
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("limits", "aggregate_default_qps", "aggregate_default_capacity").contains(f)) {
                throw new IOException("rate_limits." + f + ": unknown field (expecting 'limits',"
                        + " 'aggregate_default_qps' and 'aggregate_default_capacity')");
            }
        }
        Map<String, Limiter> limiters = new LinkedHashMap<>();
        if (root.has("limits")) {
            if (!root.get("limits").isArray()) {
                throw new IOException("rate_limits.limits: expecting an array");
            }
            int i = 0;
            for (JsonNode l : root.get("limits")) {
                String where = "rate_limits.limits[" + i++ + "]";
                if (!l.path("principal").isTextual() || l.path("principal").asText().isEmpty()) {
                    throw new IOException(where + ".principal: expecting a principal");
                }
                for (Iterator<String> it = l.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!Set.of("principal", "qps", "capacity").contains(f)) {
                        throw new IOException(where + "." + f + ": unknown field");
                    }
                }
                if (limiters.containsKey(l.get("principal").asText())) {
                    throw new IOException(where + ".principal: '" + l.get("principal").asText()
                            + "' is listed twice");
                }
                limiters.put(l.get("principal").asText(), new Limiter(number(l.get("qps"), where + ".qps"),
                        capacity(l.get("capacity"), where + ".capacity")));
            }
        }
        Limiter aggregate = null;
        if (root.has("aggregate_default_qps")) {
            aggregate = new Limiter(number(root.get("aggregate_default_qps"), "rate_limits.aggregate_default_qps"),
                    capacity(root.get("aggregate_default_capacity"), "rate_limits.aggregate_default_capacity"));
        } else if (root.has("aggregate_default_capacity")) {
            throw new IOException("rate_limits.aggregate_default_capacity: needs 'aggregate_default_qps'");
        }
        return new RateLimits(Map.copyOf(limiters), aggregate);
    }

    private static double number(JsonNode n, String where) throws IOException {
        if (n == null) {
            return 0; // unlimited
        }
        if (!n.isNumber() || n.asDouble() <= 0 || Double.isInfinite(n.asDouble())) {
            throw new IOException(where + ": expecting a positive number");
        }
        return n.asDouble();
    }

    private static long capacity(JsonNode n, String where) throws IOException {
        if (n == null) {
            return Long.MAX_VALUE;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new IOException(where + ": expecting a whole number, 0 or more");
        }
        return n.asLong();
    }

    /** One principal's (or the aggregate's) pace: the next free slot, and how many calls wait for theirs. */
    public static final class Limiter {
        private final double qps;
        private final long capacity;
        private long nextFree = Long.MIN_VALUE;
        private long waiting;

        Limiter(double qps, long capacity) {
            this.qps = qps;
            this.capacity = capacity;
        }

        public double qps() {
            return qps;
        }

        public long capacity() {
            return capacity;
        }

        /**
         * Takes the next slot: how long the call must wait, in nanoseconds (0: go now), or -1 when {@code capacity}
         * calls already wait and it is refused. A call told to wait calls {@link #done} when it has gone.
         */
        public synchronized long acquire() {
            if (qps <= 0) {
                return 0;
            }
            long now = System.nanoTime();
            long interval = (long) (1e9 / qps);
            if (nextFree == Long.MIN_VALUE || nextFree - now <= 0) {
                nextFree = now + interval;
                return 0;
            }
            if (waiting >= capacity) {
                return -1;
            }
            long wait = nextFree - now;
            nextFree += interval;
            waiting++;
            return wait;
        }

        /** A call that waited has gone. */
        public synchronized void done() {
            waiting--;
        }
    }
}
