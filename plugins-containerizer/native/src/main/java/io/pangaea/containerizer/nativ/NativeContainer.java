package io.pangaea.containerizer.nativ;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Supervisor;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
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
 * A task's process group under its {@link Supervisor}. The task's pid is its group id, so signals go to every process
 * of the task; when the task ends, the supervisor kills what it left in its group, so a container never outlives its
 * task. The end is seen through the supervisor's exit and the status it recorded, which works alike for a container
 * this agent launched and for one it recovered after a restart.
 */
final class NativeContainer implements Container {

    private static final Logger LOG = LoggerFactory.getLogger(NativeContainer.class);

    private final ContainerId id;
    /** Completes when the supervisor has ended. */
    private final CompletionStage<?> supervisorEnded;
    /** The task's pid, which is its process group id. */
    private final long pid;
    private final long pidStart;
    private final Path runtimeDir;
    /** The write end of an ephemeral container's pipe: kept open while the container may run, else null. */
    private final Closeable lifeline;
    private final List<Isolator> isolators;
    /** The isolators' names, in the same order. */
    private final List<String> names;
    /** Told once when the container could not be cleaned up completely. */
    private final Runnable destroyError;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<Termination> termination = new CompletableFuture<>();
    private final AtomicBoolean killing = new AtomicBoolean();
    private volatile Termination limitation;
    /** The runtime directory is the containerizer's own temporary one, removed when the container ends. */
    volatile boolean temporaryRuntimeDir;

    NativeContainer(ContainerId id, CompletionStage<?> supervisorEnded, long pid, long pidStart, Path runtimeDir,
                    Closeable lifeline, List<Isolator> isolators, List<String> names, ScheduledExecutorService timers,
                    Runnable destroyError) {
        this.id = id;
        this.supervisorEnded = supervisorEnded;
        this.pid = pid;
        this.pidStart = pidStart;
        this.runtimeDir = runtimeDir;
        this.lifeline = lifeline;
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
        supervisorEnded.thenRun(this::ended);
    }

    /** The supervisor ended: the task's status is in its runtime directory, unless the supervisor was killed. */
    private void ended() {
        Integer code = Supervisor.status(runtimeDir).orElse(null);
        if (code == null) {
            // the supervisor died before the task did (someone killed it): the task must not run on unwatched
            LOG.warn("Container {}: its supervisor ended without recording the task's exit status", id.value());
            signalGroup(Signals.SIGKILL);
        }
        // else the supervisor killed what the task left in its group
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
        closeLifeline();
        if (temporaryRuntimeDir) {
            try {
                NativeContainerizer.deleteTree(runtimeDir.getParent()); // the temporary directory it is in
            } catch (IOException e) {
                LOG.debug("Container {}: cannot remove {}: {}", id.value(), runtimeDir, e.toString());
            }
        }
        Termination t;
        if (limitation != null) {
            t = limitation;
        } else if (code == null) {
            t = new Termination(null, null, null, "The container's supervisor ended without recording the task's"
                    + " exit status");
        } else if (code > 128 && code < 160 && killing.get()) {
            t = Termination.signaled(code - 128);
        } else {
            t = Termination.exited(code);
        }
        termination.complete(t);
    }

    /** For tests: what the end of the agent's JVM does to an ephemeral container's pipe. */
    void closeLifeline() {
        if (lifeline != null) {
            try {
                lifeline.close();
            } catch (IOException ignored) {
                // the supervisor is gone already
            }
        }
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
        return pid;
    }

    Path runtimeDir() {
        return runtimeDir;
    }

    @Override
    public CompletionStage<Termination> termination() {
        return termination;
    }

    @Override
    public void kill(Duration gracePeriod) {
        killing.set(true);
        if (termination.isDone()) {
            return;
        }
        if (gracePeriod.isZero() || gracePeriod.isNegative()) {
            signalGroup(Signals.SIGKILL);
            return;
        }
        signalGroup(Signals.SIGTERM);
        timers.schedule(() -> {
            if (!termination.isDone()) {
                signalGroup(Signals.SIGKILL);
            }
        }, gracePeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Signals every process in the task's process group, and any descendant of the task that left it. */
    private void signalGroup(int signal) {
        // Only while the leader lives are its descendants found through it (orphans move to init).
        List<ProcessHandle> descendants = Supervisor.same(pid, pidStart).map(h -> h.descendants().toList())
                .orElse(List.of());
        if (!Signals.signalGroup(pid, signal)) {
            // no group yet: the task's process has not reached its setsid (a kill right after the launch)
            Supervisor.same(pid, pidStart).ifPresent(h -> {
                if (signal == Signals.SIGKILL) {
                    h.destroyForcibly();
                } else {
                    h.destroy();
                }
            });
        }
        for (ProcessHandle h : descendants) {
            if (signal == Signals.SIGKILL) {
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
            s = i.usage(id, pid, s);
        }
        return s;
    }
}
