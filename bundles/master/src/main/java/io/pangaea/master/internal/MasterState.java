package io.pangaea.master.internal;

import io.pangaea.http.EventSink;
import io.pangaea.model.AgentId;
import io.pangaea.model.AgentInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.OperationId;
import io.pangaea.model.OperationStatus;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/** The master's mutable state. Touched only on the master's event loop thread. */
final class MasterState {

    final Map<AgentId, AgentEntry> agents = new LinkedHashMap<>();
    /** The connected agents as the allocator sees them, kept up to date as they change. */
    final AgentViews agentViews = new AgentViews(agents);
    final Map<FrameworkId, FrameworkEntry> frameworks = new LinkedHashMap<>();
    /**
     * For each framework (by id) whose completed tasks are at their bound: when the oldest it keeps ended. Written on
     * the loop as re-registering agents' completed tasks are adopted, read by the threads that read re-registrations:
     * they decode only the reported tasks that ended after it, the others being left to the loop if it keeps them
     * after all ({@code ReportedTasks}). Only a hint: a stale value costs time, never a task.
     */
    final java.util.concurrent.ConcurrentHashMap<String, Double> completedKeptAfter =
            new java.util.concurrent.ConcurrentHashMap<>();
    final ArrayDeque<FrameworkEntry> completedFrameworks = new ArrayDeque<>();
    final Map<OfferId, OfferEntry> offers = new LinkedHashMap<>();
    /** Agents an operator marked gone: they may not come back. */
    final Set<AgentId> goneAgents = new java.util.LinkedHashSet<>();
    /**
     * Agents the registry admitted that have not re-registered with this master since it was elected (Mesos's
     * recovered agents): it waits {@code agent_reregister_timeout} for them.
     */
    final Map<AgentId, Registry.AgentRecord> recoveredAgents = new LinkedHashMap<>();

    static final class AgentEntry {
        final AgentId id;
        /*
         * What the allocator's view of the agent is made of: set through the setters, which tell the views
         * (AgentViews) when it changes.
         */
        private AgentInfo info;
        private Resources total;
        /** Neither used nor offered; without allocation info. */
        private Resources available;
        /** No offers are made from a deactivated (or draining) agent. */
        private boolean deactivated;
        private boolean connected;
        private final AgentViews views;
        /** The view made last, whether it is out of date, and where it is in the views (-1: not there). */
        io.pangaea.allocator.AgentView view;
        private boolean viewStale = true;
        int viewIndex = -1;
        /** The IP address the agent listens on (as it said, or where it connected from, else its hostname). */
        String ip;
        /** What every offer from the agent carries alike, for the info and address it was made from (Offers.make). */
        OfferParts offerParts;
        EventSink stream;
        double registeredTime;
        double reregisteredTime;
        String version;
        final Map<TaskKey, TaskEntry> tasks = new LinkedHashMap<>();
        /** Custom and default executors running here; their resources are used apart from their tasks'. */
        final Map<ExecutorKey, ExecutorEntry> executors = new LinkedHashMap<>();
        final Set<OfferId> offers = new HashSet<>();
        /** A PING went out and no PONG has come back since. */
        boolean pongPending;
        /** PINGs in a row that went unanswered; at {@code max_agent_ping_timeouts} the agent is unreachable. */
        int pingsMissed;
        /** Runs out when a disconnected agent has not come back in time. */
        ScheduledFuture<?> unreachableTimer;
        /** When the agent was marked unreachable; null while it is reachable. */
        Double unreachableTime;
        /** DRAINING or DRAINED while the agent is being drained, else null. */
        String drainState;
        /** The DRAIN_AGENT request, while draining. */
        io.pangaea.model.operator.OperatorCall.DrainAgent drain;

        /** The v1 views' encodings of the agent's parts (V1Views.agent): its info, total, used and offered. */
        final EncodedPart<AgentInfo, RawJson> v1Info = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> v1Total = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> v1Used = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> v1Offered = new EncodedPart<>();
        /** The whole agent as GET_AGENTS gives it in JSON, kept while its parts are the same. */
        final EncodedPart<V1Views.AgentParts, RawJson> v1Json = new EncodedPart<>();
        /** The whole agent as a protobuf message (V1Views.agentProto), kept while its parts are the same. */
        final EncodedPart<V1Views.AgentParts, byte[]> v1Proto = new EncodedPart<>();
        /** The same for /master/state and /slaves (MasterViews): attributes, and the resources in their forms. */
        final EncodedPart<AgentInfo, RawJson> legacyAttributes = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> legacyTotal = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> legacyReserved = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> legacyUnreserved = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> legacyUsed = new EncodedPart<>();
        final EncodedPart<Resources, RawJson> legacyOffered = new EncodedPart<>();
        /** The whole agent as /master/state gives it, kept while its parts are the same. */
        final EncodedPart<LegacyAgentJson.Parts, RawJson> legacyAgent = new EncodedPart<>();

        AgentEntry(AgentId id, AgentViews views) {
            this.id = id;
            this.views = views;
        }

        AgentInfo info() {
            return info;
        }

        Resources total() {
            return total;
        }

        Resources available() {
            return available;
        }

        boolean deactivated() {
            return deactivated;
        }

        boolean connected() {
            return connected;
        }

        void setInfo(AgentInfo info) {
            if (info != this.info) {
                this.info = info;
                viewChanged();
            }
        }

        void setTotal(Resources total) {
            if (total != this.total) {
                this.total = total;
                viewChanged();
            }
        }

        void setAvailable(Resources available) {
            if (available != this.available) {
                this.available = available;
                viewChanged();
            }
        }

        void setDeactivated(boolean deactivated) {
            if (deactivated != this.deactivated) {
                this.deactivated = deactivated;
                viewChanged();
            }
        }

        void setConnected(boolean connected) {
            if (connected != this.connected) {
                this.connected = connected;
                views.membershipChanged();
            }
        }

        private void viewChanged() {
            if (!viewStale) {
                viewStale = true;
                views.changed(this);
            }
        }

        /** The view, made again if it is out of date. */
        io.pangaea.allocator.AgentView freshView() {
            if (viewStale || view == null) {
                view = makeView();
                viewStale = false;
            }
            return view;
        }

        /** The agent as the allocator sees it now. A deactivated (or draining) agent has nothing to offer. */
        io.pangaea.allocator.AgentView makeView() {
            return new io.pangaea.allocator.AgentView(id, info.hostname(), total,
                    deactivated ? Resources.EMPTY : available, info.attributes() == null ? List.of() : info.attributes());
        }

        /** The agent's libprocess-style pid, as Mesos shows it: {@code slave(1)@<ip>:<port>}. */
        String pid() {
            return "slave(1)@" + ip + ":" + (info.port() == null ? 5051 : info.port());
        }

        /**
         * What the agent's tasks and executors use: the sum of the resources of those whose resources count (not
         * recovered). Kept with the entries it was summed from, and summed again only when they differ (an entry's
         * resources never change): the read views ask for it for every agent on every read, and summing was most of
         * a big cluster's protobuf GET_STATE on the loop.
         */
        Resources used() {
            int n = 0;
            boolean same = true;
            for (TaskEntry t : tasks.values()) {
                if (!t.resourcesRecovered) {
                    same = same && n < usedOf.length && usedOf[n] == t;
                    n++;
                }
            }
            for (ExecutorEntry e : executors.values()) {
                if (!e.resourcesRecovered) {
                    same = same && n < usedOf.length && usedOf[n] == e;
                    n++;
                }
            }
            if (same && n == usedOf.length) {
                return usedSum;
            }
            Object[] of = new Object[n];
            io.pangaea.model.ResourceSum sum = new io.pangaea.model.ResourceSum();
            int i = 0;
            for (TaskEntry t : tasks.values()) {
                if (!t.resourcesRecovered) {
                    of[i++] = t;
                    sum.add(t.resources);
                }
            }
            for (ExecutorEntry e : executors.values()) {
                if (!e.resourcesRecovered) {
                    of[i++] = e;
                    sum.add(e.resources);
                }
            }
            Resources r = sum.total();
            usedOf = of;
            usedSum = r;
            return r;
        }

        /** The entries {@link #used} last summed, in order, and their sum. */
        private Object[] usedOf = new Object[0];
        private Resources usedSum = Resources.EMPTY;
    }

    static final class FrameworkEntry {
        final FrameworkId id;
        /** This framework's counters for {@code /metrics/snapshot}, by their name after its prefix. */
        final Map<String, Long> counters = MasterMetrics.frameworkCounters();
        FrameworkInfo info;
        /** {@link #info} encoded for the LAUNCH events its tasks go to agents with, while it stays the same. */
        final EncodedPart<FrameworkInfo, com.fasterxml.jackson.core.SerializableString> launchInfo =
                new EncodedPart<>();
        EventSink stream;
        String streamId;
        boolean connected;
        boolean active;
        double registeredTime;
        double reregisteredTime;
        double unregisteredTime;
        final Set<String> suppressedRoles = new HashSet<>();
        /** Offered plus used, per role, with allocation info. */
        final Map<String, Resources> allocated = new LinkedHashMap<>();
        final Set<OfferId> offers = new HashSet<>();
        /**
         * What the framework's outstanding offers hold, per role (with allocation info), kept as offers are made
         * and removed ({@code Offers.make}, {@code Offers.removeOffer}), so that a cycle's snapshot does not add up
         * every offer again.
         */
        final Map<String, Resources> offered = new HashMap<>();
        /** Its tasks, until their terminal update is acknowledged; {@link #liveTasks} counts those not ended. */
        final Map<TaskId, TaskEntry> tasks = new TaskMap(this);
        /** How many of {@link #tasks} have not ended: kept by {@link TaskMap} and {@link TaskEntry#setState}. */
        private int liveTasks;

        /** Its tasks that have not ended, for the allocator's views (counted as they change, not once a cycle). */
        int liveTasks() {
            return liveTasks;
        }

        /** One more task not ended ({@code 1}) or one fewer ({@code -1}): for {@link TaskMap} and the task's state. */
        void countLive(int change) {
            liveTasks += change;
        }
        /** Offer operations with an id, until their terminal status is acknowledged. */
        final Map<OperationId, OperationEntry> operations = new LinkedHashMap<>();
        final CompletedTasks completedTasks = new CompletedTasks();
        /**
         * Decline filters by agent. The allocation snapshot shares this map instead of copying every framework's
         * filters each cycle; it then marks it {@link #filtersShared}, and the next change copies it once and changes
         * the copy ({@code Offers.ownFilters}). Between two snapshots, changes are made in place. Expired filters
         * are dropped by {@code Offers.pruneFilters}, at most every 5 s.
         */
        Map<AgentId, List<DeclineFilter>> filters = Map.of();
        /** The map in {@link #filters} is shared with a snapshot (or immutable): copy before changing it. */
        boolean filtersShared = true;
        /** When this framework's expired filters were last dropped (System.nanoTime). */
        long filtersPrunedNanos;
        ScheduledFuture<?> heartbeat;
        ScheduledFuture<?> failoverTimer;
        /** The allocation cycle that last made this framework an offer (-1: never), and when. */
        long lastOfferCycle = -1;
        double lastOfferTime;

        FrameworkEntry(FrameworkId id) {
            this.id = id;
        }

        List<String> roles() {
            // kept with the info they were read from: asked for each task of a re-registering agent
            RolesOf r = rolesOf;
            FrameworkInfo i = info;
            if (r == null || r.info != i) {
                r = new RolesOf(i, i.effectiveRoles());
                rolesOf = r;
            }
            return r.roles;
        }

        private record RolesOf(FrameworkInfo info, List<String> roles) { }

        private RolesOf rolesOf;

        void allocate(String role, Resources r) {
            allocated.merge(role, r, Resources::plus);
        }

        void release(String role, Resources r) {
            subtract(allocated, role, r);
        }

        private static void subtract(Map<String, Resources> from, String role, Resources r) {
            Resources left = from.getOrDefault(role, Resources.EMPTY).minus(r);
            if (left.isEmpty()) {
                from.remove(role);
            } else {
                from.put(role, left);
            }
        }

        /** No decline filters from now on (a revive, or the framework's removal). */
        void clearFilters() {
            filters = Map.of();
            filtersShared = true;
        }

        void offer(String role, Resources r) {
            offered.merge(role, r, Resources::plus);
        }

        void offerGone(String role, Resources r) {
            subtract(offered, role, r);
        }

        Resources allocatedTotal() {
            Resources r = Resources.EMPTY;
            for (Resources x : allocated.values()) {
                r = r.plus(x);
            }
            return r;
        }

        Resources offeredTotal(Map<OfferId, OfferEntry> all) {
            io.pangaea.model.ResourceSum r = new io.pangaea.model.ResourceSum();
            for (OfferId o : offers) {
                OfferEntry e = all.get(o);
                if (e != null) {
                    r.add(e.resources);
                }
            }
            return r.total();
        }
    }

    /** The encoding of an agent's id, hostname, URL and attributes in its offers, and what it was made from. */
    record OfferParts(AgentInfo info, String ip, io.pangaea.model.json.OffersJson.AgentPart json) {
    }

    record TaskKey(FrameworkId frameworkId, TaskId taskId) {
        @Override
        public boolean equals(Object o) { // written out, as the ids' are: a key of hot tables
            return o instanceof TaskKey k && java.util.Objects.equals(taskId, k.taskId)
                    && java.util.Objects.equals(frameworkId, k.frameworkId);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Objects.hashCode(frameworkId) + java.util.Objects.hashCode(taskId);
        }
    }

    /** An offer operation a framework gave an id: it gets status updates until it acknowledges the last one. */
    static final class OperationEntry {
        final FrameworkId frameworkId;
        final AgentId agentId;
        final io.pangaea.model.scheduler.Call.Operation info;
        final List<OperationStatus> statuses = new ArrayList<>();
        /** The uuid of the latest status while it waits for acknowledgement; null once acknowledged. */
        String pendingUuid;

        OperationEntry(FrameworkId frameworkId, AgentId agentId, io.pangaea.model.scheduler.Call.Operation info) {
            this.frameworkId = frameworkId;
            this.agentId = agentId;
            this.info = info;
        }

        OperationStatus latest() {
            return statuses.get(statuses.size() - 1);
        }
    }

    record ExecutorKey(FrameworkId frameworkId, ExecutorId executorId) {
        @Override
        public boolean equals(Object o) { // written out, as the ids' are: a key of hot tables
            return o instanceof ExecutorKey k && java.util.Objects.equals(executorId, k.executorId)
                    && java.util.Objects.equals(frameworkId, k.frameworkId);
        }

        @Override
        public int hashCode() {
            return 31 * java.util.Objects.hashCode(frameworkId) + java.util.Objects.hashCode(executorId);
        }
    }

    /** An executor the master launched tasks under, on one agent, until the agent says it exited. */
    static final class ExecutorEntry {
        final ExecutorInfo info;
        final AgentId agentId;
        final String role;
        /** With allocation info for {@link #role}. */
        final Resources resources;
        boolean resourcesRecovered;

        ExecutorEntry(ExecutorInfo info, AgentId agentId, String role, Resources resources) {
            this.info = info;
            this.agentId = agentId;
            this.role = role;
            this.resources = resources;
        }

        ExecutorKey key() {
            return new ExecutorKey(info.frameworkId(), info.executorId());
        }
    }

    /** What a task's cached encodings were made from (see {@link CachedEncoding}). */
    record JsonKey(TaskState state, int statuses, ExecutorId executor, String statusUuid) {
        /** The task is still as this says: compared field by field, without making a key of it. */
        boolean is(TaskEntry t) {
            return state == t.state() && statuses == t.statuses.size()
                    && java.util.Objects.equals(executor, t.executorId)
                    && java.util.Objects.equals(statusUuid, t.statusUpdateUuid);
        }
    }

    static final class TaskEntry {
        final TaskInfo info;
        final FrameworkId frameworkId;
        final AgentId agentId;
        final String role;
        /** With allocation info for {@link #role}. */
        final Resources resources;
        private TaskState state = TaskState.TASK_STAGING;
        /** The framework whose {@link FrameworkEntry#tasks} holds this task, whose live count it keeps; or null. */
        private FrameworkEntry owner;
        final List<TaskStatus> statuses = new ArrayList<>();
        /**
         * This task as the read endpoints show it: the legacy JSON, v1's JSON and v1's protobuf, each made again
         * only when the task changed (see {@link CachedEncoding}).
         */
        CachedEncoding<RawJson> json;
        CachedEncoding<RawJson> v1Json;
        CachedEncoding<byte[]> v1Proto; // each null until first kept: most completed tasks are never read

        TaskState state() {
            return state;
        }

        /** The framework whose task map holds this task (see {@link TaskMap}), or null. */
        FrameworkEntry owner() {
            return owner;
        }

        void setOwner(FrameworkEntry framework) {
            owner = framework;
        }

        /** The task's state now; the framework's count of live tasks follows it across the terminal line. */
        void setState(TaskState next) {
            if (owner != null && state.isTerminal() != next.isTerminal()) {
                owner.countLive(next.isTerminal() ? -1 : 1);
            }
            state = next;
        }

        /** What the cached JSON was made from: when it differs now, the JSON is made again. */
        JsonKey jsonKey() {
            return new JsonKey(state, statuses.size(), executorId, statusUpdateUuid);
        }
        TaskState statusUpdateState;
        String statusUpdateUuid;
        TaskStatus latestStatus;
        boolean resourcesRecovered;
        /** The executor the task runs under; null for a command task (its executor is the agent's). */
        ExecutorId executorId;

        TaskEntry(TaskInfo info, FrameworkId frameworkId, AgentId agentId, String role, Resources resources) {
            this.info = info;
            this.frameworkId = frameworkId;
            this.agentId = agentId;
            this.role = role;
            this.resources = resources;
        }

        TaskKey key() {
            return new TaskKey(frameworkId, info.taskId());
        }
    }

    static final class OfferEntry {
        final Offer offer;
        final FrameworkId frameworkId;
        final AgentId agentId;
        final String role;
        /** With allocation info for {@link #role}. */
        final Resources resources;
        /** The same without allocation info: what goes back to the agent, and into a decline filter. */
        final Resources unallocated;
        /** Rescinds the offer at {@code offer_timeout}, when one is set. */
        ScheduledFuture<?> timeout;

        OfferEntry(Offer offer, String role, Resources resources, Resources unallocated) {
            this.offer = offer;
            this.frameworkId = offer.frameworkId();
            this.agentId = offer.agentId();
            this.role = role;
            this.resources = resources;
            this.unallocated = unallocated;
        }
    }

    /** Resources a framework declined on an agent, not offered to it again (as a subset) until {@code expiresNanos}. */
    record DeclineFilter(Resources resources, long expiresNanos) {}
}
