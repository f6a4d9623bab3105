package io.pangaea.containerizer.nativ;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.Supervisor;
import io.pangaea.model.CommandInfo;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Runs a task in its own session and process group ({@code setsid}) under a small {@link Supervisor} that outlives
 * the agent when the framework checkpoints, with the sandbox as working directory and stdout/stderr in files there.
 * A restarted agent recovers the container from its runtime directory; containers no checkpoint names are destroyed. The isolators named in the spec are found in the
 * service registry and applied in order; a missing one fails the launch with its name.
 */
@Component(service = Containerizer.class, property = Containerizer.NAME_PROPERTY + "=native")
public final class NativeContainerizer implements Containerizer {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NativeContainerizer.class);

    private final Map<String, Isolator> isolators = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pangaea-native-containerizer");
        t.setDaemon(true);
        return t;
    });
    private final Function<String, Isolator> lookup;
    /** Containers whose cleanup failed somewhere (containerizer/mesos/container_destroy_errors). */
    private final LongAdder destroyErrors = new LongAdder();

    public NativeContainerizer() {
        this.lookup = isolators::get;
    }

    /** For tests: isolators from a fixed map. */
    public NativeContainerizer(Map<String, Isolator> fixed) {
        this.lookup = fixed::get;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIsolator(Isolator isolator, Map<String, Object> props) {
        Object name = props.get(Isolator.NAME_PROPERTY);
        if (name != null) {
            isolators.put(name.toString(), isolator);
        }
    }

    void unbindIsolator(Isolator isolator, Map<String, Object> props) {
        Object name = props.get(Isolator.NAME_PROPERTY);
        if (name != null) {
            isolators.remove(name.toString(), isolator);
        }
    }

    @Deactivate
    void deactivate() {
        timers.shutdownNow();
    }

    @Override
    public Container launch(ContainerSpec spec) throws ContainerException {
        List<Isolator> chain = chain(spec);
        List<String> task = new ArrayList<>();
        try {
            for (Isolator i : chain) {
                task.addAll(i.prepare(spec));
            }
        } catch (ContainerException | RuntimeException e) {
            NativeContainer.cleanup(spec.containerId(), chain, spec.isolation(), destroyErrors::increment);
            throw e instanceof ContainerException ce ? ce : new ContainerException(e.getMessage(), e);
        }
        task.addAll(command(spec.command()));
        Path run;
        try {
            run = spec.runtimeDir() != null ? Files.createDirectories(spec.runtimeDir())
                    : Files.createDirectories(Files.createTempDirectory("pangaea-native-")
                            .resolve(spec.containerId().value()));
        } catch (IOException e) {
            NativeContainer.cleanup(spec.containerId(), chain, spec.isolation(), destroyErrors::increment);
            throw new ContainerException("Cannot create the container's runtime directory: " + e.getMessage(), e);
        }
        List<String> argv;
        try {
            argv = Supervisor.argv(run, spec.outlivesAgent(), task);
        } catch (IOException e) {
            NativeContainer.cleanup(spec.containerId(), chain, spec.isolation(), destroyErrors::increment);
            throw new ContainerException("Cannot write the container's supervisor: " + e.getMessage(), e);
        }
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(spec.sandbox().toFile())
                .redirectOutput(new File(spec.sandbox().toFile(), "stdout"))
                .redirectError(new File(spec.sandbox().toFile(), "stderr"))
                // an ephemeral container's supervisor reads a pipe that only this JVM holds open
                .redirectInput(spec.outlivesAgent() ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                        : ProcessBuilder.Redirect.PIPE);
        pb.environment().clear();
        pb.environment().putAll(spec.environment());
        Process supervisor;
        long pid;
        try {
            supervisor = pb.start();
            pid = Supervisor.awaitPid(run, supervisor.toHandle(), 10_000);
        } catch (IOException e) {
            NativeContainer.cleanup(spec.containerId(), chain, spec.isolation(), destroyErrors::increment);
            throw new ContainerException("Cannot start '" + spec.command().value() + "': " + e.getMessage(), e);
        }
        long pidStart = Supervisor.startTime(pid);
        NativeContainer c = new NativeContainer(spec.containerId(), supervisor.onExit(), pid, pidStart, run,
                spec.outlivesAgent() ? null : supervisor.getOutputStream(), chain, spec.isolation(), timers,
                destroyErrors::increment);
        c.temporaryRuntimeDir = spec.runtimeDir() == null;
        try {
            Supervisor.writeJson(run, INFO, new Info(supervisor.pid(), Supervisor.startTime(supervisor.pid()), pid,
                    pidStart, spec.isolation(), spec.resources().toList(), spec.sandbox().toString()));
            for (Isolator i : chain) {
                i.isolate(spec.containerId(), pid);
            }
        } catch (ContainerException | IOException | RuntimeException e) {
            c.watch();
            c.kill(java.time.Duration.ZERO);
            throw e instanceof ContainerException ce ? ce : new ContainerException(e.getMessage(), e);
        }
        c.watch();
        return c;
    }

    private List<Isolator> chain(ContainerSpec spec) throws ContainerException {
        List<Isolator> chain = new ArrayList<>();
        for (String name : spec.isolation()) {
            Isolator i = lookup.apply(name);
            if (i == null) {
                throw new ContainerException("Isolator '" + name + "' is not installed on this agent");
            }
            chain.add(i);
        }
        return chain;
    }

    /**
     * Finds the container by what its supervisor and this containerizer wrote in its runtime directory. A supervisor
     * still running (the same process: its start time matches) means the task runs or is ending; otherwise the task
     * ended while the agent was down and its status, if the supervisor recorded one, is the termination.
     */
    @Override
    public Container recover(ContainerSpec spec) throws ContainerException {
        Path run = spec.runtimeDir();
        if (run != null && !Files.isRegularFile(run.resolve(INFO))) {
            adoptHalfLaunched(spec, run); // writes the record when the task runs unrecorded
        }
        Info info = Supervisor.recorded(spec, INFO, Info.class, "Container");
        List<Isolator> chain = chain(spec);
        java.util.Optional<ProcessHandle> supervisor = Supervisor.same(info.supervisorPid(), info.supervisorStart());
        boolean running = supervisor.isPresent() && Supervisor.same(info.pid(), info.pidStart()).isPresent();
        for (int k = 0; k < chain.size(); k++) {
            try {
                chain.get(k).recover(spec, running ? info.pid() : -1);
            } catch (ContainerException | RuntimeException e) {
                LOG.warn("Container {}: isolator {} could not recover it: {}", spec.containerId().value(),
                        spec.isolation().get(k), e.toString());
            }
        }
        // with its supervisor gone, the container ends at once; else its end is watched (it is not this JVM's child)
        java.util.concurrent.CompletionStage<?> ended = supervisor.map(h -> Supervisor.watchExit(h, info.supervisorStart(), timers))
                .orElseGet(() -> java.util.concurrent.CompletableFuture.completedFuture(null));
        NativeContainer c = new NativeContainer(spec.containerId(), ended, info.pid(), info.pidStart(), run, null,
                chain, spec.isolation(), timers, destroyErrors::increment);
        LOG.info("Container {}: recovered, {}", spec.containerId().value(), supervisor.isPresent()
                ? "task pid " + info.pid() + " running" : "its task ended while the agent was down (status "
                + Supervisor.status(run).map(String::valueOf).orElse("unknown") + ")");
        c.watch();
        return c;
    }

    /**
     * Kills the task and the supervisor of every container under {@code runtimeRoot} that has this containerizer's
     * runtime information and that {@code known} does not name, cleans up its isolators (those installed) and
     * removes its runtime directory.
     */
    @Override
    public int destroyOrphans(Path runtimeRoot, java.util.Set<io.pangaea.model.ContainerId> known) {
        if (!Files.isDirectory(runtimeRoot)) {
            return 0;
        }
        int destroyed = 0;
        List<Path> dirs;
        try (var list = Files.list(runtimeRoot)) {
            List<Path> all = list.filter(Files::isDirectory).toList();
            dirs = all.stream().filter(d -> Files.isRegularFile(d.resolve(INFO))).toList();
            for (Path d : all) {
                if (!Files.exists(d.resolve(INFO)) && Files.exists(d.resolve(Supervisor.PID))
                        && !known.contains(io.pangaea.model.ContainerId.of(d.getFileName().toString()))) {
                    destroyed += destroyHalfLaunched(d) ? 1 : 0;
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot list {} for orphaned containers: {}", runtimeRoot, e.toString());
            return 0;
        }
        for (Path dir : dirs) {
            io.pangaea.model.ContainerId id = io.pangaea.model.ContainerId.of(dir.getFileName().toString());
            if (known.contains(id)) {
                continue;
            }
            try {
                Info info = Supervisor.readJson(dir, INFO, Info.class);
                Supervisor.same(info.supervisorPid(), info.supervisorStart()).ifPresent(ProcessHandle::destroyForcibly);
                if (Supervisor.same(info.pid(), info.pidStart()).isPresent()) {
                    Signals.signalGroup(info.pid(), Signals.SIGKILL);
                }
                List<Isolator> chain = new ArrayList<>();
                List<String> names = new ArrayList<>();
                ContainerSpec spec = new ContainerSpec(id, null, null, Path.of(info.sandbox()), Map.of(),
                        io.pangaea.model.Resources.of(info.resources() == null ? List.of() : info.resources()),
                        info.isolation(), Map.of(), dir, false);
                for (String name : info.isolation()) {
                    Isolator i = lookup.apply(name);
                    if (i == null) {
                        LOG.warn("Orphaned container {}: isolator {} is not installed; what it made is left",
                                id.value(), name);
                        continue;
                    }
                    try {
                        i.recover(spec, -1);
                    } catch (ContainerException | RuntimeException e) {
                        LOG.debug("Orphaned container {}: isolator {}: {}", id.value(), name, e.toString());
                    }
                    chain.add(i);
                    names.add(name);
                }
                NativeContainer.cleanup(id, chain, names, destroyErrors::increment);
                deleteTree(dir);
                destroyed++;
                LOG.warn("Destroyed orphaned container {} (task pid {}), which no checkpoint names", id.value(),
                        info.pid());
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot destroy orphaned container in {}: {}", dir, e.toString());
                destroyErrors.increment();
            }
        }
        return destroyed;
    }

    /** What this containerizer keeps of a container in its runtime directory, beside the supervisor's files. */
    static final String INFO = "native.json";

    /**
     * The supervisor's and the task's pids with their start times (to guard against reuse), and what the isolators
     * need to be cleaned up after an agent restart.
     */
    record Info(long supervisorPid, long supervisorStart, long pid, long pidStart, List<String> isolation,
                List<io.pangaea.model.Resource> resources, String sandbox) {}

    /**
     * The agent stopped after the supervisor started the task and before this containerizer recorded it: when the
     * task still runs (its environment names this container, so the pid was not reused), it is taken up: its
     * isolators get it (the cgroups that its launch prepared), and its runtime information is written from the
     * processes themselves. False when there is nothing to take up (the task never started, or its end went
     * unrecorded).
     */
    private boolean adoptHalfLaunched(ContainerSpec spec, Path run) throws ContainerException {
        Path pidFile = run.resolve(Supervisor.PID);
        if (!Files.isRegularFile(pidFile)) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        if (!ownedBy(pid, spec.containerId().value())) {
            return false;
        }
        ProcessHandle task = ProcessHandle.of(pid).orElse(null);
        ProcessHandle supervisor = task == null ? null : task.parent().orElse(null);
        if (task == null || supervisor == null) {
            return false;
        }
        List<Isolator> chain = chain(spec);
        try {
            for (Isolator i : chain) {
                i.isolate(spec.containerId(), pid);
            }
            Supervisor.writeJson(run, INFO, new Info(supervisor.pid(), Supervisor.startTime(supervisor.pid()), pid,
                    Supervisor.startTime(pid), spec.isolation(), spec.resources().toList(),
                    spec.sandbox().toString()));
        } catch (ContainerException | IOException | RuntimeException e) {
            LOG.warn("Container {}: its task (pid {}) ran unrecorded and cannot be taken up: {}; killing it",
                    spec.containerId().value(), pid, e.toString());
            Signals.signalGroup(pid, Signals.SIGKILL);
            return false;
        }
        LOG.info("Container {}: the agent stopped while launching it; its task (pid {}) runs and is taken up",
                spec.containerId().value(), pid);
        return true;
    }

    /** Whether process {@code pid} runs with {@code MESOS_CONTAINER_ID=containerId} in its environment. */
    private static boolean ownedBy(long pid, String containerId) {
        Path environ = Path.of("/proc", Long.toString(pid), "environ");
        try {
            return Files.exists(environ) && List.of(new String(Files.readAllBytes(environ),
                    java.nio.charset.StandardCharsets.UTF_8).split("\0")).contains("MESOS_CONTAINER_ID=" + containerId);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A container whose launch the agent did not see through (it stopped after the supervisor started the task and
     * before this containerizer recorded it): only the supervisor's {@code pid} file is there. The task is killed if
     * it still runs and is that container's (its environment names the container: the pid was not reused), and the
     * directory goes.
     */
    private boolean destroyHalfLaunched(Path dir) {
        String id = dir.getFileName().toString();
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve(Supervisor.PID)).trim());
            if (ownedBy(pid, id)) {
                Signals.signalGroup(pid, Signals.SIGKILL);
            }
            deleteTree(dir);
            LOG.warn("Destroyed container {} (task pid {}), whose launch the agent did not finish", id, pid);
            return true;
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Cannot destroy the half-launched container in {}: {}", dir, e.toString());
            return false;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public long destroyErrors() {
        return destroyErrors.sum();
    }

    static List<String> command(CommandInfo cmd) throws ContainerException {
        if (cmd == null || cmd.value() == null) {
            throw new ContainerException("The task has no command to run");
        }
        if (cmd.isShell()) {
            return List.of("/bin/sh", "-c", cmd.value());
        }
        List<String> argv = new ArrayList<>();
        argv.add(cmd.value());
        List<String> args = cmd.arguments() == null ? List.of() : cmd.arguments();
        // arguments[0] is argv[0] by Mesos convention; the executable is 'value'
        argv.addAll(args.size() > 1 ? args.subList(1, args.size()) : List.of());
        return argv;
    }
}
