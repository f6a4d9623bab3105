package io.pangaea.framework.jobs.internal;

import io.pangaea.model.CommandInfo;
import io.pangaea.model.CommandUri;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.Environment;
import io.pangaea.model.Offer;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * What a job's attempt needs of an offer and the Mesos task it runs as: its resources, Chronos's constraints, its
 * command (with the occurrence's arguments), environment ({@code CHRONOS_*}), URIs and container.
 */
final class JobTasks {

    private JobTasks() {}

    static double scalar(Offer o, String name) {
        double sum = 0;
        for (Resource r : o.resources() == null ? List.<Resource>of() : o.resources()) {
            if (r.name().equals(name) && r.type() == ValueType.SCALAR && r.scalar() != null && !r.isReserved()
                    && !r.isPersistentVolume()) {
                sum += r.scalar().value();
            }
        }
        return sum;
    }

    /** Chronos's constraints: {@code [attribute, EQUALS|LIKE|UNLIKE, value]}, {@code hostname} included. */
    static boolean admits(Job j, Offer o) {
        for (List<String> c : j.constraints()) {
            String value = c.get(0).equals("hostname") ? o.hostname() : null;
            if (o.attributes() != null) {
                for (var a : o.attributes()) {
                    if (a.name().equals(c.get(0)) && a.plainValue() != null) {
                        value = a.plainValue().toString();
                    }
                }
            }
            boolean ok = switch (c.get(1)) {
                case "EQUALS" -> c.get(2).equals(value);
                case "LIKE" -> value != null && value.matches(c.get(2));
                case "UNLIKE" -> value == null || !value.matches(c.get(2));
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The task of attempt {@code a} of {@code occ}, on offer {@code o}. */
    static TaskInfo taskInfo(Job j, Occurrence occ, Occurrence.Attempt a, Offer o) {
        List<Environment.Variable> env = new ArrayList<>();
        for (Job.Variable v : j.environmentVariables()) {
            env.add(new Environment.Variable(v.name(), Environment.Variable.Type.VALUE, v.value()));
        }
        env.add(new Environment.Variable("CHRONOS_JOB_NAME", Environment.Variable.Type.VALUE, j.name()));
        env.add(new Environment.Variable("CHRONOS_JOB_OWNER", Environment.Variable.Type.VALUE, j.owner()));
        env.add(new Environment.Variable("CHRONOS_RESOURCE_CPU", Environment.Variable.Type.VALUE,
                String.valueOf(j.cpus())));
        env.add(new Environment.Variable("CHRONOS_RESOURCE_MEM", Environment.Variable.Type.VALUE,
                String.valueOf(j.mem())));
        env.add(new Environment.Variable("CHRONOS_RESOURCE_DISK", Environment.Variable.Type.VALUE,
                String.valueOf(j.disk())));
        List<CommandUri> uris = new ArrayList<>();
        for (Job.Fetch f : j.fetch()) {
            uris.add(new CommandUri(f.uri(), f.executable(), f.extract() == null ? Boolean.TRUE : f.extract(),
                    f.cache(), null));
        }
        for (String u : j.uris()) {
            uris.add(new CommandUri(u, false, true, false, null));
        }
        List<String> args = new ArrayList<>(j.arguments());
        if (occ.arguments != null) {
            args.addAll(occ.arguments);
        }
        CommandInfo command;
        if (j.shell()) {
            String line = args.isEmpty() ? j.command() : j.command() + " " + String.join(" ", args.stream()
                    .map(JobTasks::quote).toList());
            command = new CommandInfo(uris, new Environment(env), true, line, null, j.runAsUser());
        } else {
            List<String> argv = new ArrayList<>();
            argv.add(j.command());
            argv.addAll(args);
            command = new CommandInfo(uris, new Environment(env), false, j.command(), argv, j.runAsUser());
        }
        ContainerInfo container = null;
        if (j.container() != null && j.container().image() != null) {
            List<ContainerInfo.Volume> volumes = new ArrayList<>();
            if (j.container().volumes() != null) {
                for (Job.Volume v : j.container().volumes()) {
                    volumes.add(new ContainerInfo.Volume(v.containerPath(), v.hostPath(),
                            "RO".equalsIgnoreCase(v.mode()) ? ContainerInfo.Volume.Mode.RO
                                    : ContainerInfo.Volume.Mode.RW));
                }
            }
            ContainerInfo.DockerInfo.Network net = j.container().network() == null
                    ? ContainerInfo.DockerInfo.Network.HOST
                    : ContainerInfo.DockerInfo.Network.valueOf(j.container().network().toUpperCase(
                            java.util.Locale.ROOT));
            container = new ContainerInfo(ContainerInfo.Type.DOCKER, volumes, null,
                    new ContainerInfo.DockerInfo(j.container().image(), net, false, false));
        }
        List<Resource> resources = new ArrayList<>();
        resources.add(Resource.scalar("cpus", j.cpus()).withAllocation(role(o)));
        resources.add(Resource.scalar("mem", j.mem()).withAllocation(role(o)));
        if (j.disk() > 0) {
            resources.add(Resource.scalar("disk", j.disk()).withAllocation(role(o)));
        }
        return new TaskInfo("ChronosTask:" + j.name(), new TaskId(a.taskId), o.agentId(), resources, null, command,
                container, null, null, null);
    }

    /** The role the offer's resources are allocated to. */
    private static String role(Offer o) {
        for (Resource r : o.resources() == null ? List.<Resource>of() : o.resources()) {
            if (r.allocationRole() != null) {
                return r.allocationRole();
            }
        }
        return null;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
