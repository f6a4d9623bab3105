package io.pangaea.isolator.namespaces;

import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.model.ContainerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * {@code filesystem/linux}: the task runs in a mount namespace of its own, and the volumes of its ContainerInfo
 * (host paths, and the persistent volumes the agent adds) are bind-mounted in it at their {@code container_path},
 * read-only when their mode is RO, as Mesos's isolator of that name does for containers without an image. A relative
 * container path is inside the sandbox (created if missing); an absolute one must be an existing directory. The
 * mounts are private to the task: the host and other tasks do not see them, and they go with the namespace when the
 * task's last process ends, so there is nothing to unmount.
 */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=filesystem/linux")
public final class FilesystemLinuxIsolator implements Isolator {

    /**
     * Mounts each (source, target, mode) triple given before "--", then runs what follows. Everything is passed as
     * arguments, never spliced into the script, so paths need no quoting.
     */
    static final String MOUNT = "set -e; while [ \"$1\" != -- ]; do"
            + " if [ -d \"$1\" ]; then mkdir -p \"$2\"; else mkdir -p \"${2%/*}\"; [ -e \"$2\" ] || : > \"$2\"; fi;"
            + " mount --bind \"$1\" \"$2\"; if [ \"$3\" = RO ]; then mount -o remount,bind,ro \"$2\"; fi;"
            + " shift 3; done; shift; exec \"$@\"";

    private final String unshare;

    public FilesystemLinuxIsolator() {
        this.unshare = NamespacesPidIsolator.unshare();
    }

    @Override
    public List<String> prepare(ContainerSpec spec) throws ContainerException {
        List<ContainerInfo.Volume> volumes = spec.container() == null || spec.container().volumes() == null
                ? List.of() : spec.container().volumes();
        List<String> argv = new ArrayList<>(List.of(unshare, "--mount", "--propagation", "private", "/bin/sh", "-c",
                MOUNT, "pangaea-mounts"));
        Path sandbox = spec.sandbox().toAbsolutePath().normalize();
        for (ContainerInfo.Volume v : volumes) {
            if (v.hostPath() == null || v.hostPath().isBlank()) {
                throw new ContainerException("Volume '" + v.containerPath() + "' has no 'host_path': only host path"
                        + " volumes can be mounted into a container without an image");
            }
            Path source = Path.of(v.hostPath());
            if (!source.isAbsolute() || !Files.exists(source)) {
                throw new ContainerException("Volume host_path '" + v.hostPath() + "' is not an existing absolute"
                        + " path on this agent");
            }
            if (v.containerPath() == null || v.containerPath().isBlank()) {
                throw new ContainerException("Volume of host_path '" + v.hostPath() + "' has no 'container_path'");
            }
            Path target = Path.of(v.containerPath());
            if (target.isAbsolute()) {
                if (Files.isDirectory(source) ? !Files.isDirectory(target) : !Files.isRegularFile(target)) {
                    throw new ContainerException("Volume container_path '" + v.containerPath() + "' is absolute, so"
                            + " it must exist on this agent as a " + (Files.isDirectory(source) ? "directory" : "file")
                            + " like its host_path (a container without an image sees the agent's file system)");
                }
            } else {
                target = sandbox.resolve(target).normalize();
                if (!target.startsWith(sandbox) || target.equals(sandbox)) {
                    throw new ContainerException("Volume container_path '" + v.containerPath() + "' leaves the"
                            + " sandbox");
                }
            }
            argv.add(source.toString());
            argv.add(target.toString());
            argv.add(v.mode() == ContainerInfo.Volume.Mode.RO ? "RO" : "RW");
        }
        argv.add("--");
        return argv;
    }
}
