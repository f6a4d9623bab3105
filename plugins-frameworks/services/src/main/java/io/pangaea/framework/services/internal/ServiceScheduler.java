package io.pangaea.framework.services.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.framework.support.AdapterLoop;
import io.pangaea.framework.support.FrameworkCalls;
import io.pangaea.framework.support.StateStore;
import io.pangaea.model.AgentId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskStatus;
import io.pangaea.model.scheduler.Call;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services runner: it keeps each app at its instance count, carries out deployments (rolling upgrades under the
 * app's upgrade strategy), places instances on offers under the app's constraints, backs off after failures, and
 * tells the event bus. All its state is owned by one thread (the loop); the scheduler library's callbacks and the
 * HTTP API post work to it and wait for the answer.
 *
 * <p>Durability: apps, their versions, deployments and each instance's placement are in the {@link StateStore};
 * a placement is written before its launch is sent. Task states are soft: after a subscription they are
 * reconciled with the master, and an instance the master does not know ends and is replaced.
 */
final class ServiceScheduler implements Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceScheduler.class);
    /** How long an unusable offer is declined for (Marathon's decline_offer_duration). */
    static final double DECLINE_SECONDS = 120;

    private final ObjectMapper json;
    private final StateStore store;
    private final Events events;
    private final AdapterLoop loop = new AdapterLoop("services-loop");

    // ---- state, owned by the loop ----
    final Map<String, AppDefinition> apps = new TreeMap<>();
    final Map<String, List<AppDefinition>> versions = new HashMap<>();
    final Map<String, Instance> instances = new LinkedHashMap<>();
    final Map<String, Deployment> deployments = new LinkedHashMap<>();
    final Map<String, Backoff> backoffs = new HashMap<>();
    final Map<String, OfferStats> offerStats = new HashMap<>();
    final Map<String, ObjectNode> lastFailures = new HashMap<>();
    /** Instances wanted now, per app, from the last {@link #step}. */
    private final Map<String, Integer> demand = new LinkedHashMap<>();
    private FrameworkCalls driver;
    /** One {@link FrameworkCalls} per driver, so that a callback of an old subscription is told apart. */
    private final FrameworkCalls.PerDriver perDriver = new FrameworkCalls.PerDriver();
    private boolean acting;
    private boolean loaded;
    private Boolean suppressed;
    private long lastRevive;
    private int lastDemand;
    private boolean changedSinceRevive;
    private String lastVersion = "";
    /** Counters for /metrics. */
    long launched;
    long failed;
    long killed;
    long offersProcessed;
    long offersDeclined;

    ServiceScheduler(ObjectMapper json, StateStore store, Events events) {
        this.json = json;
        this.store = store;
        this.events = events;
    }

    // ---- the loop -----------------------------------------------------------------------------------------

    /** Runs {@code work} on the loop and waits for it (at most 30 s). */
    <T> T onLoop(Callable<T> work) throws IOException {
        return loop.call(work);
    }

    private void later(Runnable r) {
        loop.later(r);
    }

    /** This instance starts or stops acting: its state is read from the store, or dropped. */
    void acting(boolean on) {
        try {
            onLoop(() -> {
                acting = on;
                if (on) {
                    load();
                    loop.every(500, this::tick);
                } else {
                    driver = null;
                    loaded = false;
                    clear();
                    suppressed = null;
                }
                return null;
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the services' state: " + e.getMessage(), e);
        }
    }

    boolean acting() {
        return acting;
    }

    void close() {
        loop.close();
    }

    private void clear() {
        apps.clear();
        versions.clear();
        instances.clear();
        deployments.clear();
        backoffs.clear();
        offerStats.clear();
        lastFailures.clear();
        demand.clear();
    }

    private void load() throws IOException {
        clear();
        ServicesRecords.read(json, store, apps, versions, instances, deployments);
        loaded = true;
        LOG.info("Services adapter state: {} apps, {} instances, {} deployments", apps.size(), instances.size(),
                deployments.size());
    }

    /** A new version: now, in milliseconds, later than the last one given. */
    String newVersion() {
        String v = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        if (v.compareTo(lastVersion) <= 0) {
            v = Instant.parse(lastVersion).plusMillis(1).toString();
        }
        lastVersion = v;
        return v;
    }

    /** The time of backoffs, kill selection and unreachable instances; a test may set its own. */
    java.time.Clock clock = java.time.Clock.systemUTC();

    private long now() {
        return clock.millis();
    }

    // ---- the scheduler library's callbacks -----------------------------------------------------------------

    @Override
    public void subscribed(SchedulerDriver d, FrameworkId frameworkId, MasterInfo master, boolean reconnected) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> subscribed(c, frameworkId));
    }

    /** Subscribed through {@code d}: every known instance is reconciled. On the loop. */
    void subscribed(FrameworkCalls d, FrameworkId frameworkId) {
        {
            driver = d;
            suppressed = null; // the new master's view is unknown: say it again
            LOG.info("Services adapter subscribed as {}; reconciling {} instances", frameworkId.value(),
                    instances.size());
            reconcile(new ArrayList<>(instances.values()));
            d.reconcile(List.of()); // implicit: tasks this adapter does not know are killed when reported
            step();
        }
    }

    private void reconcile(List<Instance> which) {
        if (driver == null || which.isEmpty()) {
            return;
        }
        List<Call.Reconcile.ReconcileTask> tasks = new ArrayList<>();
        for (Instance i : which) {
            tasks.add(new Call.Reconcile.ReconcileTask(new TaskId(i.taskId()), i.placement.agentId() == null
                    ? null : new AgentId(i.placement.agentId())));
        }
        driver.reconcile(tasks).exceptionally(e -> {
            LOG.warn("Reconciliation failed: {}", e.toString());
            return null;
        });
    }

    @Override
    public void disconnected(SchedulerDriver d) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> {
            if (driver == c) {
                driver = null;
            }
        });
    }

    @Override
    public void offers(SchedulerDriver d, List<Offer> offers) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> handleOffers(c, offers));
    }

    @Override
    public void update(SchedulerDriver d, TaskStatus status) {
        FrameworkCalls c = perDriver.of(d);
        later(() -> handleUpdate(c, status));
    }

    // ---- status updates ------------------------------------------------------------------------------------

    void handleUpdate(FrameworkCalls d, TaskStatus s) {
        String taskId = s.taskId().value();
        String state = s.state().name();
        Instance i = instances.get(taskId);
        if (i == null) {
            if (!Instance.terminal(state)) {
                LOG.info("Killing task {} ({}), which no app of this adapter owns", taskId, state);
                d.kill(s.taskId(), s.agentId(), null);
            }
            return;
        }
        String before = i.state;
        Boolean wasHealthy = i.healthy;
        i.state = state;
        i.message = s.message();
        if (s.healthy() != null) {
            i.healthy = s.healthy();
        }
        if (state.equals("TASK_RUNNING") && i.startedAt == null) {
            i.startedAt = Instant.now().toString();
        }
        if (state.equals("TASK_UNREACHABLE")) {
            if (i.unreachableSince == 0) {
                i.unreachableSince = now();
            }
        } else {
            i.unreachableSince = 0;
        }
        AppDefinition app = apps.get(i.placement.appId());
        events.statusUpdate(i, s);
        if (!state.equals(before)) {
            events.instanceChanged(i, app == null ? "Decommissioned" : "Running");
        }
        if (i.healthy != null && !i.healthy.equals(wasHealthy)) {
            events.healthChanged(i);
        }
        if (Instance.terminal(state)) {
            ended(i, s);
        }
        step();
    }

    /** An instance ended: forgotten, and, unless the adapter killed it, counted as a failure of its app. */
    private void ended(Instance i, TaskStatus s) {
        instances.remove(i.taskId());
        forget(i);
        changedSinceRevive = true;
        if (i.killRequested) {
            killed++;
            return;
        }
        failed++;
        AppDefinition app = apps.get(i.placement.appId());
        if (app == null) {
            return;
        }
        Backoff b = backoffs.computeIfAbsent(app.id(), k -> new Backoff(app));
        b.failed(app, now());
        lastFailures.put(app.id(), MarathonJson.failure(json, i, s));
        LOG.info("Instance {} of {} ended {} ({}); next launch of the app in {} s", i.taskId(), app.id(),
                s.state(), s.message(), Math.round((b.until - now()) / 100.0) / 10.0);
    }

    private void forget(Instance i) {
        try {
            store.delete("instances/" + i.taskId());
        } catch (IOException e) {
            LOG.warn("Could not remove the placement of {}: {}", i.taskId(), e.toString());
        }
    }

    // ---- the plan: launches wanted, kills due, deployments' progress ----------------------------------------

    private void tick() {
        try {
            if (acting && loaded) {
                step();
            }
        } catch (RuntimeException e) {
            LOG.error("Services loop step failed", e);
        }
    }

    /** Whether an instance counts towards its app now (an unreachable one only for inactiveAfterSeconds). */
    private boolean active(Instance i, AppDefinition app) {
        if (i.killRequested || Instance.terminal(i.state)) {
            return false;
        }
        return i.unreachableSince == 0 || app == null
                || now() - i.unreachableSince < app.unreachableStrategy().inactiveAfterSeconds() * 1000L;
    }

    List<Instance> instancesOf(String appId) {
        List<Instance> out = new ArrayList<>();
        for (Instance i : instances.values()) {
            if (i.placement.appId().equals(appId)) {
                out.add(i);
            }
        }
        return out;
    }

    Deployment deploymentOf(String appId) {
        for (Deployment d : deployments.values()) {
            if (d.affects(appId)) {
                return d;
            }
        }
        return null;
    }

    /** Kills, launches wanted, deployments advanced; then offers are suppressed or revived to match. */
    void step() {
        if (!loaded) {
            return;
        }
        long now = now();
        demand.clear();
        // expunge unreachable instances past their app's expungeAfterSeconds, and kill orphans
        for (Instance i : new ArrayList<>(instances.values())) {
            AppDefinition app = apps.get(i.placement.appId());
            if (app == null) {
                kill(i);
            } else if (i.unreachableSince > 0 && now - i.unreachableSince
                    >= app.unreachableStrategy().expungeAfterSeconds() * 1000L
                    && now - i.unreachableSince >= app.unreachableStrategy().inactiveAfterSeconds() * 1000L) {
                LOG.info("Expunging unreachable instance {}", i.taskId());
                instances.remove(i.taskId());
                forget(i);
                killIfSeen(i);
            }
        }
        for (AppDefinition app : apps.values()) {
            demand.put(app.id(), plan(app, now));
        }
        advanceDeployments();
        offerFlow();
    }

    /** The launches {@code app} needs now; issues the kills it needs. */
    private int plan(AppDefinition app, long now) {
        Deployment d = deploymentOf(app.id());
        if (d != null && !d.launching(app.id())) {
            return 0;
        }
        List<Instance> active = new ArrayList<>();
        for (Instance i : instancesOf(app.id())) {
            if (active(i, app)) {
                active.add(i);
            }
        }
        AppPlan.Decision decision = AppPlan.decide(app, active, d != null && d.restarting(app.id()));
        decision.kills().forEach(this::kill);
        Backoff b = backoffs.get(app.id());
        if (decision.launches() > 0 && b != null && b.until > now) {
            return 0; // waits out its delay: shown in /v2/queue
        }
        return decision.launches();
    }

    void kill(Instance i) {
        if (i.killRequested && now() - i.killSentMillis < 30_000) {
            return;
        }
        i.killRequested = true;
        i.killSentMillis = now();
        changedSinceRevive = true;
        killIfSeen(i);
        events.instanceChanged(i, "Decommissioned");
    }

    private void killIfSeen(Instance i) {
        if (driver != null) {
            driver.kill(new TaskId(i.taskId()), i.placement.agentId() == null ? null
                    : new AgentId(i.placement.agentId()), null).exceptionally(e -> {
                        LOG.warn("Kill of {} failed: {}", i.taskId(), e.toString());
                        return null;
                    });
        }
    }

    /** Moves each deployment on when its current step's actions are done. */
    private void advanceDeployments() {
        for (Deployment d : new ArrayList<>(deployments.values())) {
            while (d.currentStep <= d.steps.size() && d.currentActions().stream().allMatch(this::done)) {
                events.deploymentStep("deployment_step_success", d);
                d.currentStep++;
                if (d.currentStep <= d.steps.size()) {
                    save(d);
                    events.deploymentStep("deployment_info", d);
                }
            }
            if (d.currentStep > d.steps.size()) {
                finish(d, "deployment_success");
            }
        }
    }

    private boolean done(Deployment.Action a) {
        AppDefinition app = apps.get(a.app());
        return switch (a.action()) {
            case "StartApplication" -> true;
            case "StopApplication" -> app == null && instancesOf(a.app()).isEmpty();
            default -> app == null || AppPlan.settled(app, instancesOf(app.id()).stream()
                    .filter(i -> active(i, app)).toList(), a.action().equals("RestartApplication"));
        };
    }

    void finish(Deployment d, String eventType) {
        deployments.remove(d.id);
        try {
            store.delete("deployments/" + d.id);
        } catch (IOException e) {
            LOG.warn("Could not remove deployment {}: {}", d.id, e.toString());
        }
        events.deploymentEnded(eventType, d);
        LOG.info("Deployment {} ended: {}", d.id, eventType);
    }

    void save(Deployment d) {
        try {
            store.put("deployments/" + d.id, json.writeValueAsBytes(d));
        } catch (IOException e) {
            throw new IllegalStateException("cannot store deployment " + d.id + ": " + e.getMessage(), e);
        }
    }

    /** SUPPRESS when nothing waits for offers, REVIVE when something does and offers may be filtered. */
    private void offerFlow() {
        int total = demand.values().stream().mapToInt(Integer::intValue).sum();
        FrameworkCalls d = driver;
        if (d == null) {
            return;
        }
        long now = now();
        if (total == 0) {
            if (!Boolean.TRUE.equals(suppressed)) {
                suppressed = true;
                d.suppress().exceptionally(e -> {
                    suppressed = null;
                    return null;
                });
            }
        } else if (!Boolean.FALSE.equals(suppressed) || total > lastDemand
                || (changedSinceRevive && now - lastRevive > 1000) || now - lastRevive > 30_000) {
            suppressed = false;
            lastRevive = now;
            changedSinceRevive = false;
            d.revive().exceptionally(e -> {
                suppressed = null;
                return null;
            });
        }
        lastDemand = total;
    }

    // ---- offers --------------------------------------------------------------------------------------------

    /**
     * Places the waiting instances on {@code offers}: app by app, one instance per offer in turn (so that a batch of
     * offers shares the launches rather than the first taking all), each under the app's constraints; then accepts
     * each offer with its launches, or declines it.
     */
    void handleOffers(FrameworkCalls d, List<Offer> offers) {
        if (!loaded || d != driver) {
            d.decline(offers.stream().map(Offer::id).toList(), 5);
            return;
        }
        long began = System.nanoTime();
        step();
        List<OfferBudget> budgets = new ArrayList<>();
        Map<OfferBudget, List<TaskInfo>> launches = new LinkedHashMap<>();
        for (Offer offer : offers) {
            offersProcessed++;
            OfferBudget b = new OfferBudget(offer);
            budgets.add(b);
            launches.put(b, new ArrayList<>());
        }
        for (Map.Entry<String, Integer> want : demand.entrySet()) {
            AppDefinition app = apps.get(want.getKey());
            if (app == null || want.getValue() <= 0) {
                continue;
            }
            OfferStats stats = offerStats.computeIfAbsent(app.id(), k -> new OfferStats());
            List<Instance.Placement> placed = new ArrayList<>();
            for (Instance i : instancesOf(app.id())) {
                if (active(i, app)) {
                    placed.add(i.placement);
                }
            }
            Map<OfferBudget, OfferBudget.Reason> refused = new LinkedHashMap<>();
            Map<OfferBudget, Integer> used = new HashMap<>();
            int n = want.getValue();
            while (n > 0 && refused.size() < budgets.size()) {
                for (OfferBudget b : budgets) {
                    if (n == 0 || refused.containsKey(b)) {
                        continue;
                    }
                    OfferBudget.Reason reason = null;
                    if (b.offer.unavailability() != null) {
                        reason = OfferBudget.Reason.AgentMaintenance;
                    } else if (!Constraints.admits(app.constraints(), b.offer.hostname(), b.attributes, placed)) {
                        reason = OfferBudget.Reason.UnfulfilledConstraint;
                    }
                    OfferBudget.Result r = reason == null ? b.take(app) : null;
                    if (r != null && r.taken() == null) {
                        reason = r.reason();
                    }
                    if (reason != null) {
                        refused.put(b, reason);
                        continue;
                    }
                    try {
                        TaskInfo task = launch(app, b.offer, b, r.taken());
                        launches.get(b).add(task);
                        placed.add(instances.get(task.taskId().value()).placement);
                        used.merge(b, 1, Integer::sum);
                        n--;
                    } catch (IOException e) {
                        LOG.error("Cannot store the placement of an instance of {}; not launching it", app.id(), e);
                        refused.put(b, null);
                    }
                }
            }
            want.setValue(n);
            for (OfferBudget b : budgets) {
                stats.record(json, b.offer, used.containsKey(b), refused.get(b));
            }
        }
        int total = 0;
        for (Map.Entry<OfferBudget, List<TaskInfo>> e : launches.entrySet()) {
            Offer offer = e.getKey().offer;
            List<TaskInfo> tasks = e.getValue();
            if (tasks.isEmpty()) {
                offersDeclined++;
                d.decline(List.of(offer.id()), DECLINE_SECONDS);
                continue;
            }
            total += tasks.size();
            launched += tasks.size();
            d.launch(List.of(offer.id()), tasks, DECLINE_SECONDS).exceptionally(x -> {
                LOG.warn("Launch on offer {} failed: {}", offer.id().value(), x.toString());
                return null;
            });
        }
        if (total > 0) {
            LOG.info("Launching {} instances on {} offers ({} ms to place and store them)", total, offers.size(),
                    (System.nanoTime() - began) / 1_000_000);
        }
        offerFlow();
    }

    /** Stores the placement, then builds the task (the caller sends it). */
    private TaskInfo launch(AppDefinition app, Offer offer, OfferBudget budget, OfferBudget.Taken taken)
            throws IOException {
        String instanceId = ServicesRecords.key(app.id()) + ".instance-" + UUID.randomUUID();
        String taskId = instanceId + "._app.1";
        long now = now();
        Instance.Placement p = new Instance.Placement(taskId, app.id(), app.configVersion(), offer.agentId().value(),
                offer.hostname(), taken.ports(), budget.attributes, Instant.ofEpochMilli(now).toString(), now);
        store.put("instances/" + taskId, json.writeValueAsBytes(p));
        Instance i = new Instance(p);
        instances.put(taskId, i);
        events.instanceChanged(i, "Running");
        return Tasks.taskInfo(app, p, offer.agentId(), taken.resources());
    }

    // ---- for the API ---------------------------------------------------------------------------------------

    Map<String, Integer> demand() {
        return demand;
    }

    FrameworkCalls driver() {
        return driver;
    }
}
