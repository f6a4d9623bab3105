package io.pangaea.containerizer.nativ;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process group started by {@link NativeContainerizer}. The group leader's pid is the group id, so signals go to
 * every process of the task; when the leader ends, whatever it left in its group is killed too, so a container
 * never outlives its task.
 */
final class NativeContainer implements Container {

    private static final Logger LOG = LoggerFactory.getLogger(NativeContainer.class);

    private final ContainerId id;
    private final Process process;
    private final List<Isolator> isolators;
    /** The isolators' names, in the same order. */
    private final List<String> names;
    /** Told once when the container could not be cleaned up completely. */
    private final Runnable destroyError;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<Termination> termination = new CompletableFuture<>();
    private final AtomicBoolean killing = new AtomicBoolean();
    private volatile Termination limitation;

    NativeContainer(ContainerId id, Process process, List<Isolator> isolators, List<String> names,
                    ScheduledExecutorService timers, Runnable destroyError) {
        this.id = id;
        this.process = process;
        this.isolators = isolators;
        this.names = names;
        this.destroyError = destroyError;
        this.timers = timers;
    }

    void watch() {
        for (Isolator i : isolators) {
            i.watch(id).thenAccept(limit -> {
                limitation = limit;
                kill(Duration.ZERO);
            });
        }
        process.onExit().thenAccept(p -> {
            signalGroup("KILL");
            for (Isolator i : isolators) {
                if (limitation == null) {
                    try {
                        limitation = i.limitation(id);
                    } catch (RuntimeException e) {
                        // a failing probe is no limitation
                        LOG.warn("Container {}: isolator {} could not tell its limitation: {}", id.value(),
                                names.get(isolators.indexOf(i)), e.toString());
                    }
                }
            }
            cleanup(id, isolators, names, destroyError);
            int code = p.exitValue();
            Termination t;
            if (limitation != null) {
                t = limitation;
            } else if (code > 128 && code < 160 && killing.get()) {
                t = Termination.signaled(code - 128);
            } else {
                t = Termination.exited(code);
            }
            termination.complete(t);
        });
    }

    /**
     * Cleans up after the isolators in reverse order; every one gets its turn. A failure is logged with the
     * container's id and counted once per container through {@code destroyError}.
     */
    static void cleanup(ContainerId id, List<Isolator> isolators, List<String> names, Runnable destroyError) {
        boolean failed = false;
        for (int i = isolators.size() - 1; i >= 0; i--) {
            try {
                isolators.get(i).cleanup(id);
            } catch (RuntimeException e) {
                failed = true;
                LOG.warn("Container {}: isolator {} failed to clean up: {}", id.value(), names.get(i), e.toString());
            }
        }
        if (failed) {
            destroyError.run();
        }
    }

    @Override
    public ContainerId id() {
        return id;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public CompletionStage<Termination> termination() {
        return termination;
    }

    @Override
    public void kill(Duration gracePeriod) {
        killing.set(true);
        if (!process.isAlive()) {
            return;
        }
        if (gracePeriod.isZero() || gracePeriod.isNegative()) {
            signalGroup("KILL");
            return;
        }
        signalGroup("TERM");
        timers.schedule(() -> {
            if (process.isAlive()) {
                signalGroup("KILL");
            }
        }, gracePeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Signals every process in the container's process group, and any descendant that left it. */
    private void signalGroup(String signal) {
        boolean kill = signal.equals("KILL");
        // Only while the leader lives are its descendants found through it (orphans move to init).
        List<ProcessHandle> descendants = process.isAlive() ? process.descendants().toList() : List.of();
        Signals.signalGroup(process.pid(), kill ? Signals.SIGKILL : Signals.SIGTERM);
        for (ProcessHandle h : descendants) {
            if (kill) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
    }

    /** Each isolator applies the new limits (cgroups, the polled memory limit, ...). */
    @Override
    public void update(io.pangaea.model.Resources resources) throws ContainerException {
        for (Isolator i : isolators) {
            i.update(id, resources);
        }
    }

    @Override
    public ResourceStatistics usage() {
        ResourceStatistics s = ResourceStatistics.empty(System.currentTimeMillis() / 1000.0);
        for (Isolator i : isolators) {
            s = i.usage(id, process.pid(), s);
        }
        return s;
    }
}
