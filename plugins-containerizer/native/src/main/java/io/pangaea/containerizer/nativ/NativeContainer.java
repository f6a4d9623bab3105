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

/**
 * A process group started by {@link NativeContainerizer}. The group leader's pid is the group id, so signals go to
 * every process of the task; when the leader ends, whatever it left in its group is killed too, so a container
 * never outlives its task.
 */
final class NativeContainer implements Container {

    private final ContainerId id;
    private final Process process;
    private final List<Isolator> isolators;
    private final ScheduledExecutorService timers;
    private final CompletableFuture<Termination> termination = new CompletableFuture<>();
    private final AtomicBoolean killing = new AtomicBoolean();
    private volatile Termination limitation;

    NativeContainer(ContainerId id, Process process, List<Isolator> isolators, ScheduledExecutorService timers) {
        this.id = id;
        this.process = process;
        this.isolators = isolators;
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
                    } catch (RuntimeException ignored) {
                        // a failing probe is no limitation
                    }
                }
            }
            for (int i = isolators.size() - 1; i >= 0; i--) {
                try {
                    isolators.get(i).cleanup(id);
                } catch (RuntimeException ignored) {
                    // every isolator gets its turn
                }
            }
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
