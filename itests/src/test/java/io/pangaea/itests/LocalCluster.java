package io.pangaea.itests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A master and an agent from the built distributions, each a separate JVM in its own copy of the distribution,
 * on free ports. {@link #close()} ends both by their PIDs and checks no task process is left.
 */
public final class LocalCluster implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    public final int masterPort = freePort();
    /** Every master's port, the first being {@link #masterPort}; several when they elect a leader. */
    public final List<Integer> masterPorts = new ArrayList<>();
    public final int agentPort = freePort();
    public final int agentSshPort = freePort();
    /** Every master's Karaf ssh port, in the order of {@link #masterPorts}. */
    public final List<Integer> masterSshPorts = new ArrayList<>();
    /** Every agent's port, the first being {@link #agentPort}. */
    public final List<Integer> agentPorts = new ArrayList<>();
    private final int agents;
    private final Path root;
    private final List<Process> processes = new ArrayList<>();
    /** The daemons' homes, masters first then the agent, in the order of {@link #processes}. */
    private final List<Path> homes = new ArrayList<>();

    public LocalCluster(String agentResources) throws Exception {
        this(agentResources, Map.of());
    }

    /**
     * With extra agent settings: {@code key} for {@code etc/io.pangaea.agent.cfg} (e.g. {@code isolation}), or
     * {@code file.cfg:key} for another file of the agent's {@code etc/}, or {@code featuresBoot+} to boot one more
     * feature.
     */
    public LocalCluster(String agentResources, Map<String, String> agentSettings) throws Exception {
        this(agentResources, agentSettings, 1, null);
    }

    /**
     * With {@code masters} masters that elect a leader through the ZooKeeper at {@code zk} (a {@code zk://} URL);
     * the agent is given them all and follows the leader.
     */
    public LocalCluster(String agentResources, Map<String, String> agentSettings, int masters, String zk)
            throws Exception {
        this(agentResources, agentSettings, Map.of(), masters, zk);
    }

    /** With settings for every master's {@code etc/io.pangaea.master.cfg} too. */
    public LocalCluster(String agentResources, Map<String, String> agentSettings, Map<String, String> masterSettings,
                        int masters, String zk) throws Exception {
        this(agentResources, agentSettings, masterSettings, masters, zk, 1);
    }

    /**
     * With {@code agents} agents, each a distribution of its own ({@code agent}, {@code agent-1}, ...) with the
     * same settings; the first is the one the single-agent methods name.
     */
    public LocalCluster(String agentResources, Map<String, String> agentSettings, Map<String, String> masterSettings,
                        int masters, String zk, int agents) throws Exception {
        this(agentResources, agentSettings, masterSettings, masters, zk, agents, null);
    }

    /**
     * With {@code authorization} (an {@code Authorization} header value) on the cluster's own reads of the master,
     * for a master that asks for credentials.
     */
    public LocalCluster(String agentResources, Map<String, String> agentSettings, Map<String, String> masterSettings,
                        int masters, String zk, int agents, String authorization) throws Exception {
        this(agentResources, agentSettings, masterSettings, masters, zk, agents, authorization, null);
    }

    /**
     * With {@code tls} (a client context trusting the masters' CA) for masters that serve HTTPS only: the cluster's
     * URLs are {@code https://} and its own calls trust that CA.
     */
    public LocalCluster(String agentResources, Map<String, String> agentSettings, Map<String, String> masterSettings,
                        int masters, String zk, int agents, String authorization, javax.net.ssl.SSLContext tls)
            throws Exception {
        this.authorization = authorization;
        this.scheme = tls == null ? "http" : "https";
        this.http = tls == null ? HTTP : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        this.agents = agents;
        Path dist = Path.of(System.getProperty("pangaea.dist", "target/dist"));
        root = Files.createTempDirectory(Path.of("target"), "cluster-").toAbsolutePath();
        List<Path> masterHomes = new ArrayList<>();
        for (int i = 0; i < masters; i++) {
            Path master = copy(single(dist.resolve("master")), root.resolve(i == 0 ? "master" : "master-" + i));
            int port = i == 0 ? masterPort : freePort();
            masterPorts.add(port);
            setting(master, "io.pangaea.master.cfg", "port", Integer.toString(port));
            int ssh = freePort();
            masterSshPorts.add(ssh);
            setting(master, "org.apache.karaf.shell.cfg", "sshPort", Integer.toString(ssh));
            if (zk != null) {
                setting(master, "io.pangaea.master.cfg", "zk", zk);
                setting(master, "io.pangaea.master.cfg", "zk_session_timeout", "4secs");
                // a standby's rehearsal of a takeover (some CPU-seconds at its start) only where a test asks for
                // it: these clusters share two cores, and HighAvailabilityTest covers the rehearsal itself
                setting(master, "io.pangaea.master.cfg", "standby_rehearsal_agents", "0");
            }
            for (Map.Entry<String, String> e : masterSettings.entrySet()) {
                setting(master, "io.pangaea.master.cfg", e.getKey(), e.getValue());
            }
            masterHomes.add(master);
        }
        homes.addAll(masterHomes);
        Path agent = null;
        for (int n = 0; n < agents; n++) {
            Path home = copy(single(dist.resolve("agent")), root.resolve(n == 0 ? "agent" : "agent-" + n));
            int port = n == 0 ? agentPort : freePort();
            agentPorts.add(port);
            setting(home, "io.pangaea.agent.cfg", "port", Integer.toString(port));
            setting(home, "io.pangaea.agent.cfg", "master", String.join(",", masterPorts.stream()
                    .map(p -> "127.0.0.1:" + p).toList()));
            // "{agent}" in a setting is the agent's number, from 1: ip 127.0.0.{agent} gives each its own address
            String number = Integer.toString(n + 1);
            setting(home, "io.pangaea.agent.cfg", "resources", agentResources.replace("{agent}", number));
            for (Map.Entry<String, String> e : agentSettings.entrySet()) {
                if (e.getKey().equals("featuresBoot+")) {
                    bootFeature(home, e.getValue());
                    continue;
                }
                int colon = e.getKey().indexOf(':');
                setting(home, colon < 0 ? "io.pangaea.agent.cfg" : e.getKey().substring(0, colon),
                        e.getKey().substring(colon + 1), e.getValue().replace("{agent}", number));
            }
            setting(home, "org.apache.karaf.shell.cfg", "sshPort", Integer.toString(n == 0 ? agentSshPort
                    : freePort()));
            homes.add(home);
            agent = n == 0 ? home : agent;
        }
        // registered, and advertising the isolators it is configured with: their bundles have started, so no
        // attribute change (which rescinds the agent's offers) is still to come from the boot
        List<String> isolation = List.of(agentSettings.getOrDefault("isolation", "posix/cpu,posix/mem").split(","));
        // and the containerizers it is configured with, which it installs itself
        List<String> containerizers = List.of(agentSettings.getOrDefault("containerizers", "native").split(","));
        String firstTry = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            for (Path home : homes) {
                processes.add(start(home));
            }
            try {
                awaitUp(isolation, containerizers);
                if (firstTry != null) {
                    System.out.println("Cluster under " + root + " came up on its second boot; the first did not:\n"
                            + firstTry);
                }
                return;
            } catch (RuntimeException | Error e) {
                // Karaf's first boot very rarely stops while it refreshes pax-logging (the last log line is
                // "Disabling Java Util Logging API support"): the daemons are booted once more from a clean data/
                String tails = "master log:\n" + tail(masterHomes.get(0)) + "\nagent log:\n" + tail(agent)
                        + threadDumps(attempt);
                for (int i = processes.size() - 1; i >= 0; i--) {
                    stop(processes.get(i));
                }
                processes.clear();
                if (attempt == 2) {
                    try {
                        closeRest();
                    } catch (Exception x) {
                        e.addSuppressed(x);
                    }
                    throw new IllegalStateException("The cluster did not come up within 120 s, twice\n" + tails, e);
                }
                firstTry = tails;
                for (Path home : homes) {
                    if (!Files.isDirectory(home.resolve("data"))) {
                        continue; // it did not get as far as making one
                    }
                    try (Stream<Path> walk = Files.walk(home.resolve("data"))) {
                        walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
                    }
                }
            }
        }
    }

    private void awaitUp(List<String> isolation, List<String> containerizers) {
        java.util.concurrent.atomic.AtomicReference<String> hung = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    String stuck = stuckAtPaxLogging();
                    if (stuck != null) {
                        hung.set(stuck);
                        return true; // no use waiting out the 120 s
                    }
                    com.fasterxml.jackson.databind.JsonNode slaves = new com.fasterxml.jackson.databind
                            .ObjectMapper().readTree(get("/master/slaves")).path("slaves");
                    int ready = 0;
                    for (com.fasterxml.jackson.databind.JsonNode a : slaves) {
                        com.fasterxml.jackson.databind.JsonNode attributes = a.path("attributes");
                        if (a.path("active").asBoolean()
                                && List.of(attributes.path("isolators").asText("").split(",")).containsAll(isolation)
                                && List.of(attributes.path("containerizers").asText("").split(","))
                                .containsAll(containerizers)) {
                            ready++;
                        }
                    }
                    return ready == agents;
                });
        if (hung.get() != null) {
            throw new IllegalStateException(hung.get());
        }
    }

    /**
     * The known hang of Karaf's first boot: a daemon whose log stops at pax-logging's "Disabling Java Util Logging
     * API support" for 30 s does not go on; the message names it, else null.
     */
    private String stuckAtPaxLogging() {
        for (Path home : homes) {
            Path log = home.resolve("data/log/karaf.log");
            try {
                if (!Files.exists(log) || System.currentTimeMillis()
                        - Files.getLastModifiedTime(log).toMillis() < 30_000) {
                    continue;
                }
                List<String> lines = Files.readAllLines(log);
                if (!lines.isEmpty() && lines.get(lines.size() - 1).contains("Disabling Java Util Logging API support")) {
                    return home.getFileName() + " stopped at \"Disabling Java Util Logging API support\" 30 s ago";
                }
            } catch (IOException e) {
                // looked at again on the next poll
            }
        }
        return null;
    }

    /**
     * For a boot that hung: each daemon's threads are saved under {@code target/boot-hangs/}, and the stacks of the
     * threads that start bundles (Karaf's {@code features-*} and Felix's {@code FelixStartLevel}) are returned, to
     * trace where it stopped.
     */
    private String threadDumps(int attempt) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            out.append(threads(i, "boot" + attempt, List.of("\"features-", "\"FelixStartLevel")));
        }
        return out.toString();
    }

    /**
     * What the first agent was doing, for a test that waited in vain on it: its log's errors and last lines, and the
     * stacks of its threads named with one of {@code threadPrefixes} (all threads are saved under
     * {@code target/boot-hangs/}).
     */
    public String agentDiagnostics(String... threadPrefixes) {
        return "agent log:\n" + tail(agentHome()) + threads(agentProcess(0), "stuck",
                Stream.of(threadPrefixes).map(p -> "\"" + p).toList());
    }

    /** The stacks of the {@code i}th daemon's threads whose names start with one of {@code prefixes}. */
    private String threads(int i, String tag, List<String> prefixes) {
        StringBuilder out = new StringBuilder();
        for (ProcessHandle jvm : processes.get(i).descendants()
                .filter(h -> h.info().command().orElse("").endsWith("java")).toList()) {
            try {
                Path file = Path.of("target/boot-hangs").toAbsolutePath().resolve(
                        root.getFileName() + "-" + tag + "-" + homes.get(i).getFileName() + ".txt");
                Files.createDirectories(file.getParent());
                Process jcmd = new ProcessBuilder("jcmd", Long.toString(jvm.pid()), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(file.toFile()).start();
                if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
                    jcmd.destroyForcibly();
                }
                out.append("\nthreads of ").append(homes.get(i).getFileName()).append(" (all in ").append(file)
                        .append("):\n");
                for (String block : Files.readString(file).split("\n\n")) {
                    if (prefixes.stream().anyMatch(block::startsWith)) {
                        out.append(block).append("\n");
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                out.append("\n(no thread dump of ").append(homes.get(i).getFileName()).append(": ").append(e)
                        .append(")");
            }
        }
        return out.toString();
    }

    /**
     * Makes a cluster whose daemons get {@code javaOpts} after the usual ones ({@code pangaea.cluster.javaOpts} for
     * the duration of {@code make}), e.g. the heap a big cluster's master needs.
     */
    public static LocalCluster withJavaOpts(String javaOpts, java.util.concurrent.Callable<LocalCluster> make)
            throws Exception {
        String before = System.getProperty("pangaea.cluster.javaOpts");
        System.setProperty("pangaea.cluster.javaOpts", javaOpts + (before == null ? "" : " " + before));
        try {
            return make.call();
        } finally {
            if (before == null) {
                System.clearProperty("pangaea.cluster.javaOpts");
            } else {
                System.setProperty("pangaea.cluster.javaOpts", before);
            }
        }
    }

    /** The last lines of a daemon's log, to say why it did not come up. */
    private static String tail(Path home) {
        try {
            List<String> lines = Files.readAllLines(home.resolve("data/log/karaf.log"));
            // the errors first (a component that failed to activate says why there), then the last lines
            List<String> errors = lines.stream().filter(l -> l.contains("| ERROR |") || l.contains("| WARN  |"))
                    .toList();
            return "errors and warnings (last 10 of " + errors.size() + "):\n"
                    + String.join("\n", errors.subList(Math.max(0, errors.size() - 10), errors.size()))
                    + "\nlast lines:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15),
                    lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** {@code https} when the masters serve TLS. */
    private final String scheme;
    /** The client of the cluster's own calls: it trusts the masters' CA when they serve TLS. */
    private final HttpClient http;

    public String masterUrl() {
        return scheme + "://127.0.0.1:" + masterPort;
    }

    public Path agentWorkDir() {
        return root.resolve("agent/data/pangaea-agent");
    }

    /** CPU time used so far by the master's and the agent's JVMs, in seconds: {master, agent}. */
    public double[] cpuSeconds() {
        double[] out = new double[2];
        for (int i = 0; i < 2; i++) {
            out[i] = processes.get(i).descendants().filter(h -> h.info().command().orElse("").endsWith("java"))
                    .mapToDouble(h -> h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)).sum();
        }
        return out;
    }

    /** The sandbox of {@code taskId}'s (first) run, on whichever agent ran it. */
    public Path sandbox(String taskId) throws IOException {
        // sandboxes are under work_dir/slaves; the agent's runtime directories (work_dir/containers) come and go
        for (int n = 0; n < agents; n++) {
            Path slaves = root.resolve(n == 0 ? "agent" : "agent-" + n).resolve("data/pangaea-agent/slaves");
            if (!Files.isDirectory(slaves)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(slaves)) {
                java.util.Optional<Path> runs = s.filter(p -> p.getFileName().toString().equals("runs")
                        && p.getParent().getFileName().toString().equals(taskId)).findFirst();
                if (runs.isPresent()) {
                    return runs.get().toFile().listFiles()[0].toPath();
                }
            }
        }
        throw new AssertionError("no sandbox for " + taskId);
    }

    /** Removes a test's cgroup root under each v1 controller; fails if a container's cgroup is still in it. */
    public static void removeCgroupRoot(String root) throws IOException {
        for (String controller : List.of("cpu", "cpuacct", "memory", "pids", "freezer")) {
            Path dir = Path.of("/sys/fs/cgroup", controller, root);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> children = Files.list(dir)) {
                    if (children.anyMatch(Files::isDirectory)) {
                        throw new AssertionError("container cgroups left in " + dir);
                    }
                }
                Files.delete(dir);
            }
        }
    }

    /**
     * Runs a Karaf shell command in the agent through {@code bin/client} (the quick-start user) and returns what it
     * printed; fails if the client does not exit 0 or the command printed an error.
     */
    public String agentShell(String command) throws Exception {
        return shell(root.resolve("agent"), agentSshPort, command);
    }

    /** The same in the (first) master's shell. */
    public String masterShell(String command) throws Exception {
        return masterShell(0, command);
    }

    /** The same in the {@code i}th master's shell. */
    public String masterShell(int i, String command) throws Exception {
        return shell(masterHome(i), masterSshPorts.get(i), command);
    }

    /** Stand-alone adapters distributions started by {@link #startAdapters}, stopped by {@link #close}. */
    private final List<Process> adapters = new ArrayList<>();

    /**
     * Starts a stand-alone adapters distribution ({@code karaf-assembly/adapters}: a Karaf of its own running the
     * services adapter) under {@code name}, with {@code services} in its {@code io.pangaea.framework.services.cfg};
     * its home.
     */
    public Path startAdapters(String name, Map<String, String> services) throws IOException {
        Path dist = Path.of(System.getProperty("pangaea.dist", "target/dist"));
        Path home = copy(single(dist.resolve("adapters")), root.resolve(name));
        setting(home, "org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort()));
        for (Map.Entry<String, String> e : services.entrySet()) {
            setting(home, "io.pangaea.framework.services.cfg", e.getKey(), e.getValue());
        }
        adapters.add(start(home));
        return home;
    }

    /** The {@code i}th master's home. */
    public Path masterHome(int i) {
        return root.resolve(i == 0 ? "master" : "master-" + i);
    }

    /**
     * {@code command} in the (first) master's shell as {@code user} (a user of its {@code etc/users.properties}): what
     * it printed, whether it worked or not.
     */
    public String masterShellAs(String user, String password, String command) throws Exception {
        return client(root.resolve("master"), masterSshPorts.get(0), user, password, command).output;
    }

    /** What {@code bin/client} printed, and how it exited. */
    private record ClientRun(String output, int exit) {
    }

    private static ClientRun client(Path home, int sshPort, String user, String password, String command)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/client").toString(), "-a",
                Integer.toString(sshPort), "-u", user, "-p", password, "-r", "30", "-d", "1", "-b")
                .directory(home.toFile()).redirectErrorStream(true);
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write((command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/client did not finish: " + command);
        }
        return new ClientRun(out, p.exitValue());
    }

    /** Adds a line to a file of the (first) master's {@code etc/} before it starts, as {@code users.properties}. */
    public static void appendTo(Path home, String file, String line) throws IOException {
        Files.writeString(home.resolve("etc").resolve(file), System.lineSeparator() + line + System.lineSeparator(),
                java.nio.file.StandardOpenOption.APPEND);
    }

    private static String shell(Path home, int sshPort, String command) throws Exception {
        ClientRun run = client(home, sshPort, "karaf", "karaf", command);
        if (run.exit != 0 || run.output.contains("Error executing command")) {
            throw new IllegalStateException("'" + command + "' failed (" + run.exit + "): " + run.output);
        }
        return run.output;
    }

    public Path agentHome() {
        return root.resolve("agent");
    }

    public Path masterHome() {
        return root.resolve("master");
    }

    public String get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(masterUrl() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The credentials of the cluster's own reads of the master, or null. */
    private final String authorization;

    private static Path single(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    /** Adds {@code feature} to the distribution's boot features (as if feature:install'ed before the start). */
    private static void bootFeature(Path home, String feature) throws IOException {
        Path f = home.resolve("etc/org.apache.karaf.features.cfg");
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            out.add(line);
            if (line.matches("\\s*featuresBoot\\s*=\\s*\\\\\\s*")) {
                out.add("    " + feature + ", \\");
            }
        }
        Files.write(f, out);
    }

    private static void setting(Path home, String file, String key, String value) throws IOException {
        Path f = home.resolve("etc").resolve(file);
        List<String> out = new ArrayList<>();
        boolean done = false;
        for (String line : Files.readAllLines(f)) {
            if (line.matches("\\s*" + key + "\\s*=.*")) {
                out.add(key + " = " + value);
                done = true;
            } else {
                out.add(line);
            }
        }
        if (!done) {
            out.add(key + " = " + value);
        }
        Files.write(f, out);
    }

    private Process start(Path home) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.log").toFile());
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        // pangaea.cluster.javaOpts: extra JVM options for both daemons, e.g. a flight recording while benchmarking
        String extra = System.getProperty("pangaea.cluster.javaOpts", "").replace("{name}",
                home.getFileName().toString());
        pb.environment().put("EXTRA_JAVA_OPTS", ("-Xmx512m " + extra).trim());
        return pb.start();
    }

    /**
     * A port free now, below the kernel's ephemeral range (32768 and up here): a port from that range can be taken by
     * any outgoing connection between this choice and the daemon's bind, which made a Karaf master fail to listen.
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress(port));
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IllegalStateException("no free port between 20000 and 32000");
    }

    /** The agent's JVM (the Java child of its {@code bin/karaf}), to signal it as a fault would. */
    public ProcessHandle agentJvm() {
        return agentJvm(0);
    }

    /** The {@code n}th agent's JVM. */
    public ProcessHandle agentJvm(int n) {
        return processes.get(agentProcess(n)).descendants()
                .filter(h -> h.info().command().orElse("").endsWith("java")).findFirst().orElseThrow();
    }

    /** The {@code i}th master's JVM. */
    public ProcessHandle masterJvm(int i) {
        return processes.get(i).descendants()
                .filter(h -> h.info().command().orElse("").endsWith("java")).findFirst().orElseThrow();
    }

    /** Where the {@code n}th agent is in {@link #processes} and {@link #homes}: after the masters. */
    private int agentProcess(int n) {
        return processes.size() - agents + n;
    }

    /** Sends {@code signal} (e.g. {@code STOP}, {@code CONT}) to one process, by its pid. */
    public static void signal(ProcessHandle p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
        }
    }

    /** Kills the {@code i}th master's JVM with SIGKILL, as a crash does, and waits until it is gone. */
    public void killMaster(int i) throws Exception {
        ProcessHandle jvm = masterJvm(i);
        signal(jvm, "KILL");
        jvm.onExit().get(30, TimeUnit.SECONDS);
        if (!processes.get(i).waitFor(30, TimeUnit.SECONDS)) {
            stop(processes.get(i));
        }
    }

    private static final HttpClient NO_REDIRECTS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** The index of the master that leads (its /master/redirect points at itself), or -1 while none does. */
    public int leader() {
        for (int i = 0; i < masterPorts.size(); i++) {
            int port = masterPorts.get(i);
            try {
                HttpResponse<Void> r = NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/master/redirect")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 307 && r.headers().firstValue("Location").orElse("").endsWith(":" + port)) {
                    return i;
                }
            } catch (IOException | InterruptedException stopped) {
                // a master that is down does not lead
            }
        }
        return -1;
    }

    /** Stops the {@code i}th master (SIGTERM, then SIGKILL), as a machine that goes away. */
    public void stopMaster(int i) throws Exception {
        stop(processes.get(i));
    }

    /**
     * Restarts the {@code i}th master on its home (its registry kept), as after a crash, and waits until it answers
     * /health again. Its state is soft: agents and frameworks subscribe again.
     */
    public void restartMaster(int i) throws Exception {
        stop(processes.get(i));
        processes.set(i, start(homes.get(i)));
        int port = masterPorts.get(i);
        await("master " + i + " back").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    /** Kills the agent's JVM with SIGKILL, as a crash does: no shutdown code runs. */
    public void killAgent() throws Exception {
        killAgent(0);
    }

    /** Kills the {@code n}th agent's JVM with SIGKILL. */
    public void killAgent(int n) throws Exception {
        ProcessHandle jvm = agentJvm(n);
        signal(jvm, "KILL");
        jvm.onExit().get(30, TimeUnit.SECONDS);
        Process karaf = processes.get(agentProcess(n));
        if (!karaf.waitFor(30, TimeUnit.SECONDS)) {
            stop(karaf);
        }
    }

    /**
     * Starts the agent's distribution again on its home (work_dir and all), after {@link #killAgent}, and waits until
     * the master has it active again.
     */
    public void startAgent() throws Exception {
        startAgent(0);
        await("agent back").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> get("/master/slaves").contains("\"active\":true"));
    }

    /** Starts the {@code n}th agent's distribution again and waits until it answers /health. */
    public void startAgent(int n) throws Exception {
        processes.set(agentProcess(n), start(homes.get(agentProcess(n))));
        int port = agentPorts.get(n);
        await("agent " + n + " back").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + port + "/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    /**
     * Stops agent then masters by PID (SIGTERM, then SIGKILL), with every process they started. The agent is first
     * told to shut down (SIGUSR1: it kills every task, checkpointed or not), since tasks that outlive it are no
     * longer its JVM's children.
     */
    @Override
    public void close() throws Exception {
        for (Process p : adapters) {
            stop(p);
        }
        shutDownAgent();
        for (int i = processes.size() - 1; i >= 0; i--) {
            stop(processes.get(i));
        }
        closeRest();
    }

    private void shutDownAgent() {
        for (int n = 0; n < agents && !processes.isEmpty(); n++) {
            try {
                if (!processes.get(agentProcess(n)).isAlive()) {
                    // killed and not started again (a test that failed half-way): only the agent can end the tasks
                    // that outlived it, so it is started to be shut down
                    startAgent(n);
                }
                ProcessHandle jvm = agentJvm(n);
                signal(jvm, "CONT"); // a stopped one first runs again
                signal(jvm, "USR1");
                jvm.onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.out.println("Agent " + n + " did not shut down on SIGUSR1 (" + e + "); stopping it");
            }
        }
    }

    private static void stop(Process p) throws Exception {
        List<ProcessHandle> tree = p.descendants().toList();
        // SIGTERM to the JVM (a child of bin/karaf) lets it shut down in order; SIGKILL what is left.
        tree.forEach(ProcessHandle::destroy);
        p.destroy();
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
            }
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
    }

    /** Removes the cluster's directory, unless -Dpangaea.cluster.keep=true or PANGAEA_CLUSTER_KEEP is set. */
    private void closeRest() throws Exception {
        if (Boolean.getBoolean("pangaea.cluster.keep") || System.getenv("PANGAEA_CLUSTER_KEEP") != null) {
            System.out.println("Cluster kept for inspection in " + root);
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
