package io.pangaea.framework.services.internal;

import io.pangaea.model.AgentId;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.CommandUri;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.DurationInfo;
import io.pangaea.model.Environment;
import io.pangaea.model.HealthCheck;
import io.pangaea.model.KillPolicy;
import io.pangaea.model.Label;
import io.pangaea.model.Labels;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Mesos task of an app's instance: its command, container, environment, ports and health check. */
final class Tasks {

    private Tasks() {}

    static TaskInfo taskInfo(AppDefinition app, Instance.Placement p, AgentId agent, List<Resource> resources) {
        Map<String, String> env = new LinkedHashMap<>(app.plainEnv());
        List<Integer> ports = p.ports();
        for (int i = 0; i < ports.size(); i++) {
            env.put("PORT" + i, Integer.toString(ports.get(i)));
            String name = app.portDefinitions().get(i).name();
            if (name != null) {
                env.put("PORT_" + name.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9_]", "_"),
                        Integer.toString(ports.get(i)));
            }
        }
        if (!ports.isEmpty()) {
            env.put("PORT", Integer.toString(ports.get(0)));
            env.put("PORTS", String.join(",", ports.stream().map(String::valueOf).toList()));
        }
        env.put("HOST", p.host());
        env.put("MARATHON_APP_ID", app.id());
        env.put("MARATHON_APP_VERSION", app.version());
        env.put("MESOS_TASK_ID", p.taskId());
        app.labels().forEach((k, v) -> {
            String var = "MARATHON_APP_LABEL_" + k.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
            env.put(var, v);
        });
        List<Environment.Variable> vars = new ArrayList<>();
        env.forEach((k, v) -> vars.add(new Environment.Variable(k, Environment.Variable.Type.VALUE, v)));
        List<CommandUri> uris = new ArrayList<>();
        for (AppDefinition.Fetch f : app.fetch()) {
            uris.add(new CommandUri(f.uri(), f.executable(), f.extract() == null ? Boolean.TRUE : f.extract(),
                    f.cache(), f.destPath()));
        }
        for (String u : app.uris()) {
            uris.add(new CommandUri(u, false, true, false, null));
        }
        CommandInfo command;
        if (app.cmd() != null && !app.cmd().isBlank()) {
            command = new CommandInfo(uris, new Environment(vars), true, app.cmd(), null, app.user());
        } else if (app.args() != null && !app.args().isEmpty()) {
            boolean docker = app.container() != null && "DOCKER".equals(app.container().type());
            // under Docker the args follow the image's entrypoint; otherwise the first is the program
            command = docker ? new CommandInfo(uris, new Environment(vars), false, null, app.args(), app.user())
                    : new CommandInfo(uris, new Environment(vars), false, app.args().get(0), app.args(), app.user());
        } else {
            command = new CommandInfo(uris, new Environment(vars), false, null, null, app.user());
        }
        ContainerInfo container = null;
        if (app.container() != null) {
            List<ContainerInfo.Volume> volumes = new ArrayList<>();
            if (app.container().volumes() != null) {
                for (AppDefinition.Volume v : app.container().volumes()) {
                    volumes.add(new ContainerInfo.Volume(v.containerPath(), v.hostPath(),
                            "RO".equalsIgnoreCase(v.mode()) ? ContainerInfo.Volume.Mode.RO
                                    : ContainerInfo.Volume.Mode.RW));
                }
            }
            if ("DOCKER".equals(app.container().type())) {
                AppDefinition.Docker d = app.container().docker();
                ContainerInfo.DockerInfo.Network net = d.network() == null ? ContainerInfo.DockerInfo.Network.HOST
                        : ContainerInfo.DockerInfo.Network.valueOf(d.network().toUpperCase(java.util.Locale.ROOT));
                container = new ContainerInfo(ContainerInfo.Type.DOCKER, volumes, null,
                        new ContainerInfo.DockerInfo(d.image(), net, d.privileged(), d.forcePullImage()));
            } else if (!volumes.isEmpty()) {
                container = new ContainerInfo(ContainerInfo.Type.MESOS, volumes, null, null);
            }
        }
        List<Label> labels = new ArrayList<>();
        app.labels().forEach((k, v) -> labels.add(new Label(k, v)));
        KillPolicy kill = app.taskKillGracePeriodSeconds() == null ? null
                : new KillPolicy(new DurationInfo(app.taskKillGracePeriodSeconds() * 1_000_000_000L));
        return new TaskInfo(taskName(app.id()), new TaskId(p.taskId()), agent, resources, null, command, container,
                kill, null, labels.isEmpty() ? null : new Labels(labels), healthCheck(app, ports));
    }

    /** {@code /prod/web} runs as {@code web.prod}, as Marathon names its tasks. */
    static String taskName(String appId) {
        String[] parts = appId.substring(1).split("/");
        StringBuilder b = new StringBuilder();
        for (int i = parts.length - 1; i >= 0; i--) {
            b.append(parts[i]);
            if (i > 0) {
                b.append('.');
            }
        }
        return b.toString();
    }

    /** The app's first health check as a Mesos-native check, with the instance's host port. */
    static HealthCheck healthCheck(AppDefinition app, List<Integer> ports) {
        if (!app.hasHealthChecks()) {
            return null;
        }
        AppDefinition.HealthCheck h = app.healthChecks().get(0);
        Integer port = h.port() != null ? h.port() : h.portIndex() != null && h.portIndex() < ports.size()
                ? ports.get(h.portIndex()) : null;
        HealthCheck.Http http = null;
        HealthCheck.Tcp tcp = null;
        CommandInfo command = null;
        HealthCheck.Type type;
        switch (h.protocol()) {
            case "HTTP", "MESOS_HTTP", "HTTPS", "MESOS_HTTPS" -> {
                type = HealthCheck.Type.HTTP;
                http = new HealthCheck.Http(h.protocol().endsWith("HTTPS") ? "https" : "http", port, h.path(),
                        null, null);
            }
            case "TCP", "MESOS_TCP" -> {
                type = HealthCheck.Type.TCP;
                tcp = new HealthCheck.Tcp(port, null);
            }
            default -> {
                type = HealthCheck.Type.COMMAND;
                command = CommandInfo.shell(h.command().value());
            }
        }
        return new HealthCheck(type, http, tcp, command, (double) h.delaySeconds(), (double) h.intervalSeconds(),
                (double) h.timeoutSeconds(), h.maxConsecutiveFailures(), (double) h.gracePeriodSeconds());
    }
}
