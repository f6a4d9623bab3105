package io.pangaea.agent.internal;

import io.pangaea.model.ContainerInfo;
import io.pangaea.model.TaskInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistent volumes on this agent: where their data lives (under {@code work_dir/volumes}, outside every sandbox),
 * how a task sees them (a link in its sandbox, or a bind mount for Docker, LXC and filesystem/linux), and their
 * deletion when the master destroys one. Owns the volume directories.
 * Must not touch: tasks, containers or the sandboxes beyond the links and mounts it places.
 */
final class Volumes extends AgentPart {

    private static final Logger LOG = LoggerFactory.getLogger(Volumes.class);

    Volumes(AgentContext ctx) {
        super(ctx);
    }

    /** Where Docker and LXC containers see their sandbox, as in Mesos. */
    static final String CONTAINER_SANDBOX = "/mnt/mesos/sandbox";

    /**
     * Where a persistent volume's data lives: {@code <work_dir>/volumes/roles/<role>/<persistence id>}, outside
     * every sandbox, so it outlives the tasks that use it (the role is URL-encoded: hierarchical roles have '/').
     */
    Path volumePath(String role, String persistenceId) {
        return config().workDir().resolve("volumes").resolve("roles")
                .resolve(java.net.URLEncoder.encode(role, StandardCharsets.UTF_8)).resolve(persistenceId);
    }

    /**
     * Makes the persistent volumes a task uses appear in its sandbox at their {@code container_path}: a symbolic
     * link to the volume's directory (created on first use), as Mesos's filesystem/posix isolator does.
     */
    void linkVolumes(TaskInfo task, Path sandbox) throws IOException {
        createVolumes(task);
        for (io.pangaea.model.Resource r : volumes(task)) {
            Path volume = volumeDir(r);
            Path link = sandbox.resolve(r.disk().volume().containerPath()).normalize();
            if (!link.startsWith(sandbox)) {
                throw new IOException("volume path " + r.disk().volume().containerPath() + " leaves the sandbox");
            }
            Files.createDirectories(link.getParent());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, volume);
            }
        }
    }

    /**
     * A task's ContainerInfo with its persistent volumes added as bind mounts at {@code <sandbox><container_path>}
     * (read-only when the volume's mode is RO). Docker and LXC tasks get them under {@code /mnt/mesos/sandbox/}: a
     * link in the sandbox would point at a host path the container cannot see. Native tasks under filesystem/linux
     * get them at their path relative to the sandbox, which that isolator mounts in the task's mount namespace.
     */
    ContainerInfo withVolumeMounts(TaskInfo task, String sandbox) {
        ContainerInfo c = task.container() != null ? task.container()
                : new ContainerInfo(ContainerInfo.Type.MESOS, null, null, null);
        List<ContainerInfo.Volume> volumes = new ArrayList<>(c.volumes() == null ? List.of() : c.volumes());
        for (io.pangaea.model.Resource r : volumes(task)) {
            volumes.add(new ContainerInfo.Volume(sandbox + r.disk().volume().containerPath(),
                    volumeDir(r).toString(),
                    r.disk().volume().mode() == null ? ContainerInfo.Volume.Mode.RW : r.disk().volume().mode()));
        }
        return new ContainerInfo(c.type(), volumes, c.hostname(), c.docker());
    }

    /** Creates the directories of the task's persistent volumes (on first use). */
    void createVolumes(TaskInfo task) throws IOException {
        for (io.pangaea.model.Resource r : volumes(task)) {
            Files.createDirectories(volumeDir(r));
        }
    }

    /** The persistent volumes a task uses, each with its place in the sandbox. */
    static List<io.pangaea.model.Resource> volumes(TaskInfo task) {
        return task.resources() == null ? List.of() : task.resources().stream()
                .filter(r -> r.isPersistentVolume() && r.disk().volume() != null).toList();
    }

    Path volumeDir(io.pangaea.model.Resource volume) {
        return volumePath(volume.reservationRole(), volume.disk().persistence().id());
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            AgentCheckpoints.deleteTree(root);
            LOG.info("Deleted persistent volume {}", root);
        } catch (IOException e) {
            LOG.warn("Could not delete persistent volume {}", root, e);
        }
    }
}
