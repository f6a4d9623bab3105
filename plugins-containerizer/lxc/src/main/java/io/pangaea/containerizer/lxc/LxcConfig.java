package io.pangaea.containerizer.lxc;

import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.model.ContainerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes the part of a container's LXC configuration that comes from the task. */
final class LxcConfig {

    static final String SANDBOX = "/mnt/mesos/sandbox";

    /** The base of a container on a shared root file system (mounted read-only), when no template made one. */
    static List<String> sharedRootfs(String name, Path rootfs) {
        return List.of(
                "lxc.rootfs.path = dir:" + rootfs.toAbsolutePath(),
                "lxc.rootfs.options = ro",
                "lxc.uts.name = " + name,
                "lxc.autodev = 1",
                "lxc.mount.auto = proc:mixed sys:ro cgroup:mixed",
                "lxc.mount.entry = tmpfs tmp tmpfs defaults,create=dir 0 0",
                "lxc.cap.drop = sys_module mac_admin mac_override sys_time");
    }

    private LxcConfig() {}

    /**
     * The lines for the task: no network, the sandbox at {@value #SANDBOX}, the task's volumes, memory and CPU
     * limits from its resources (cgroup v1 keys where the v1 memory controller is mounted, v2 keys otherwise) and
     * its environment.
     */
    static List<String> forTask(ContainerSpec spec, boolean cgroupV1) throws ContainerException {
        List<String> lines = new ArrayList<>();
        lines.add("lxc.net.0.type = empty");
        lines.add(mount(spec.sandbox().toAbsolutePath().toString(), SANDBOX, false));
        ContainerInfo info = spec.container();
        if (info != null && info.volumes() != null) {
            for (ContainerInfo.Volume v : info.volumes()) {
                if (v.hostPath() == null || v.containerPath() == null || !v.containerPath().startsWith("/")) {
                    throw new ContainerException("LXC volumes need 'host_path' and an absolute 'container_path'");
                }
                lines.add(mount(v.hostPath(), v.containerPath(), v.mode() == ContainerInfo.Volume.Mode.RO));
            }
        }
        double mem = spec.resources().scalar("mem");
        if (mem > 0) {
            long bytes = Math.max(32L << 20, (long) (mem * (1L << 20)));
            lines.add(cgroupV1 ? "lxc.cgroup.memory.limit_in_bytes = " + bytes : "lxc.cgroup2.memory.max = " + bytes);
            if (!cgroupV1) {
                lines.add("lxc.cgroup2.memory.swap.max = 0");
            }
        }
        double cpus = spec.resources().scalar("cpus");
        if (cpus > 0) {
            long shares = Math.max(2, (long) (cpus * 1024));
            lines.add(cgroupV1 ? "lxc.cgroup.cpu.shares = " + shares
                    : "lxc.cgroup2.cpu.weight = " + Math.max(1, Math.min(10_000, shares * 100 / 1024)));
        }
        lines.add("lxc.environment = PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        lines.add("lxc.environment = HOME=" + SANDBOX);
        for (Map.Entry<String, String> e : spec.environment().entrySet()) {
            String k = e.getKey();
            if (k.equals("PATH") || k.equals("HOME")) {
                continue;
            }
            String v = k.equals("MESOS_SANDBOX") || k.equals("MESOS_DIRECTORY") ? SANDBOX : e.getValue();
            if (k.isEmpty() || k.contains("=") || (k + v).contains("\n")) {
                throw new ContainerException("Environment variable '" + k + "' cannot be passed into an LXC"
                        + " container (a name with '=' or a value with a newline)");
            }
            lines.add("lxc.environment = " + k + "=" + v);
        }
        return lines;
    }

    private static String mount(String host, String inContainer, boolean readOnly) throws ContainerException {
        if (host.contains(" ") || inContainer.contains(" ")) {
            throw new ContainerException("LXC cannot mount a path with spaces: '" + host + "' at '" + inContainer
                    + "'");
        }
        return "lxc.mount.entry = " + host + " " + inContainer.substring(1) + " none " + (readOnly ? "ro" : "rw")
                + ",bind,create=dir 0 0";
    }

    /** A template's configuration without its network lines, which the task's replace. */
    static List<String> withoutNetwork(List<String> config) {
        return config.stream().filter(l -> !l.trim().startsWith("lxc.net.")).toList();
    }

    static boolean cgroupV1() {
        return Files.isDirectory(Path.of("/sys/fs/cgroup/memory"));
    }
}
