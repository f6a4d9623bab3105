package io.pangaea.itests;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.benchmarks.emulator.LoadFramework;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.Test;

/**
 * The scale benchmarks of BENCHMARKS.md ("Scale"): master distributions (with the heap a big cluster needs), the
 * agent emulator in a JVM of its own, and load frameworks in this JVM. Each prints {@code BENCHMARK scale ...}
 * lines with the wall time and the master's CPU seconds. Which ones run and their sizes: {@code -Dscale.scenarios=
 * idle,failover,state,throughput,cluster,fullcluster,webui}, {@code -Dscale.idle=50000},
 * {@code -Dscale.failover=10000,20000,40000}, {@code -Dscale.state=20000}, {@code -Dscale.webui=5000},
 * {@code -Dscale.throughput=5000}, {@code -Dscale.cluster=50000}, {@code -Dscale.fullcluster=50000};
 * {@code -Dscale.completed=0,100}: the failover's completed tasks per agent; {@code -Dscale.maxStarting=N} and
 * {@code -Dscale.perOffer=N}: the throughput and cluster frameworks' load; {@code -Dscale.masterSettings=k=v,...}:
 * master settings to try. Run with {@code benchmarks/scale.sh}.
 */
public class ScaleBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** The heap and collector a big cluster's master is given (README: "A big cluster"). */
    private static final String MASTER_OPTS = System.getProperty("scale.masterOpts",
            "-Xmx8g -XX:-UseSerialGC -XX:+UseG1GC");

    private static List<String> scenarios() {
        return List.of(System.getProperty("scale.scenarios", "idle,failover,state,throughput,cluster,fullcluster,webui")
                .split(","));
    }

    private static int[] sizes(String key, String def) {
        return Arrays.stream(System.getProperty(key, def).split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** Extra master settings for a try ({@code -Dscale.masterSettings=agent_ping_timeout=30secs,...}). */
    private static Map<String, String> masterSettings() {
        Map<String, String> m = new java.util.HashMap<>();
        for (String kv : System.getProperty("scale.masterSettings", "").split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    /** Tasks a load framework launches on one offer, at most. */
    private static final int PER_OFFER = Integer.getInteger("scale.perOffer", 20);

    private static void print(String line) {
        System.out.println("BENCHMARK scale " + line);
    }

    /** A cluster of {@code masters} masters (ZooKeeper when more than one), no agent distributions. */
    private static LocalCluster cluster(int masters, String zk, Map<String, String> settings) throws Exception {
        return LocalCluster.withJavaOpts(MASTER_OPTS, () -> new LocalCluster("cpus:1", Map.of(), settings, masters, zk,
                0));
    }

    private static String url(LocalCluster c, int i) {
        return "http://127.0.0.1:" + c.masterPorts.get(i);
    }

    /** A counter summed over the frameworks ({@code master/frameworks/<name>/<id>/<suffix>}). */
    private static double frameworksSum(JsonNode metrics, String suffix) {
        double sum = 0;
        for (var it = metrics.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().startsWith("master/frameworks/") && e.getKey().endsWith(suffix)) {
                sum += e.getValue().asDouble();
            }
        }
        return sum;
    }

    private static JsonNode metrics(LocalCluster c, int i) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url(c, i) + "/metrics/snapshot"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
    }

    private static double cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(-1.0);
    }

    /** The JVM's time in collections so far, in ms ({@code jstat}'s GCT), or -1 when jstat cannot tell. */
    private static double gcMillis(ProcessHandle p) {
        try {
            Process jstat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstat").toString(),
                    "-gcutil", Long.toString(p.pid())).redirectErrorStream(true).start();
            List<String> lines = new String(jstat.getInputStream().readAllBytes()).lines().toList();
            jstat.waitFor();
            List<String> head = Arrays.asList(lines.get(0).trim().split("\\s+"));
            String[] values = lines.get(1).trim().split("\\s+");
            return Double.parseDouble(values[head.indexOf("GCT")]) * 1000;
        } catch (Exception e) {
            return -1;
        }
    }

    /** This JVM's time in collections so far, in ms. */
    private static double ownGcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long rssMb(ProcessHandle p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /** The heap in use after a full collection (jcmd GC.run, then GC.heap_info's used figure), in MB. */
    private static String heapAfterGc(ProcessHandle p) throws Exception {
        new ProcessBuilder("jcmd", Long.toString(p.pid()), "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder("jcmd", Long.toString(p.pid()), "GC.heap_info").redirectErrorStream(true)
                .start();
        String out = new String(info.getInputStream().readAllBytes());
        info.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
        return m.find() ? (Long.parseLong(m.group(1)) / 1024) + " MB" : "?";
    }

    /**
     * With {@code -Dscale.jfr=DIR} (and the masters started with a flight recording, through
     * {@code -Dpangaea.cluster.javaOpts=-XX:StartFlightRecording}), the master's recording is saved there now.
     */
    private static void dumpRecording(ProcessHandle p, String what) throws Exception {
        String dir = System.getProperty("scale.jfr");
        if (dir != null) {
            new ProcessBuilder("jcmd", Long.toString(p.pid()), "JFR.dump", "filename=" + dir + "/" + what + ".jfr")
                    .redirectErrorStream(true).start().waitFor();
        }
    }

    // ---- master failover -------------------------------------------------------------------------------------

    @Test
    public void failover() throws Exception {
        if (!scenarios().contains("failover")) {
            return;
        }
        for (int completed : sizes("scale.completed", "0,100")) {
            for (int agents : sizes("scale.failover", "10000,20000,40000")) {
                failover(agents, completed);
            }
        }
    }

    private void failover(int agents, int completed) throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            String url = "zk://" + zk.getConnectString() + "/pangaea";
            // the standby rehearses a takeover as the distribution's default says (the test clusters turn it off)
            Map<String, String> settings = new java.util.HashMap<>(Map.of("zk_session_timeout", "4secs",
                    "agent_reregister_timeout", "10mins", "standby_rehearsal_agents", "6000"));
            settings.putAll(masterSettings());
            LocalCluster c = cluster(2, url, settings);
            try (EmulatorProcess emulator = new EmulatorProcess(System.getProperty("scale.emulatorHeap", "6g"),
                    "--agents", Integer.toString(agents),
                    "--masters", url, "--preload", "10," + completed + ",10,200",
                    "--name", "fo")) {
                long tasks = agents * 10L;
                await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                        .until(() -> {
                            int l = c.leader();
                            return l >= 0 && metrics(c, l).path("master/tasks_running").asLong() == tasks
                                    && metrics(c, l).path("master/slaves_connected").asLong() == agents;
                        });
                int leader = c.leader();
                int next = 1 - leader;
                // a standby that has been up a while has ended its rehearsal of a takeover (standby_rehearsal_agents)
                long[] rehearsed = {-1};
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                        .until(() -> {
                            long now = metrics(c, next).path("master/pangaea/standby_rehearsal_agents").asLong();
                            boolean still = now == rehearsed[0];
                            rehearsed[0] = now;
                            return still;
                        });
                double cpu0 = cpu(c.masterJvm(next));
                long killed = System.nanoTime();
                c.killMaster(leader);
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> c.leader() == next);
                long elected = System.nanoTime();
                await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> {
                            JsonNode m = metrics(c, next);
                            return m.path("master/slaves_connected").asLong() == agents
                                    && m.path("master/tasks_running").asLong() == tasks;
                        });
                long back = System.nanoTime();
                dumpRecording(c.masterJvm(next), "failover-" + agents + "-" + completed);
                print(String.format("failover agents=%d running_tasks=%d completed_per_agent=%d election_s=%.2f"
                                + " reregistered_after_election_s=%.2f new_leader_cpu_s=%.1f new_leader_rss_mb=%d"
                                + " new_leader_heap_after_gc=%s standby_rehearsal_agents=%d", agents, tasks, completed,
                        (elected - killed) / 1e9, (back - elected) / 1e9, cpu(c.masterJvm(next)) - cpu0,
                        rssMb(c.masterJvm(next)), heapAfterGc(c.masterJvm(next)), rehearsed[0]));
            } finally {
                c.close();
            }
        }
    }

    // ---- the Web UI with thousands of agents --------------------------------------------------------------

    /**
     * The Web UI of a master with {@code scale.webui} (5,000) emulated agents and 4 running tasks on each, in
     * headless chromium: from a fresh load of the overview until it shows every agent, and of the Agents page until
     * its first page of rows is there; then the render of each page from the page's model. The page's own clock
     * ({@code performance.now()}, from the navigation's start) times them; the figure is the median of 5 loads.
     */
    @Test
    public void webui() throws Exception {
        if (!scenarios().contains("webui")) {
            return;
        }
        int agents = sizes("scale.webui", "5000")[0];
        LocalCluster c = cluster(1, null, Map.of());
        try (EmulatorProcess emulator = new EmulatorProcess("2g", "--agents", Integer.toString(agents), "--masters",
                url(c, 0), "--preload", "4,0,2,20", "--name", "ui");
             HeadlessChromium chromium = new HeadlessChromium()) {
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> metrics(c, 0).path("master/tasks_running").asLong() == agents * 4L);
            print("webui set-up agents=" + agents + " running_tasks=" + agents * 4);
            String shown = "const v = document.querySelector('#agents-active .value');"
                    + " return v && v.textContent === '" + agents + "' ? performance.now() : null;";
            // a first page of rows, and the pager counting every agent
            String rows = "const n = document.querySelector('.toolbar .note');"
                    + " return document.querySelectorAll('#agents tbody tr').length === Math.min(500, " + agents
                    + ") && (" + agents + " <= 500 || (n && n.textContent.startsWith('" + agents + " agents')))"
                    + " ? performance.now() : null;";
            for (String[] page : new String[][] {{"overview", "/#/", shown}, {"agents", "/#/agents", rows}}) {
                List<Double> loads = new ArrayList<>();
                List<Double> firstState = new ArrayList<>();
                Map<String, List<Double>> steps = new java.util.LinkedHashMap<>();
                double cpu0 = 0;
                for (int i = 0; i < 6; i++) {
                    if (i == 1) {
                        cpu0 = cpu(c.masterJvm(0)); // the master's CPU over the timed loads
                    }
                    chromium.driver.get("about:blank");
                    chromium.driver.get(url(c, 0) + page[1]);
                    Number at = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(10))
                            .pollDelay(Duration.ZERO).until(() -> (Number) chromium.driver.executeScript(page[2]),
                                    x -> x != null);
                    if (i > 0) { // the first load warms the browser's cache and the master's JIT
                        loads.add(at.doubleValue());
                        firstState.add(((Number) chromium.driver.executeScript(
                                "return window.pangaeaFirstState;")).doubleValue());
                        @SuppressWarnings("unchecked")
                        Map<String, Number> t = (Map<String, Number>) chromium.driver.executeScript(
                                "return window.pangaeaStateTimings;");
                        t.forEach((k, v) -> steps.computeIfAbsent(k, x -> new ArrayList<>()).add(v.doubleValue()));
                    }
                }
                double masterCpuPerLoad = (cpu(c.masterJvm(0)) - cpu0) / loads.size();
                loads.sort(null);
                firstState.sort(null);
                @SuppressWarnings("unchecked")
                Map<String, Number> render = (Map<String, Number>) chromium.driver.executeScript(
                        "const t0 = performance.now(); render(); void document.body.offsetHeight;"
                                + " return {ms: performance.now() - t0};");
                print(String.format(java.util.Locale.ROOT, "webui agents=%d page=%s loaded_ms=%.0f (min %.0f, max"
                                + " %.0f) first_state_ms=%.0f render_ms=%.0f master_cpu_s_per_load=%.2f goal_ms=2000",
                        agents, page[0], loads.get(loads.size() / 2), loads.get(0), loads.get(loads.size() - 1),
                        firstState.get(firstState.size() / 2), render.get("ms").doubleValue(), masterCpuPerLoad));
                StringBuilder medians = new StringBuilder();
                steps.forEach((k, v) -> {
                    v.sort(null);
                    medians.append(String.format(java.util.Locale.ROOT, " %s=%.0f", k, v.get(v.size() / 2)));
                });
                print("webui agents=" + agents + " page=" + page[0] + " the first state, medians (ms from the"
                        + " navigation's start; chars of JSON):" + medians);
            }
        } finally {
            c.close();
        }
    }

    // ---- state queries and responsiveness -------------------------------------------------------------------

    @Test
    public void state() throws Exception {
        if (!scenarios().contains("state")) {
            return;
        }
        int agents = sizes("scale.state", "20000")[0];
        LocalCluster c = cluster(1, null, Map.of());
        // 10 running and 10 completed tasks per agent over 200 frameworks: each framework keeps 1,000 completed
        try (EmulatorProcess emulator = new EmulatorProcess("4g", "--agents", Integer.toString(agents), "--masters",
                url(c, 0), "--preload", "10,10,2,200", "--name", "st")) {
            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> metrics(c, 0).path("master/tasks_running").asLong() == agents * 10L);
            ProcessHandle m = c.masterJvm(0);
            print("state set-up agents=" + agents + " running_tasks=" + agents * 10 + " frameworks=200");
            query(c, m, "/master/state", null, null);
            query(c, m, "/api/v1", "{\"type\":\"GET_STATE\"}", "application/json");
            query(c, m, "/api/v1", "{\"type\":\"GET_STATE\"}", "application/x-protobuf");
            responsiveness(c);
            dumpRecording(m, "state-" + agents);
        } finally {
            c.close();
        }
    }

    private void query(LocalCluster c, ProcessHandle master, String path, String body, String accept)
            throws Exception {
        List<Double> times = new ArrayList<>();
        long size = 0;
        double cpu0 = 0;
        double first = 0;
        int runs = 5;
        // the first read encodes every task (off the master's loop) and the next ones reuse that; the JIT compiles
        // the reuse path over a few more: those warm up, and the first is reported on its own
        int warmups = Integer.getInteger("scale.stateWarmups", 3);
        if (warmups == 0) {
            cpu0 = cpu(master);
        }
        for (int i = 0; i < runs + warmups; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(c, 0) + path))
                    .timeout(Duration.ofMinutes(2));
            if (body != null) {
                b.header("Content-Type", "application/json").header("Accept", accept)
                        .POST(HttpRequest.BodyPublishers.ofString(body));
            }
            long t0 = System.nanoTime();
            HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            long n;
            try (InputStream in = r.body()) {
                n = in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + r.statusCode());
            }
            if (i == 0) {
                first = (System.nanoTime() - t0) / 1e9;
            }
            if (i >= warmups) {
                times.add((System.nanoTime() - t0) / 1e9);
            } else if (i == warmups - 1) {
                cpu0 = cpu(master);
            }
            size = n;
        }
        times.sort(null);
        print(String.format("state query=%s accept=%s runs=%d median_s=%.3f max_s=%.3f first_s=%.3f size_mb=%.1f"
                        + " master_cpu_s_per_query=%.2f", path + (body == null ? "" : " GET_STATE"),
                accept == null ? "application/json" : accept, runs, times.get(times.size() / 2),
                times.get(times.size() - 1), first, size / 1e6, (cpu(master) - cpu0) / runs));
    }

    /**
     * {@code /health} latency while four clients poll {@code /master/state} without pause. The four are curl loops,
     * processes of their own: in this JVM, their reading of 160 MB answers made collections here that the probes
     * waited for too.
     */
    private void responsiveness(LocalCluster c) throws Exception {
        List<Process> pollers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // one line per answer read in full
            pollers.add(new ProcessBuilder("bash", "-c", "while true; do curl -s -o /dev/null --max-time 120"
                    + " -w '%{http_code}\\n' " + url(c, 0) + "/master/state; done")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        List<java.util.concurrent.atomic.AtomicLong> served = new ArrayList<>();
        for (Process p : pollers) {
            java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
            served.add(n);
            Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(
                    p.getInputStream())).lines().filter("200"::equals).forEach(l -> n.incrementAndGet()));
            reader.setDaemon(true);
            reader.start();
        }
        List<Double> latencies = new ArrayList<>();
        ProcessHandle master = c.masterJvm(0);
        double masterGc0 = gcMillis(master);
        double ownGc0 = ownGcMillis();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            own.send(HttpRequest.newBuilder(URI.create(url(c, 0) + "/health")).build(),
                    HttpResponse.BodyHandlers.discarding());
            latencies.add((System.nanoTime() - t0) / 1e6);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // 50 probes a second
        }
        // the time the master and this JVM (the prober's) spent collecting in the 30 s: what the slowest probes
        // waited for, mostly
        double masterGc = gcMillis(master) - masterGc0;
        double ownGc = ownGcMillis() - ownGc0;
        long states = served.stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum();
        for (Process p : pollers) { // the loop first, then its curl
            List<ProcessHandle> curl = p.descendants().toList();
            p.destroy();
            curl.forEach(ProcessHandle::destroy);
            p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        latencies.sort(null);
        print(String.format("responsiveness health_probes=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f"
                        + " state_queries_meanwhile=%d gc_ms_in_window master=%.0f client=%.0f", latencies.size(),
                latencies.get(latencies.size() / 2), latencies.get((int) (latencies.size() * 0.99)),
                latencies.get(latencies.size() - 1), states, masterGc, ownGc));
    }

    // ---- task throughput and the big cluster ----------------------------------------------------------------

    @Test
    public void throughput() throws Exception {
        if (!scenarios().contains("throughput")) {
            return;
        }
        load(new Load("throughput", sizes("scale.throughput", "5000")[0], 20));
    }

    @Test
    public void cluster() throws Exception {
        if (!scenarios().contains("cluster")) {
            return;
        }
        load(new Load("cluster", sizes("scale.cluster", "50000")[0], 200));
    }

    /**
     * The big cluster kept full: each agent has room for one task ({@code cpus:1;mem:128}), the 200 frameworks
     * launch on every offer, and tasks last 150 to 450 s (evenly drawn, so that they do not end together). Once
     * the cluster is full, resources come free only as tasks end (167 a second on average at 50,000 agents), and
     * each is offered and taken again at once: offers are used, not declined, and the window measures what each
     * task costs at a load the cluster can carry. The measured minute starts once 80 % of the agents run a task
     * and the frameworks have caught up with their calls (or 3 minutes after).
     */
    @Test
    public void fullCluster() throws Exception {
        if (!scenarios().contains("fullcluster")) {
            return;
        }
        Load l = new Load("fullcluster", sizes("scale.fullcluster", "50000")[0], 200);
        load(new Load(l.name, l.agents, l.frameworks, "cpus:1;mem:128", "cpus:1;mem:128", 1, 100_000,
                System.getProperty("scale.fullclusterTaskMs", "150000-450000"), 0.8));
    }

    /**
     * One load scenario: {@code frameworks} frameworks launch tasks of {@code taskResources} on {@code agents}
     * agents of {@code agentResources}, at most {@code perOffer} per offer and {@code maxStarting} launched and not
     * running yet; tasks last {@code taskMs} ("MIN-MAX": drawn evenly). The measured window starts once
     * {@code fill} of the agents run a task (0: after a fixed warm-up of 20 s).
     */
    private record Load(String name, int agents, int frameworks, String agentResources, String taskResources,
                        int perOffer, int maxStarting, String taskMs, double fill) {
        Load(String name, int agents, int frameworks) {
            this(name, agents, frameworks, "cpus:8;mem:16384;disk:102400", "cpus:0.1;mem:32", PER_OFFER,
                    Integer.getInteger("scale.maxStarting", PER_OFFER * 4), "1000", 0);
        }
    }

    /** The shortest task duration of a load's "MIN-MAX" (or fixed) {@code taskMs}. */
    static long minTaskMs(String taskMs) {
        return Long.parseLong(taskMs.split("-")[0].trim());
    }

    /**
     * What connected agents alone cost: {@code -Dscale.idle} agents (50,000) and no framework; the master's and the
     * emulator's CPU over three fixed 20 s windows after every agent is connected (the first still has the
     * registrations' aftermath: collections, compilation). Each window holds one full round of PINGs and PONGs.
     */
    @Test
    public void idle() throws Exception {
        if (!scenarios().contains("idle")) {
            return;
        }
        int agents = sizes("scale.idle", "50000")[0];
        LocalCluster c = cluster(1, null, masterSettings());
        try (EmulatorProcess emulator = new EmulatorProcess("4g", "--agents", Integer.toString(agents), "--masters",
                url(c, 0), "--task-ms", "1000", "--resources", "cpus:8;mem:16384;disk:102400", "--name", "idle")) {
            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> metrics(c, 0).path("master/slaves_connected").asLong() == agents);
            ProcessHandle m = c.masterJvm(0);
            for (int window = 1; window <= 3; window++) {
                double master0 = cpu(m);
                double emulator0 = cpu(emulator.handle());
                long t0 = System.nanoTime();
                Thread.sleep(20_000); // a fixed window of the idle cluster, not a wait for a state
                double seconds = (System.nanoTime() - t0) / 1e9;
                print(String.format("idle agents=%d window=%d master_cpu_s_per_s=%.3f emulator_cpu_s_per_s=%.3f"
                                + " connected=%d", agents, window, (cpu(m) - master0) / seconds,
                        (cpu(emulator.handle()) - emulator0) / seconds,
                        metrics(c, 0).path("master/slaves_connected").asLong()));
            }
            dumpRecording(m, "idle-" + agents);
        } finally {
            c.close();
        }
    }

    /**
     * {@code frameworks} frameworks launch 1 s tasks on {@code agents} agents without pause; after a warm-up of
     * 20 s, {@code window} is measured: tasks run per second, offer-to-RUNNING latencies, the allocation cycle,
     * the master's CPU per 1,000 tasks, heap and RSS.
     */
    private void load(Load load) throws Exception {
        String name = load.name;
        int agents = load.agents;
        int frameworks = load.frameworks;
        Duration window = Duration.ofSeconds(60);
        LocalCluster c = cluster(1, null, masterSettings());
        List<URI> masters = List.of(URI.create(url(c, 0)));
        List<LoadFramework> fws = new ArrayList<>();
        try (EmulatorProcess emulator = new EmulatorProcess("4g", "--agents", Integer.toString(agents), "--masters",
                url(c, 0), "--task-ms", load.taskMs, "--resources", load.agentResources, "--name", name)) {
            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> metrics(c, 0).path("master/slaves_connected").asLong() == agents);
            print(name + " set-up agents=" + agents + " frameworks=" + frameworks);
            for (int i = 0; i < frameworks; i++) {
                fws.add(new LoadFramework(masters, name + "-" + i, 0, load.perOffer, load.taskResources)
                        .maxStarting(load.maxStarting).start());
            }
            // every framework subscribed and running tasks; then a fixed 20 s of load for the JIT (a duration of
            // load, as the measured window below is, not a wait for a state)
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> fws.stream().allMatch(f -> f.running() > 0));
            if (load.fill > 0) {
                long t = System.nanoTime();
                await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofSeconds(5)).ignoreExceptions()
                        .until(() -> metrics(c, 0).path("master/tasks_running").asLong() >= load.fill * agents);
                long filled = System.nanoTime();
                print(String.format("%s filled tasks_running=%d after_s=%.0f", name,
                        metrics(c, 0).path("master/tasks_running").asLong(), (System.nanoTime() - t) / 1e9));
                // and the frameworks have worked off what the filling left in their libraries' queues, and the
                // master what it left in its loop's: the window measures the steady state, not the catching up
                // (for at most 3 minutes: a cluster that cannot keep up with its tasks' ends never catches up)
                try {
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                            .until(() -> fws.stream().mapToInt(LoadFramework::callsWaiting).sum() < frameworks
                                    && metrics(c, 0).path("master/pangaea/event_loop_lag_ms").asDouble() < 500);
                } catch (org.awaitility.core.ConditionTimeoutException stillBehind) {
                    // measured as it is; the progress lines show the calls waiting
                }
                // and the tasks that filled it end at the steady rate: tasks launched over the fill's F seconds, with
                // durations drawn from MIN to MAX, end at the full rate from F + MIN on (before that only the fill's
                // first tasks have ended, and a window there measures a cluster with little to do)
                long steady = filled + TimeUnit.MILLISECONDS.toNanos(minTaskMs(load.taskMs));
                if (steady - System.nanoTime() > 0) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(steady - System.nanoTime())); // a duration of load
                }
                JsonNode caughtUp = metrics(c, 0);
                print(String.format("%s caught_up after_s=%.0f tasks_running=%d calls_waiting=%d loop_lag_ms=%.0f",
                        name, (System.nanoTime() - t) / 1e9, caughtUp.path("master/tasks_running").asLong(),
                        fws.stream().mapToInt(LoadFramework::callsWaiting).sum(),
                        caughtUp.path("master/pangaea/event_loop_lag_ms").asDouble()));
            } else {
                Thread.sleep(20_000);
            }
            ProcessHandle m = c.masterJvm(0);
            long[] before = fws.stream().mapToLong(LoadFramework::running).toArray();
            JsonNode m0 = metrics(c, 0);
            double cpu0 = cpu(m);
            // the two other processes on the machine: the emulated agents, and this JVM with the frameworks
            double emulatorCpu0 = cpu(emulator.handle());
            double frameworksCpu0 = cpu(ProcessHandle.current());
            long t0 = System.nanoTime();
            // the measured window, the load running meanwhile; every 10 s, where work waits (for a report of what
            // limits the run, not a check)
            long end = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                JsonNode now = metrics(c, 0);
                print(String.format("%s progress t_s=%.0f running=%d loop_lag_ms=%.0f loop_backlog=%.0f"
                                + " framework_calls_waiting=%d emulator_posts_queued=%d emulator_resent=%d"
                                + " master_cpu_s=%.1f", name, (System.nanoTime() - t0) / 1e9,
                        fws.stream().mapToLong(LoadFramework::running).sum(),
                        now.path("master/pangaea/event_loop_lag_ms").asDouble(),
                        now.path("master/event_queue_dispatches").asDouble(),
                        fws.stream().mapToInt(LoadFramework::callsWaiting).sum(), emulator.get("posts_queued"),
                        emulator.get("resent"), cpu(m) - cpu0));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            dumpRecording(m, name + "-" + agents);
            double cpu = cpu(m) - cpu0;
            double emulatorCpu = cpu(emulator.handle()) - emulatorCpu0;
            double frameworksCpu = cpu(ProcessHandle.current()) - frameworksCpu0;
            JsonNode m1 = metrics(c, 0);
            long ran = 0;
            for (int i = 0; i < fws.size(); i++) {
                ran += fws.get(i).running() - before[i];
            }
            // the latencies are those of the tasks offered within the window (those offered before and running in
            // it belong to the time before); the window's slowest may run only after it, so they are given up to
            // 60 s more, and any still not running then are counted apart
            long windowEnd = System.nanoTime();
            long late;
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> fws.stream().mapToLong(f -> f.startingOfferedBefore(windowEnd)).sum() == 0);
                late = 0;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                late = fws.stream().mapToLong(f -> f.startingOfferedBefore(windowEnd)).sum();
            }
            fws.forEach(LoadFramework::stopRecording);
            List<Long> all = new ArrayList<>();
            List<Long> accepted = new ArrayList<>();
            for (int i = 0; i < fws.size(); i++) {
                Arrays.stream(fws.get(i).latenciesBetween(t0, windowEnd)).forEach(all::add);
                Arrays.stream(fws.get(i).acceptedLatenciesBetween(t0, windowEnd)).forEach(accepted::add);
            }
            all.sort(null);
            accepted.sort(null);
            double runs = m1.path("allocator/mesos/allocation_runs").asDouble()
                    - m0.path("allocator/mesos/allocation_runs").asDouble();
            print(String.format("%s agents=%d frameworks=%d window_s=%.1f tasks_running_per_s=%.0f"
                            + " master_cpu_s=%.1f master_cpu_s_per_1000_tasks=%.2f offer_to_running_ms p50=%.0f"
                            + " p99=%.0f (%d tasks offered in the window, %d of them not running 60 s after it)"
                            + " accepted_to_running_ms p50=%.0f p99=%.0f"
                            + " allocation_runs_in_window=%.0f"
                            + " allocation_run_ms=%s master_rss_mb=%d master_heap_after_gc=%s"
                            + " offers_per_task sent=%.1f declined=%.1f"
                            + " emulator_cpu_s_per_1000_tasks=%.2f frameworks_cpu_s_per_1000_tasks=%.2f", name, agents,
                    frameworks, seconds, ran / seconds, cpu, ran == 0 ? 0 : cpu / ran * 1000,
                    all.isEmpty() ? 0 : all.get(all.size() / 2) / 1000.0,
                    all.isEmpty() ? 0 : all.get((int) (all.size() * 0.99)) / 1000.0, all.size(), late,
                    accepted.isEmpty() ? 0 : accepted.get(accepted.size() / 2) / 1000.0,
                    accepted.isEmpty() ? 0 : accepted.get((int) (accepted.size() * 0.99)) / 1000.0, runs,
                    String.format("p50=%.1f,p99=%.1f", m1.path("allocator/mesos/allocation_run_ms/p50").asDouble(),
                            m1.path("allocator/mesos/allocation_run_ms/p99").asDouble()), rssMb(m),
                    heapAfterGc(m), ran == 0 ? 0 : (frameworksSum(m1, "/offers/sent")
                            - frameworksSum(m0, "/offers/sent")) / (double) ran,
                    ran == 0 ? 0 : (frameworksSum(m1, "/offers/declined")
                            - frameworksSum(m0, "/offers/declined")) / (double) ran,
                    ran == 0 ? 0 : emulatorCpu / ran * 1000, ran == 0 ? 0 : frameworksCpu / ran * 1000));
        } finally {
            fws.forEach(LoadFramework::close);
            c.close();
        }
    }
}
