package io.pangaea.containerizer.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ContainerInfo;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Runs tasks whose {@code ContainerInfo.type} is DOCKER in Docker containers, through the Docker Engine API on its
 * unix socket (not the {@code docker} command). The sandbox is mounted at {@code /mnt/mesos/sandbox}, which is the
 * working directory and {@code MESOS_SANDBOX}. The container's stdout and stderr are followed into the sandbox's
 * {@code stdout} and {@code stderr} files. Memory and CPU shares come from the task's resources, and the network
 * from {@code docker.network} (HOST by default, as Mesos). Containers carry labels naming the agent, framework,
 * task and container, and the agent's runtime directory. A restarted agent finds a checkpointed task's container
 * again by its label ({@link #recover}) and has those no checkpoint names removed ({@link #destroyOrphans}).
 */
@Component(service = Containerizer.class, property = Containerizer.NAME_PROPERTY + "=docker",
        configurationPid = "io.pangaea.containerizer.docker", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = DockerContainerizer.Config.class)
public final class DockerContainerizer implements Containerizer {

    @ObjectClassDefinition(name = "Pangaea Docker containerizer")
    public @interface Config {
        @AttributeDefinition(description = "The Docker engine's unix socket (Mesos --docker_socket)")
        String docker__socket() default "/var/run/docker.sock";

        @AttributeDefinition(description = "How many containers are created and started at once; launches beyond it"
                + " wait their turn. The engine's work for each start is a few processes (shim, runtime) that"
                + " compete for the same cores: hundreds at once time out rather than finish sooner.")
        int launch__parallelism() default DEFAULT_PARALLELISM;
    }

    static final int DEFAULT_PARALLELISM = 8;

    static final String SANDBOX = "/mnt/mesos/sandbox";

    /** Memory (swap included, so no swap) and CPU shares from {@code resources}, into a HostConfig or an update. */
    static void limits(ObjectNode host, io.pangaea.model.Resources resources) {
        double mem = resources.scalar("mem");
        if (mem > 0) {
            long bytes = Math.max(6L << 20, (long) (mem * (1L << 20)));
            host.put("Memory", bytes);
            host.put("MemorySwap", bytes);
        }
        double cpus = resources.scalar("cpus");
        if (cpus > 0) {
            host.put("CpuShares", Math.max(2, (long) (cpus * 1024)));
        }
    }
    static final String LABEL_AGENT = "io.pangaea.agent";
    static final String LABEL_CONTAINER = "io.pangaea.container";
    /** The agent's runtime root ({@code work_dir/containers}): which agent on this host a container is of. */
    static final String LABEL_RUNTIME = "io.pangaea.runtime";
    private static final Logger LOG = LoggerFactory.getLogger(DockerContainerizer.class);
    /** Containers that could not be removed from the engine (containerizer/mesos/container_destroy_errors). */
    private final java.util.concurrent.atomic.LongAdder destroyErrors = new java.util.concurrent.atomic.LongAdder();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path socket;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pangaea-docker");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> reapedAgents = ConcurrentHashMap.newKeySet();
    private final Map<String, DockerContainer> running = new ConcurrentHashMap<>();
    private volatile DockerApi api;

    /** Turns to create and start a container (launch_parallelism). */
    private final java.util.concurrent.Semaphore starting;

    @Activate
    public DockerContainerizer(Config config) {
        this(Path.of(config.docker__socket()), config.launch__parallelism());
    }

    DockerContainerizer(Path socket) {
        this(socket, DEFAULT_PARALLELISM);
    }

    DockerContainerizer(Path socket, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("launch_parallelism must be at least 1, not " + parallelism);
        }
        this.socket = socket;
        this.starting = new java.util.concurrent.Semaphore(parallelism, true);
    }

    @Override
    public long destroyErrors() {
        return destroyErrors.sum();
    }

    @Deactivate
    void deactivate() {
        DockerApi a = api;
        if (a != null) {
            try {
                a.close();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        workers.shutdownNow();
    }

    private synchronized DockerApi api() throws ContainerException {
        if (api == null) {
            try {
                DockerApi a = new DockerApi(socket);
                a.ping();
                api = a;
            } catch (Exception e) {
                throw new ContainerException("The Docker engine is not reachable at " + socket + ": " + e.getMessage(),
                        e);
            }
        }
        return api;
    }

    @Override
    public Container launch(ContainerSpec spec) throws ContainerException {
        ContainerInfo info = spec.container();
        if (info == null || info.docker() == null || info.docker().image() == null
                || info.docker().image().isBlank()) {
            throw new ContainerException("A Docker task needs 'container.docker.image'");
        }
        DockerApi docker = api();
        String agent = spec.labels().get(LABEL_AGENT);
        if (spec.runtimeDir() == null && agent != null && reapedAgents.add(agent)) {
            // an agent that keeps no runtime directories does not recover containers: what it left goes
            reapOrphans(docker, agent);
        }
        if (spec.runtimeDir() != null) {
            try {
                java.nio.file.Files.createDirectories(spec.runtimeDir());
            } catch (java.io.IOException e) {
                throw new ContainerException("Cannot create the container's runtime directory: " + e.getMessage(), e);
            }
        }
        try {
            starting.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException("Interrupted while waiting to start the container", e);
        }
        try {
            return createAndStart(docker, spec);
        } finally {
            starting.release();
        }
    }

    private Container createAndStart(DockerApi docker, ContainerSpec spec) throws ContainerException {
        ContainerInfo info = spec.container();
        String name = "pangaea-" + spec.containerId().value();
        String id;
        try {
            id = docker.create(name, containerSpec(spec));
        } catch (DockerApi.DockerException e) {
            throw new ContainerException("Docker could not create a container from '" + info.docker().image()
                    + "': " + e.getMessage(), e);
        } catch (Exception e) {
            throw new ContainerException("Docker could not create the container: " + e.getMessage(), e);
        }
        DockerContainer c = new DockerContainer(spec.containerId(), id, docker, spec.sandbox(), spec.runtimeDir(),
                workers,
                () -> running.remove(id), destroyErrors::increment);
        running.put(id, c);
        try {
            c.start();
        } catch (Exception e) {
            running.remove(id);
            try {
                docker.remove(id);
            } catch (Exception x) {
                LOG.warn("Container {}: could not remove Docker container {} that failed to start: {}",
                        spec.containerId().value(), id, x.toString());
                destroyErrors.increment();
            }
            throw new ContainerException("Docker could not start the container: " + e.getMessage(), e);
        }
        return c;
    }

    /**
     * Finds the task's container by its label: still running (its output is followed on from where the sandbox
     * files end) or ended while the agent was down (its exit code is the termination).
     */
    @Override
    public Container recover(ContainerSpec spec) throws ContainerException {
        DockerApi docker = api();
        JsonNode found;
        try {
            found = docker.list(LABEL_CONTAINER, spec.containerId().value());
        } catch (Exception e) {
            throw new ContainerException("Cannot ask the Docker engine for container " + spec.containerId().value()
                    + ": " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new ContainerException("The Docker container of " + spec.containerId().value() + " is gone");
        }
        String id = found.get(0).path("Id").asText();
        DockerContainer c = new DockerContainer(spec.containerId(), id, docker, spec.sandbox(), spec.runtimeDir(),
                workers, () -> running.remove(id), destroyErrors::increment);
        running.put(id, c);
        try {
            c.resume();
        } catch (Exception e) {
            running.remove(id);
            throw new ContainerException("Cannot follow Docker container " + id + " again: " + e.getMessage(), e);
        }
        LOG.info("Container {}: recovered Docker container {} ({})", spec.containerId().value(), id,
                found.get(0).path("State").asText());
        return c;
    }

    /** Removes this agent's containers (by its runtime root's label) that no checkpoint names. */
    @Override
    public int destroyOrphans(Path runtimeRoot, Set<io.pangaea.model.ContainerId> known) {
        int removed = 0;
        try {
            DockerApi docker = api();
            for (JsonNode c : docker.list(LABEL_RUNTIME, runtimeRoot.toString())) {
                String cid = c.path("Labels").path(LABEL_CONTAINER).asText("");
                if (known.contains(io.pangaea.model.ContainerId.of(cid))) {
                    continue;
                }
                String id = c.path("Id").asText();
                LOG.warn("Removing Docker container {} ({}), which no checkpoint names", id, cid);
                try {
                    docker.remove(id);
                    removed++;
                } catch (Exception e) {
                    LOG.warn("Could not remove Docker container {}: {}", id, e.toString());
                    destroyErrors.increment();
                }
                if (!cid.isEmpty()) {
                    Path dir = runtimeRoot.resolve(cid);
                    try (var walk = java.nio.file.Files.exists(dir) ? java.nio.file.Files.walk(dir)
                            : java.util.stream.Stream.<Path>empty()) {
                        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            java.nio.file.Files.deleteIfExists(p);
                        }
                    } catch (java.io.IOException e) {
                        LOG.debug("Cannot remove {}: {}", dir, e.toString());
                    }
                }
            }
        } catch (Exception e) {
            LOG.warn("Could not look for Docker containers left by an earlier run ({}): {}", runtimeRoot,
                    e.toString());
        }
        return removed;
    }

    /** Removes the agent's containers that this containerizer is not running (left by an agent that crashed). */
    private void reapOrphans(DockerApi docker, String agent) {
        try {
            for (JsonNode c : docker.list(LABEL_AGENT, agent)) {
                String id = c.path("Id").asText();
                if (!running.containsKey(id)) {
                    LOG.info("Removing Docker container {} left by an earlier run of agent {}", id, agent);
                    docker.remove(id);
                }
            }
        } catch (Exception e) {
            LOG.warn("Could not look for Docker containers left by agent {}: {}", agent, e.toString());
        }
    }

    static ObjectNode containerSpec(ContainerSpec spec) throws ContainerException {
        ContainerInfo info = spec.container();
        ObjectNode c = JSON.createObjectNode();
        c.put("Image", info.docker().image());
        ArrayNode cmd = c.putArray("Cmd");
        CommandInfo command = spec.command();
        if (command != null && command.value() != null) {
            if (command.isShell()) {
                cmd.add("/bin/sh").add("-c").add(command.value());
            } else {
                cmd.add(command.value());
                if (command.arguments() != null && command.arguments().size() > 1) {
                    command.arguments().subList(1, command.arguments().size()).forEach(cmd::add);
                }
            }
        } else {
            c.remove("Cmd"); // the image's own command
        }
        ArrayNode env = c.putArray("Env");
        spec.environment().forEach((k, v) -> {
            if (!k.equals("PATH") && !k.equals("HOME")) {
                env.add(k + "=" + (k.equals("MESOS_SANDBOX") || k.equals("MESOS_DIRECTORY") ? SANDBOX : v));
            }
        });
        c.put("WorkingDir", SANDBOX);
        ObjectNode labels = c.putObject("Labels");
        spec.labels().forEach(labels::put);
        labels.put(LABEL_CONTAINER, spec.containerId().value());
        if (spec.runtimeDir() != null && spec.runtimeDir().getParent() != null) {
            labels.put(LABEL_RUNTIME, spec.runtimeDir().getParent().toString());
        }
        ObjectNode host = c.putObject("HostConfig");
        ArrayNode binds = host.putArray("Binds");
        binds.add(spec.sandbox().toAbsolutePath() + ":" + SANDBOX + ":rw");
        if (info.volumes() != null) {
            for (ContainerInfo.Volume v : info.volumes()) {
                if (v.hostPath() == null || v.containerPath() == null) {
                    throw new ContainerException("Docker volumes need 'host_path' and 'container_path'");
                }
                binds.add(v.hostPath() + ":" + v.containerPath() + (v.mode() == ContainerInfo.Volume.Mode.RO
                        ? ":ro" : ":rw"));
            }
        }
        ContainerInfo.DockerInfo.Network net = info.docker().network() == null
                ? ContainerInfo.DockerInfo.Network.HOST : info.docker().network();
        host.put("NetworkMode", switch (net) {
            case HOST -> "host";
            case NONE -> "none";
            case BRIDGE -> "bridge";
            case USER -> throw new ContainerException("Docker network USER is not supported by this Pangaea version");
        });
        if (net == ContainerInfo.DockerInfo.Network.NONE) {
            // The same container (a network namespace of its own with only its loopback, which runc brings up),
            // without the engine's network sandbox: for every container on a network, the engine has the runtime
            // run a hook that starts the whole dockerd binary once more (libnetwork-setkey). That hook was ~30% of
            // the engine's CPU for a short container here, and doubled the time of its start.
            c.put("NetworkDisabled", true);
        }
        limits(host, spec.resources());
        host.put("Privileged", Boolean.TRUE.equals(info.docker().privileged()));
        return c;
    }
}
