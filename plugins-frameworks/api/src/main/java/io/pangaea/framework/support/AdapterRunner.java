package io.pangaea.framework.support;

import io.pangaea.framework.AdapterStatus;
import io.pangaea.model.AgentId;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.MasterInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.TaskStatus;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one framework for an adapter instance, while the {@link Election} says it acts: it subscribes through the
 * scheduler library (which follows the leading master), with {@code checkpoint} on, the framework id kept in the
 * {@link StateStore} under {@value #FRAMEWORK_ID} (written before the adapter hears of the subscription, so that a
 * restarted or updated adapter, or another instance, subscribes with the same id and finds its tasks), and stops the
 * driver without tearing the framework down when the instance stops acting or closes. Tasks therefore outlive the
 * adapter's bundle for as long as the framework's failover timeout.
 *
 * <p>The adapter's {@link Scheduler} gets every callback of the library; {@code onActing} hears when the instance
 * starts or stops acting, before the subscription starts and after it stopped.
 */
public final class AdapterRunner implements AutoCloseable {

    /** The key of the framework id in the store. */
    public static final String FRAMEWORK_ID = "framework-id";

    private static final Logger LOG = LoggerFactory.getLogger(AdapterRunner.class);

    private final String name;
    private final List<URI> masters;
    private final FrameworkInfo info;
    private final StateStore store;
    private final Election election;
    private final Scheduler scheduler;
    private final Consumer<Boolean> onActing;
    private final Consumer<SchedulerDriver.Builder> customize;
    private final String api;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "adapter-runner");
        t.setDaemon(true);
        return t;
    });
    private volatile SchedulerDriver driver;
    private volatile AdapterStatus.State state = AdapterStatus.State.STANDBY;
    private volatile String master;
    private volatile String detail;
    private volatile boolean closed;

    /**
     * @param name      the adapter's name
     * @param masters   the masters (any of them, or a {@code zk://} URL)
     * @param info      the framework's info; its id is ignored (the store's is used), checkpoint is forced on
     * @param api       this instance's API address
     * @param customize sets credentials or TLS on each driver built
     */
    public AdapterRunner(String name, List<URI> masters, FrameworkInfo info, StateStore store, Election election,
                         String api, Scheduler scheduler, Consumer<Boolean> onActing,
                         Consumer<SchedulerDriver.Builder> customize) {
        this.name = name;
        this.masters = List.copyOf(masters);
        this.info = new FrameworkInfo(info.user(), info.name(), null, info.failoverTimeout(), true, info.role(),
                info.roles(), info.hostname(), info.principal(), info.webuiUrl(), info.capabilities(), info.labels());
        this.store = store;
        this.election = election;
        this.api = api;
        this.scheduler = scheduler;
        this.onActing = onActing;
        this.customize = customize;
    }

    /** Starts contending; subscribes whenever this instance acts. */
    public void start() {
        election.start(acting -> thread.execute(() -> acting(acting)));
    }

    public Election election() {
        return election;
    }

    /** The driver of the current subscription, or null when this instance does not act. */
    public SchedulerDriver driver() {
        return driver;
    }

    public AdapterStatus status() {
        SchedulerDriver d = driver;
        String id = d != null && d.frameworkId() != null ? d.frameworkId().value() : storedId();
        return new AdapterStatus(name, closed ? AdapterStatus.State.STOPPED : state, id,
                state == AdapterStatus.State.ACTIVE ? master : null, api, election.acting(), detail);
    }

    private String storedId() {
        try {
            return store.get(FRAMEWORK_ID).map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private void acting(boolean acting) {
        if (closed) {
            return;
        }
        if (acting && driver == null) {
            try {
                onActing.accept(true);
            } catch (RuntimeException e) {
                LOG.error("Adapter {} could not take over", name, e);
                detail = "could not take over: " + e.getMessage();
                return;
            }
            subscribe();
        } else if (!acting && driver != null) {
            stopDriver();
            state = AdapterStatus.State.STANDBY;
            onActing.accept(false);
        }
    }

    private void subscribe() {
        String id = storedId();
        FrameworkInfo withId = id == null ? info : info.withId(new FrameworkId(id));
        SchedulerDriver.Builder b = SchedulerDriver.builder(masters, withId).scheduler(new Relay());
        customize.accept(b);
        state = AdapterStatus.State.SUBSCRIBING;
        detail = null;
        SchedulerDriver d = b.build();
        driver = d;
        d.start();
        LOG.info("Adapter {} subscribes {}", name, id == null ? "a new framework" : "framework " + id);
    }

    private void stopDriver() {
        SchedulerDriver d = driver;
        driver = null;
        if (d != null) {
            d.close(); // not a teardown: the tasks stay for the next acting instance
        }
    }

    /** Stops acting (leaving the framework and its tasks to the next instance) and leaves the election. */
    @Override
    public void close() {
        closed = true;
        election.close();
        thread.shutdown();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (driver != null) {
            stopDriver();
            onActing.accept(false);
        }
        state = AdapterStatus.State.STOPPED;
    }

    /** Passes the library's callbacks on, keeping the framework id durable first. */
    private final class Relay implements Scheduler {

        private boolean current(SchedulerDriver d) {
            return d == driver;
        }

        @Override
        public void subscribed(SchedulerDriver d, FrameworkId frameworkId, MasterInfo m, boolean reconnected) {
            if (!current(d)) {
                return;
            }
            try {
                if (!frameworkId.value().equals(storedId())) {
                    store.put(FRAMEWORK_ID, frameworkId.value().getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // without a durable id the next instance could not find these tasks: do not go on
                LOG.error("Adapter {} cannot store its framework id; it stops acting", name, e);
                detail = "cannot store the framework id: " + e.getMessage();
                thread.execute(() -> acting(false));
                return;
            }
            master = m == null || m.address() == null ? null : m.address().ip() + ":" + m.address().port();
            state = AdapterStatus.State.ACTIVE;
            scheduler.subscribed(d, frameworkId, m, reconnected);
        }

        @Override
        public void offers(SchedulerDriver d, List<Offer> offers) {
            if (current(d)) {
                scheduler.offers(d, offers);
            }
        }

        @Override
        public void rescind(SchedulerDriver d, OfferId offerId) {
            if (current(d)) {
                scheduler.rescind(d, offerId);
            }
        }

        @Override
        public void update(SchedulerDriver d, TaskStatus status) {
            if (current(d)) {
                scheduler.update(d, status);
            }
        }

        @Override
        public void message(SchedulerDriver d, AgentId agentId, ExecutorId executorId, byte[] data) {
            if (current(d)) {
                scheduler.message(d, agentId, executorId, data);
            }
        }

        @Override
        public void failure(SchedulerDriver d, AgentId agentId, ExecutorId executorId, Integer status) {
            if (current(d)) {
                scheduler.failure(d, agentId, executorId, status);
            }
        }

        @Override
        public void disconnected(SchedulerDriver d) {
            if (current(d)) {
                state = AdapterStatus.State.SUBSCRIBING;
                scheduler.disconnected(d);
            }
        }

        @Override
        public void error(SchedulerDriver d, String message) {
            if (!current(d)) {
                return;
            }
            state = AdapterStatus.State.REFUSED;
            detail = message;
            scheduler.error(d, message);
            boolean removed = message != null && message.toLowerCase(java.util.Locale.ROOT).contains("removed");
            // a framework the master has removed (torn down, or its failover timeout passed) cannot come back:
            // its tasks are gone, so the adapter starts over as a new framework; any other refusal is retried
            thread.schedule(() -> {
                if (driver != d || closed) {
                    return;
                }
                if (removed) {
                    try {
                        store.delete(FRAMEWORK_ID);
                    } catch (IOException e) {
                        LOG.warn("Adapter {} could not forget its removed framework id", name, e);
                    }
                }
                stopDriver();
                subscribe();
            }, removed ? 0 : 10, TimeUnit.SECONDS);
        }
    }
}
