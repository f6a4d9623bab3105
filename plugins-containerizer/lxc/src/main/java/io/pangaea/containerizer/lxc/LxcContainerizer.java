package io.pangaea.containerizer.lxc;

import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.Supervisor;
import io.pangaea.model.CommandInfo;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks in LXC application containers with the {@code lxc-*} tools: one container per task, named
 * {@code pangaea-<container id>}, under Pangaea's own lxc path so that other LXC containers on the host are never
 * touched. The root file system comes from an LXC template ({@code lxc_template}, busybox by default; a copy per
 * task) or from a directory shared by all tasks ({@code lxc_rootfs}). The network is {@code empty}; the sandbox is
 * mounted at {@code /mnt/mesos/sandbox}, the working directory; memory and CPU shares come from the task's
 * resources. The container is destroyed when the task ends; those an earlier run of the agent left are stopped and
 * destroyed at its first launch.
 */
@Component(service = Containerizer.class, property = Containerizer.NAME_PROPERTY + "=lxc",
        configurationPid = "io.pangaea.containerizer.lxc", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = LxcContainerizer.Config.class)
public final class LxcContainerizer implements Containerizer {

    @ObjectClassDefinition(name = "Pangaea LXC containerizer")
    public @interface Config {
        @AttributeDefinition(description = "Where Pangaea keeps its LXC containers (lxc-* -P)")
        String lxc__path() default "/var/lib/pangaea/lxc";

        @AttributeDefinition(description = "LXC template each task's root file system is made from")
        String lxc__template() default "busybox";

        @AttributeDefinition(description = "A directory used as every task's root file system instead of a"
                + " template (shared by all tasks)")
        String lxc__rootfs() default "";
    }

    static final String PREFIX = "pangaea-";
    /** In a container's directory: the agent that made it. */
    static final String AGENT_FILE = "pangaea.agent";
    /** In a container's directory when its root file system is shared and must not be destroyed with it. */
    static final String SHARED_FILE = "pangaea.shared-rootfs";
    private static final Logger LOG = LoggerFactory.getLogger(LxcContainerizer.class);

    private final Lxc lxc;
    private final String template;
    private final Path rootfs;
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1, r -> {
        Thread t = new Thread(r, "pangaea-lxc");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> reapedAgents = ConcurrentHashMap.newKeySet();
    private final Map<String, LxcContainer> running = new ConcurrentHashMap<>();
    private volatile String version;

    @Activate
    public LxcContainerizer(Config c) {
        this(Path.of(c.lxc__path()), c.lxc__template(), c.lxc__rootfs().isBlank() ? null : Path.of(c.lxc__rootfs()));
    }

    LxcContainerizer(Path lxcPath, String template, Path rootfs) {
        this.lxc = new Lxc(lxcPath);
        this.template = template;
        this.rootfs = rootfs;
    }

    @Deactivate
    void deactivate() {
        timers.shutdown();
    }

    @Override
    public Container launch(ContainerSpec spec) throws ContainerException {
        checkTools();
        String agent = spec.labels().get("io.pangaea.agent");
        if (agent != null && reapedAgents.add(agent)) {
            reapOrphans(agent);
        }
        String name = PREFIX + spec.containerId().value();
        Path dir = lxc.path().resolve(name);
        try {
            Files.createDirectories(lxc.path());
            List<String> config = new ArrayList<>();
            if (rootfs != null) {
                if (!Files.isDirectory(rootfs)) {
                    throw new ContainerException("The LXC root file system '" + rootfs + "' is not a directory");
                }
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(SHARED_FILE), rootfs.toString());
                config.addAll(LxcConfig.sharedRootfs(name, rootfs));
            } else {
                Lxc.Result r = lxc.create(name, template);
                if (!r.ok()) {
                    throw new ContainerException("lxc-create with template '" + template + "' failed: "
                            + tail(r.output()));
                }
                config.addAll(LxcConfig.withoutNetwork(Files.readAllLines(dir.resolve("config"))));
            }
            if (agent != null) {
                Files.writeString(dir.resolve(AGENT_FILE), agent);
            }
            config.addAll(LxcConfig.forTask(spec, LxcConfig.cgroupV1()));
            Files.write(dir.resolve("config"), config, StandardCharsets.UTF_8);
        } catch (IOException e) {
            remove(name);
            throw new ContainerException("Cannot prepare LXC container " + name + ": " + e.getMessage(), e);
        } catch (ContainerException e) {
            remove(name);
            throw e;
        }
        Path run;
        try {
            run = spec.runtimeDir() != null ? Files.createDirectories(spec.runtimeDir())
                    : Files.createDirectories(Files.createTempDirectory("pangaea-lxc-").resolve(name));
        } catch (IOException e) {
            remove(name);
            throw new ContainerException("Cannot create the container's runtime directory: " + e.getMessage(), e);
        }
        boolean temporary = spec.runtimeDir() == null;
        Process supervisor;
        long pid;
        try {
            supervisor = new ProcessBuilder(Supervisor.argv(run, spec.outlivesAgent(),
                    lxc.execute(name, command(spec.command()))))
                    // an ephemeral container's supervisor reads a pipe that only this JVM holds open
                    .redirectInput(spec.outlivesAgent() ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                            : ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.sandbox().resolve("stdout").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(spec.sandbox().resolve("stderr").toFile()))
                    .start();
            pid = Supervisor.awaitPid(run, supervisor.toHandle(), 10_000);
        } catch (IOException e) {
            remove(name);
            removeRuntimeDir(run, temporary);
            throw new ContainerException("Cannot start lxc-execute: " + e.getMessage(), e);
        }
        double cpus = spec.resources().scalar("cpus");
        double mem = spec.resources().scalar("mem");
        Info info = new Info(supervisor.pid(), Supervisor.startTime(supervisor.pid()), pid, Supervisor.startTime(pid),
                name, mem > 0 ? Math.max(32L << 20, (long) (mem * (1L << 20))) : 0, cpus > 0 ? cpus : null);
        LxcContainer c = new LxcContainer(spec.containerId(), name, lxc, info.pid(), info.pidStart(), run,
                spec.outlivesAgent() ? null : supervisor.getOutputStream(), info.memLimit(), info.cpus(), timers);
        running.put(name, c);
        c.watch(supervisor.onExit(), () -> {
            running.remove(name);
            remove(name);
            removeRuntimeDir(run, temporary);
        });
        try {
            Supervisor.writeJson(run, INFO, info);
        } catch (IOException e) {
            c.kill(Duration.ZERO);
            throw new ContainerException("Cannot record the LXC container in " + run + ": " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * Finds a container again by what its supervisor and this containerizer wrote in its runtime directory: still
     * running if its supervisor is (the same process, by its start time), else ended with the status the supervisor
     * recorded, and then destroyed.
     */
    @Override
    public Container recover(ContainerSpec spec) throws ContainerException {
        Path run = spec.runtimeDir();
        Info info = Supervisor.recorded(spec, INFO, Info.class, "LXC container");
        java.util.Optional<ProcessHandle> supervisor = Supervisor.same(info.supervisorPid(), info.supervisorStart());
        LxcContainer c = new LxcContainer(spec.containerId(), info.name(), lxc, info.pid(), info.pidStart(), run,
                null, info.memLimit(), info.cpus(), timers);
        running.put(info.name(), c);
        c.watch(supervisor.map(h -> (java.util.concurrent.CompletionStage<?>) Supervisor.watchExit(h,
                        info.supervisorStart(), timers))
                .orElseGet(() -> java.util.concurrent.CompletableFuture.completedFuture(null)), () -> {
            running.remove(info.name());
            remove(info.name());
        });
        LOG.info("LXC container {}: recovered, {}", info.name(), supervisor.isPresent() ? "running"
                : "its task ended while the agent was down (status "
                + Supervisor.status(run).map(String::valueOf).orElse("unknown") + ")");
        return c;
    }

    /**
     * Stops and destroys every container with this containerizer's runtime information under {@code runtimeRoot}
     * that {@code known} does not name, and removes its runtime directory.
     */
    @Override
    public int destroyOrphans(Path runtimeRoot, Set<io.pangaea.model.ContainerId> known) {
        if (!Files.isDirectory(runtimeRoot)) {
            return 0;
        }
        List<Path> dirs;
        int destroyed = 0;
        try (Stream<Path> list = Files.list(runtimeRoot)) {
            List<Path> all = list.filter(Files::isDirectory).toList();
            dirs = all.stream().filter(d -> Files.isRegularFile(d.resolve(INFO))).toList();
            for (Path d : all) {
                String id = d.getFileName().toString();
                // the agent stopped between lxc-execute's start and this containerizer's record of it
                if (!Files.exists(d.resolve(INFO)) && Files.exists(d.resolve(Supervisor.PID))
                        && Files.isDirectory(lxc.path().resolve(PREFIX + id))
                        && !known.contains(io.pangaea.model.ContainerId.of(id))) {
                    lxc.stopNow(PREFIX + id);
                    remove(PREFIX + id);
                    deleteTree(d);
                    destroyed++;
                    LOG.warn("Destroyed LXC container {}{}, whose launch the agent did not finish", PREFIX, id);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot list {} for orphaned LXC containers: {}", runtimeRoot, e.toString());
            return 0;
        }
        for (Path dir : dirs) {
            if (known.contains(io.pangaea.model.ContainerId.of(dir.getFileName().toString()))) {
                continue;
            }
            try {
                Info info = Supervisor.readJson(dir, INFO, Info.class);
                Supervisor.same(info.supervisorPid(), info.supervisorStart())
                        .ifPresent(ProcessHandle::destroyForcibly);
                lxc.stopNow(info.name());
                Supervisor.same(info.pid(), info.pidStart()).ifPresent(ProcessHandle::destroyForcibly);
                running.remove(info.name());
                remove(info.name());
                deleteTree(dir);
                destroyed++;
                LOG.warn("Destroyed orphaned LXC container {}, which no checkpoint names", info.name());
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot destroy the orphaned LXC container in {}: {}", dir, e.toString());
            }
        }
        return destroyed;
    }

    /** What this containerizer keeps of a container in its runtime directory, beside the supervisor's files. */
    static final String INFO = "lxc.json";

    /** The supervisor's and {@code lxc-execute}'s pids with their start times, the container's name and limits. */
    record Info(long supervisorPid, long supervisorStart, long pid, long pidStart, String name, long memLimit,
                Double cpus) {}

    private static void removeRuntimeDir(Path run, boolean temporary) {
        if (!temporary) {
            return; // the agent's: it removes it
        }
        try {
            deleteTree(run.getParent());
        } catch (IOException e) {
            LOG.debug("Cannot remove {}: {}", run, e.toString());
        }
    }

    /** The task's command, run from the sandbox. */
    static List<String> command(CommandInfo command) throws ContainerException {
        if (command == null || command.value() == null || command.value().isBlank()) {
            throw new ContainerException("An LXC task needs 'command.value'");
        }
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "cd " + LxcConfig.SANDBOX + " && exec \"$@\"",
                "sh"));
        if (command.isShell()) {
            cmd.addAll(List.of("/bin/sh", "-c", command.value()));
        } else {
            cmd.add(command.value());
            if (command.arguments() != null && command.arguments().size() > 1) {
                cmd.addAll(command.arguments().subList(1, command.arguments().size()));
            }
        }
        return cmd;
    }

    private void checkTools() throws ContainerException {
        if (version == null) {
            try {
                version = Lxc.version();
            } catch (IOException e) {
                throw new ContainerException("The LXC tools are not usable on this agent (install the 'lxc'"
                        + " package): " + e.getMessage(), e);
            }
        }
    }

    /** Destroys a container: its root file system too, unless it is the shared one. */
    private void remove(String name) {
        Path dir = lxc.path().resolve(name);
        try {
            if (!Files.exists(dir)) {
                return;
            }
            if (!Files.exists(dir.resolve(SHARED_FILE))) {
                Lxc.Result r = lxc.destroy(name);
                if (!r.ok() && Files.exists(dir.resolve("rootfs"))) {
                    LOG.warn("lxc-destroy {} failed: {}", name, tail(r.output()));
                    return;
                }
            }
            deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("Could not remove LXC container {}: {}", name, e.toString());
        }
    }

    /** Stops and destroys the containers an earlier run of {@code agent} left behind. */
    private void reapOrphans(String agent) {
        if (!Files.isDirectory(lxc.path())) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(lxc.path(), PREFIX + "*")) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                Path owner = d.resolve(AGENT_FILE);
                if (running.containsKey(name) || !Files.exists(owner)
                        || !Files.readString(owner).trim().equals(agent)) {
                    continue;
                }
                LOG.info("Removing LXC container {} left by an earlier run of agent {}", name, agent);
                lxc.stopNow(name);
                remove(name);
            }
        } catch (IOException e) {
            LOG.warn("Could not look for LXC containers left by agent {}: {}", agent, e.toString());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 500 ? "..." + t.substring(t.length() - 500) : t;
    }
}
