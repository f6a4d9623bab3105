package io.pangaea.master.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.master.internal.MasterState.OfferEntry;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskState;
import java.util.List;

/**
 * The leading master's {@code /metrics/snapshot} (and GET_METRICS): its counters, and gauges computed from the state
 * under Mesos's names. Lives for one read on the event loop; changes nothing.
 */
final class MetricsSnapshot {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Master master;
    private final MasterState state;

    MetricsSnapshot(Master master, MasterState state) {
        this.master = master;
        this.state = state;
    }

    ObjectNode json() {
        // the loop's lag as this read found it: read after the pass over every agent and task below, it counted that
        // pass too (a tenth of a second at 50,000 agents), so a dashboard saw the lag its own reads made
        double lag = master.loopLagMillis();
        ObjectNode m = F.objectNode();
        master.metrics().counters().forEach((k, v) -> m.put(k, v.doubleValue()));
        m.put("master/uptime_secs", Master.now() - Master.processStartTime());
        m.put("master/elected", 1.0);
        int active = 0;
        int inactive = 0;
        int connected = 0;
        int unreachable = 0;
        // the scalars summed as numbers: a snapshot is taken often (dashboards, the benchmarks every 100 ms), and
        // adding up every agent's resources as Resources was most of it on a big cluster
        double[] total = new double[SCALARS.size()];
        double[] used = new double[SCALARS.size()];
        double[] offered = new double[SCALARS.size()];
        for (AgentEntry a : state.agents.values()) {
            if (a.unreachableTime != null) {
                unreachable++;
                continue;
            }
            if (a.deactivated()) {
                inactive++;
            } else {
                active++;
            }
            if (a.connected()) {
                connected++;
                addScalars(total, a.total());
                addScalars(used, a.used());
            }
        }
        for (OfferEntry o : state.offers.values()) {
            addScalars(offered, o.resources);
        }
        m.put("master/slaves_active", (double) active);
        m.put("master/slaves_inactive", (double) inactive);
        m.put("master/slaves_connected", (double) connected);
        m.put("master/slaves_disconnected", (double) (active + inactive - connected));
        m.put("master/slaves_unreachable", (double) unreachable);
        int fwActive = 0;
        int fwConnected = 0;
        int[] tasks = new int[TaskState.values().length];
        java.util.Map<FrameworkEntry, int[]> byFramework = new java.util.HashMap<>();
        for (FrameworkEntry f : state.frameworks.values()) {
            fwActive += f.active ? 1 : 0;
            fwConnected += f.connected ? 1 : 0;
            int[] live = new int[tasks.length];
            for (MasterState.TaskEntry t : f.tasks.values()) {
                live[t.state().ordinal()]++;
            }
            byFramework.put(f, live);
            for (int i = 0; i < live.length; i++) {
                tasks[i] += live[i];
            }
        }
        m.put("master/frameworks_active", (double) fwActive);
        m.put("master/frameworks_inactive", (double) (state.frameworks.size() - fwActive));
        m.put("master/frameworks_connected", (double) fwConnected);
        m.put("master/frameworks_disconnected", (double) (state.frameworks.size() - fwConnected));
        for (TaskState st : List.of(TaskState.TASK_STAGING, TaskState.TASK_STARTING, TaskState.TASK_RUNNING,
                TaskState.TASK_KILLING, TaskState.TASK_UNREACHABLE)) {
            m.put("master/" + st.name().toLowerCase(java.util.Locale.ROOT).replace("task_", "tasks_"),
                    (double) tasks[st.ordinal()]);
        }
        m.put("master/outstanding_offers", (double) state.offers.size());
        frameworkMetrics(m, byFramework);
        m.put("master/operator_event_stream_subscribers", (double) master.operatorSubscribers());
        for (int i = 0; i < SCALARS.size(); i++) {
            String r = SCALARS.get(i);
            double t = fixed(total[i]);
            double u = fixed(used[i]);
            io.pangaea.http.Metrics.addResource(m, "master/", r, t, u);
            if (!r.equals("gpus")) {
                m.put("allocator/mesos/resources/" + r + "/total", t);
                m.put("allocator/mesos/resources/" + r + "/offered_or_allocated", fixed(used[i] + offered[i]));
            }
        }
        m.put("allocator/mesos/allocation_runs", (double) master.allocationRuns());
        m.put("master/event_queue_dispatches", (double) master.loopBacklog());
        // Pangaea's own (a "pangaea" segment marks them): how far behind the loop is, and the cycles put off for it
        m.put("master/pangaea/event_loop_lag_ms", lag);
        m.put("allocator/pangaea/allocation_runs_deferred", (double) master.allocationsDeferred());
        master.allocationRunTimer().addTo(m, "allocator/mesos/allocation_run_ms");
        master.allocationLatencyTimer().addTo(m, "allocator/mesos/allocation_run_latency_ms");
        master.registry().addMetrics(m);
        io.pangaea.http.Metrics.addSystem(m);
        return m;
    }

    private static final List<String> SCALARS = List.of("cpus", "mem", "disk", "gpus");

    /** Adds {@code r}'s cpus, mem, disk and gpus (whatever their role, reservation or allocation) to {@code sums}. */
    private static void addScalars(double[] sums, Resources r) {
        for (int i = 0; i < SCALARS.size(); i++) {
            sums[i] += r.scalar(SCALARS.get(i));
        }
    }

    /** A sum of resource amounts back on the thousandths they are kept in, without the doubles' drift. */
    private static double fixed(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Each framework's counters and gauges, under {@code master/frameworks/<name>/<id>/}. */
    private void frameworkMetrics(ObjectNode m, java.util.Map<FrameworkEntry, int[]> tasksByState) {
        for (FrameworkEntry f : state.frameworks.values()) {
            String prefix = "master/frameworks/" + f.info.name() + "/" + f.id.value() + "/";
            f.counters.forEach((k, v) -> m.put(prefix + k, v.doubleValue()));
            m.put(prefix + "subscribed", f.connected ? 1.0 : 0.0);
            int[] live = tasksByState.get(f);
            for (TaskState st : List.of(TaskState.TASK_STAGING, TaskState.TASK_STARTING, TaskState.TASK_RUNNING,
                    TaskState.TASK_KILLING, TaskState.TASK_UNREACHABLE, TaskState.TASK_UNKNOWN)) {
                m.put(prefix + "tasks/active/" + st.name().toLowerCase(java.util.Locale.ROOT),
                        (double) live[st.ordinal()]);
            }
            for (String role : f.roles()) {
                m.put(prefix + "roles/" + role + "/suppressed", f.suppressedRoles.contains(role) ? 1.0 : 0.0);
            }
        }
    }
}
