package io.pangaea.containerizer.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.pangaea.agent.spi.Container;
import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.agent.spi.Termination;
import io.pangaea.model.ContainerId;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's Docker container: its output followed into the sandbox, its exit awaited, then it is removed. The time
 * of the last output written is kept in the container's runtime directory ({@code logs.since}), so that an agent
 * that restarts resumes the output where the sandbox files end, with what was written while it was down.
 */
final class DockerContainer implements Container {

    private static final Logger LOG = LoggerFactory.getLogger(DockerContainer.class);

    private final ContainerId id;
    private final String dockerId;
    private final DockerApi docker;
    private final Path sandbox;
    /** The agent's runtime directory for this container, or null. */
    private final Path runtimeDir;
    private final ExecutorService workers;
    private final Runnable onGone;
    /** Told when the container could not be removed from the engine. */
    private final Runnable destroyError;
    private final CompletableFuture<Termination> termination = new CompletableFuture<>();
    private final AtomicBoolean killing = new AtomicBoolean();
    private volatile long pid = -1;

    DockerContainer(ContainerId id, String dockerId, DockerApi docker, Path sandbox, Path runtimeDir,
                    ExecutorService workers, Runnable onGone, Runnable destroyError) {
        this.id = id;
        this.dockerId = dockerId;
        this.docker = docker;
        this.sandbox = sandbox;
        this.runtimeDir = runtimeDir;
        this.workers = workers;
        this.onGone = onGone;
        this.destroyError = destroyError;
    }

    /** Starts the created container and follows it. */
    void start() throws Exception {
        CompletableFuture<Integer> exit = docker.await(dockerId);
        docker.start(dockerId);
        follow(exit, null);
    }

    /**
     * Follows a container found again after the agent restarted: its output from where the sandbox files end (the
     * time recorded in {@code logs.since}), its exit (at once if it ended meanwhile).
     */
    void resume() throws Exception {
        follow(docker.await(dockerId, "not-running"), since());
    }

    /**
     * Where the sandbox files end: the time recorded with the last output written, or else (nothing recorded) the
     * time the files were last written to; null for a container whose files are empty.
     */
    private java.time.Instant since() {
        if (runtimeDir != null) {
            Path f = runtimeDir.resolve(SINCE);
            try {
                if (java.nio.file.Files.exists(f)) {
                    return java.time.Instant.parse(java.nio.file.Files.readString(f).trim());
                }
            } catch (IOException | java.time.format.DateTimeParseException e) {
                LOG.warn("Container {}: cannot read where its output stopped ({}); going by the sandbox files",
                        id.value(), e.toString());
            }
        }
        java.time.Instant last = null;
        for (String name : new String[] {"stdout", "stderr"}) {
            Path f = sandbox.resolve(name);
            try {
                if (java.nio.file.Files.size(f) > 0) {
                    java.time.Instant t = java.nio.file.Files.getLastModifiedTime(f).toInstant();
                    last = last == null || t.isAfter(last) ? t : last;
                }
            } catch (IOException e) {
                // no such file: nothing written to it
            }
        }
        return last;
    }

    /** Records where the output written so far ends, whole or not at all (a temporary file, then a rename). */
    private void recordSince(java.time.Instant t) throws IOException {
        Path tmp = runtimeDir.resolve(SINCE + ".tmp");
        java.nio.file.Files.writeString(tmp, t.toString());
        java.nio.file.Files.move(tmp, runtimeDir.resolve(SINCE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    static final String SINCE = "logs.since";

    private void follow(CompletableFuture<Integer> exit, java.time.Instant since) throws IOException {
        OutputStream out = new FileOutputStream(sandbox.resolve("stdout").toFile(), true);
        OutputStream err = new FileOutputStream(sandbox.resolve("stderr").toFile(), true);
        try {
            pid = docker.inspect(dockerId).path("State").path("Pid").asLong(-1);
        } catch (Exception e) {
            pid = -1;
        }
        CompletableFuture<Void> logs = docker.follow(dockerId, since, frame -> {
            if (since != null && frame.time() != null && !frame.time().isAfter(since)) {
                return; // in the files already
            }
            try {
                (frame.stream() == 2 ? err : out).write(frame.data());
                if (frame.time() != null && runtimeDir != null) {
                    // no fsync: this is for a restart of the agent, not of the machine
                    recordSince(frame.time());
                }
            } catch (IOException e) {
                LOG.debug("Cannot write the output of {}: {}", id, e.toString());
            }
        });
        exit.whenComplete((code, failure) -> workers.execute(() -> {
            try {
                logs.get(10, TimeUnit.SECONDS); // the last lines after the exit
            } catch (Exception ignored) {
                // what arrived is kept
            }
            close(out);
            close(err);
            try {
                docker.remove(dockerId);
            } catch (Exception e) {
                LOG.warn("Container {}: could not remove Docker container {}: {}", id.value(), dockerId,
                        e.toString());
                destroyError.run();
            }
            onGone.run();
            if (failure != null) {
                termination.completeExceptionally(failure);
            } else if (killing.get() && code > 128 && code < 160) {
                termination.complete(Termination.signaled(code - 128));
            } else {
                termination.complete(Termination.exited(code));
            }
        }));
    }

    private static void close(OutputStream s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing more to write
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

    @Override
    public CompletionStage<Termination> termination() {
        return termination;
    }

    @Override
    public void kill(Duration gracePeriod) {
        killing.set(true);
        long seconds = Math.max(0, (gracePeriod.toMillis() + 999) / 1000);
        workers.execute(() -> {
            try {
                docker.stop(dockerId, seconds);
            } catch (Exception e) {
                LOG.warn("Could not stop Docker container {}: {}", dockerId, e.toString());
            }
        });
    }

    @Override
    public ResourceStatistics usage() {
        ResourceStatistics s = ResourceStatistics.empty(System.currentTimeMillis() / 1000.0);
        try {
            JsonNode st = docker.stats(dockerId);
            JsonNode cpu = st.path("cpu_stats").path("cpu_usage");
            JsonNode mem = st.path("memory_stats");
            return new ResourceStatistics(s.timestamp(), st.path("pids_stats").path("current").isMissingNode()
                    ? null : st.path("pids_stats").path("current").asInt(), null,
                    cpu.has("usage_in_usermode") ? cpu.path("usage_in_usermode").asLong() / 1e9 : null,
                    cpu.has("usage_in_kernelmode") ? cpu.path("usage_in_kernelmode").asLong() / 1e9 : null, null,
                    mem.has("usage") ? mem.path("usage").asLong() : null,
                    mem.has("limit") ? mem.path("limit").asLong() : null);
        } catch (Exception e) {
            return s;
        }
    }

    @Override
    public void update(io.pangaea.model.Resources resources) throws ContainerException {
        com.fasterxml.jackson.databind.node.ObjectNode limits =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        DockerContainerizer.limits(limits, resources);
        try {
            // growing memory must raise the swap limit with it: Docker sets both from one call
            docker.update(dockerId, limits);
        } catch (Exception e) {
            throw new ContainerException("Docker could not update container " + id.value() + ": " + e.getMessage());
        }
    }
}
