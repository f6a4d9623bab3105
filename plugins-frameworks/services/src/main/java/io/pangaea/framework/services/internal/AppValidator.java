package io.pangaea.framework.services.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Marathon's checks of an app definition, with its error paths ({@code /id}, {@code /instances},
 * {@code /constraints(0)}, ...) and messages; answered as 422 {@code Object is not valid}.
 */
final class AppValidator {

    /** One failed field. */
    record Violation(String path, List<String> errors) {}

    static final List<String> OPERATORS = List.of("UNIQUE", "CLUSTER", "GROUP_BY", "LIKE", "UNLIKE", "MAX_PER", "IS");
    static final Set<String> HEALTH_PROTOCOLS = Set.of("HTTP", "HTTPS", "TCP", "COMMAND", "MESOS_HTTP",
            "MESOS_HTTPS", "MESOS_TCP");
    private static final Pattern SEGMENT = Pattern.compile(
            "^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])$");

    private AppValidator() {}

    /** The violations of {@code app} (with its defaults filled in); empty when it is valid. */
    static List<Violation> validate(AppDefinition app) {
        Map<String, List<String>> v = new LinkedHashMap<>();
        checkId(app.id(), v);
        boolean hasCmd = app.cmd() != null && !app.cmd().isBlank();
        boolean hasArgs = app.args() != null && !app.args().isEmpty();
        if ((hasCmd && hasArgs) || (!hasCmd && !hasArgs && app.container() == null)) {
            add(v, "/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.");
        }
        if (app.instances() < 0) {
            add(v, "/instances", "got " + app.instances() + ", expected 0 or more");
        }
        nonNegative(v, "/cpus", app.cpus());
        nonNegative(v, "/mem", app.mem());
        nonNegative(v, "/disk", app.disk());
        nonNegative(v, "/gpus", app.gpus());
        if (app.gpus() > 0) {
            add(v, "/gpus", "GPU resources are not offered to this adapter");
        }
        for (int i = 0; i < app.constraints().size(); i++) {
            String error = constraintError(app.constraints().get(i));
            if (error != null) {
                add(v, "/constraints(" + i + ")", error);
            }
        }
        if (app.container() != null) {
            String type = app.container().type() == null ? "MESOS" : app.container().type();
            if (!type.equals("DOCKER") && !type.equals("MESOS")) {
                add(v, "/container/type", "must be one of DOCKER, MESOS");
            } else if (type.equals("DOCKER") && (app.container().docker() == null
                    || app.container().docker().image() == null || app.container().docker().image().isBlank())) {
                add(v, "/container/docker/image", "must not be empty");
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < app.portDefinitions().size(); i++) {
            AppDefinition.PortDefinition p = app.portDefinitions().get(i);
            if (p.port() < 0 || p.port() > 65535) {
                add(v, "/portDefinitions(" + i + ")/port", "got " + p.port() + ", expected between 0 and 65535");
            }
            if (p.name() != null && !names.add(p.name())) {
                add(v, "/portDefinitions", "Port names must be unique.");
            }
            if (!Set.of("tcp", "udp", "udp,tcp").contains(p.protocol())) {
                add(v, "/portDefinitions(" + i + ")/protocol", "is not one of (tcp,udp,udp,tcp)");
            }
        }
        if (app.requirePorts() && app.portDefinitions().stream().anyMatch(p -> p.port() == 0)) {
            add(v, "/requirePorts", "ports must be set (not 0) when requirePorts is true");
        }
        for (int i = 0; i < app.healthChecks().size(); i++) {
            healthCheck(v, "/healthChecks(" + i + ")", app.healthChecks().get(i), app.portDefinitions().size());
        }
        if (app.backoffSeconds() < 0) {
            add(v, "/backoffSeconds", "got " + app.backoffSeconds() + ", expected 0 or more");
        }
        if (app.backoffFactor() < 1) {
            add(v, "/backoffFactor", "got " + app.backoffFactor() + ", expected 1.0 or more");
        }
        if (app.maxLaunchDelaySeconds() < 0) {
            add(v, "/maxLaunchDelaySeconds", "got " + app.maxLaunchDelaySeconds() + ", expected 0 or more");
        }
        AppDefinition.UpgradeStrategy us = app.upgradeStrategy();
        if (us.minimumHealthCapacity() < 0 || us.minimumHealthCapacity() > 1) {
            add(v, "/upgradeStrategy/minimumHealthCapacity", "is greater than 1 or less than 0");
        }
        if (us.maximumOverCapacity() < 0 || us.maximumOverCapacity() > 1) {
            add(v, "/upgradeStrategy/maximumOverCapacity", "is greater than 1 or less than 0");
        }
        if (us.minimumHealthCapacity() == 1.0 && us.maximumOverCapacity() == 0.0) {
            add(v, "/upgradeStrategy", "minimumHealthCapacity 1 with maximumOverCapacity 0 leaves no room to"
                    + " replace an instance");
        }
        if (!Set.of("YOUNGEST_FIRST", "OLDEST_FIRST").contains(app.killSelection())) {
            add(v, "/killSelection", "must be one of YOUNGEST_FIRST, OLDEST_FIRST");
        }
        AppDefinition.UnreachableStrategy un = app.unreachableStrategy();
        if (un.inactiveAfterSeconds() < 0) {
            add(v, "/unreachableStrategy/inactiveAfterSeconds", "got " + un.inactiveAfterSeconds()
                    + ", expected 0 or more");
        }
        if (un.expungeAfterSeconds() < un.inactiveAfterSeconds()) {
            add(v, "/unreachableStrategy/expungeAfterSeconds", "got " + un.expungeAfterSeconds()
                    + ", expected " + un.inactiveAfterSeconds() + " or more (inactiveAfterSeconds)");
        }
        if (app.acceptedResourceRoles().isEmpty()) {
            add(v, "/acceptedResourceRoles", "must not be empty");
        }
        List<Violation> out = new ArrayList<>();
        v.forEach((path, errors) -> out.add(new Violation(path, errors)));
        return out;
    }

    static void checkId(String id, Map<String, List<String>> v) {
        if (id == null || id.equals("/")) {
            add(v, "/id", "is empty");
            return;
        }
        for (String segment : id.substring(1).split("/")) {
            if (!SEGMENT.matcher(segment).matches()) {
                add(v, "/id", "must fully match regular expression '" + SEGMENT.pattern() + "'");
                return;
            }
        }
    }

    /** Why a constraint is invalid, or null. */
    static String constraintError(List<String> c) {
        if (c == null || c.size() < 2 || c.size() > 3 || c.get(0) == null || c.get(1) == null) {
            return "Each constraint must have either 2 or 3 fields";
        }
        String op = c.get(1);
        String value = c.size() == 3 ? c.get(2) : null;
        if (!OPERATORS.contains(op)) {
            return "Constraint operator must be one of the following: " + OPERATORS;
        }
        switch (op) {
            case "UNIQUE" -> {
                return value == null ? null : "Value specified but not used";
            }
            case "CLUSTER", "IS" -> {
                return value == null || value.isEmpty() ? "Missing value" : null;
            }
            case "LIKE", "UNLIKE" -> {
                if (value == null) {
                    return "A regular expression value must be provided";
                }
                try {
                    Pattern.compile(value);
                    return null;
                } catch (PatternSyntaxException e) {
                    return "'" + value + "' is not a valid regular expression";
                }
            }
            case "GROUP_BY" -> {
                return value == null || value.matches("\\d+") ? null : "Value was specified but is not a number";
            }
            case "MAX_PER" -> {
                return value != null && value.matches("\\d+") ? null : "Value was specified but is not a number";
            }
            default -> {
                return null;
            }
        }
    }

    private static void healthCheck(Map<String, List<String>> v, String at, AppDefinition.HealthCheck h, int ports) {
        if (!HEALTH_PROTOCOLS.contains(h.protocol())) {
            add(v, at + "/protocol", "must be one of " + HEALTH_PROTOCOLS.stream().sorted().toList());
            return;
        }
        if (h.protocol().equals("COMMAND")) {
            if (h.command() == null || h.command().value() == null || h.command().value().isBlank()) {
                add(v, at + "/command", "A command health check needs a command");
            }
        } else if (h.port() == null && (h.portIndex() < 0 || h.portIndex() >= ports)) {
            add(v, at + "/portIndex", "Health check port indices must address an element of the ports array"
                    + " or container port mappings.");
        }
        if (h.intervalSeconds() <= 0) {
            add(v, at + "/intervalSeconds", "got " + h.intervalSeconds() + ", expected more than 0");
        }
        if (h.timeoutSeconds() <= 0) {
            add(v, at + "/timeoutSeconds", "got " + h.timeoutSeconds() + ", expected more than 0");
        }
        if (h.maxConsecutiveFailures() < 0 || h.gracePeriodSeconds() < 0 || h.delaySeconds() < 0) {
            add(v, at, "gracePeriodSeconds, delaySeconds and maxConsecutiveFailures must be 0 or more");
        }
    }

    private static void nonNegative(Map<String, List<String>> v, String path, double value) {
        if (value < 0 || Double.isNaN(value)) {
            add(v, path, "got " + value + ", expected 0.0 or more");
        }
    }

    private static void add(Map<String, List<String>> v, String path, String error) {
        v.computeIfAbsent(path, k -> new ArrayList<>()).add(error);
    }
}
