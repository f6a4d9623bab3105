package io.pangaea.agent.internal.osgi;

import io.pangaea.agent.internal.Agent;
import io.pangaea.agent.internal.AgentConfig;
import io.pangaea.agent.internal.ResourceDetector;
import io.pangaea.agent.internal.http.AgentHttpServer;
import io.pangaea.agent.spi.Containerizer;
import io.pangaea.agent.spi.Isolator;
import java.nio.file.Path;
import io.pangaea.http.KarafLoggingLevel;
import io.pangaea.model.Bytes;
import io.pangaea.model.Durations;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.apache.karaf.features.FeaturesService;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent in Karaf from {@code etc/io.pangaea.agent.cfg}. Containerizers are picked up from the service
 * registry as their bundles come and go; a new task uses whichever is installed when it is launched. Changed
 * settings apply live where they can ({@link AgentSettings}); the others are logged as waiting for a restart, which
 * this component does not do on its own: it would kill the agent's tasks.
 */
@Component(name = "io.pangaea.agent", configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {AgentSettings.class, AgentLifecycle.class})
@Designate(ocd = AgentComponent.Config.class)
public final class AgentComponent implements AgentSettings, AgentLifecycle {

    @ObjectClassDefinition(name = "Pangaea agent")
    public @interface Config {
        @AttributeDefinition(description = "Master address, host:port")
        String master() default "127.0.0.1:5050";

        @AttributeDefinition(description = "Address to listen on and to advertise")
        String ip() default "127.0.0.1";

        @AttributeDefinition(description = "HTTP port of the agent")
        int port() default 5051;

        @AttributeDefinition(description = "Hostname advertised in offers")
        String hostname() default "localhost";

        @AttributeDefinition(description = "Where sandboxes and checkpoints live; relative to karaf.data")
        String work__dir() default "pangaea-agent";

        @AttributeDefinition(description = "Resources in Mesos syntax; detected ones fill in what is not named")
        String resources() default "";

        @AttributeDefinition(description = "Attributes, name:value separated by ;")
        String attributes() default "";

        @AttributeDefinition(description = "Isolators for the native containerizer, in order")
        String isolation() default "posix/cpu,posix/mem";

        @AttributeDefinition(description = "Containerizers tasks may use")
        String containerizers() default "native";

        @AttributeDefinition(description = "Default grace period between SIGTERM and SIGKILL when killing a task")
        String executor__shutdown__grace__period() default "3secs";

        @AttributeDefinition(description = "How long a custom executor has to subscribe before it is destroyed")
        String executor__registration__timeout() default "1mins";

        @AttributeDefinition(description = "How long a restarted agent waits for a recovered executor to subscribe"
                + " again before it destroys it; its MESOS_SUBSCRIPTION_BACKOFF_MAX is a quarter of it")
        String executor__reregistration__timeout() default "2secs";

        @AttributeDefinition(description = "Where the fetcher keeps the URIs marked 'cache'; relative to work_dir")
        String fetcher__cache__dir() default "fetch";

        @AttributeDefinition(description = "Most the fetcher's cache holds, as 2GB, 512MB, ...")
        String fetcher__cache__size() default "2GB";

        @AttributeDefinition(description = "The principal and secret this agent gives the master (a master with"
                + " authenticate_agents): a file with {\"principal\", \"secret\"} or 'principal secret', or that JSON")
        String credential() default "";

        @AttributeDefinition(description = "Require HTTP Basic credentials on the agent's read endpoints")
        boolean authenticate__http__readonly() default false;

        @AttributeDefinition(description = "Require credentials on the agent's operator API and other writes")
        boolean authenticate__http__readwrite() default false;

        @AttributeDefinition(description = "The credentials the agent accepts (Mesos's format, as the master's)")
        String http__credentials() default "";

        @AttributeDefinition(description = "A Karaf JAAS realm whose users may authenticate to the agent's endpoints"
                + " ('karaf' is etc/users.properties)")
        String http__authentication__realm() default "";

        @AttributeDefinition(description = "Executors authenticate to the executor API with a token the agent signs"
                + " (JWT, HMAC-SHA256) and gives each one in MESOS_EXECUTOR_AUTHENTICATION_TOKEN")
        boolean authenticate__http__executors() default false;

        @AttributeDefinition(description = "Mesos's ACLs for the agent's own endpoints (view_flags, get_endpoints,"
                + " set_log_level, access_sandboxes, access_mesos_logs): the JSON or a file; empty allows everything")
        String acls() default "";

        @AttributeDefinition(description = "Serve HTTPS and call the master over HTTPS (Mesos's"
                + " LIBPROCESS_SSL_ENABLED)")
        boolean ssl__enabled() default false;

        @AttributeDefinition(description = "PEM certificate chain, the agent's first (LIBPROCESS_SSL_CERT_FILE)")
        String ssl__cert__file() default "";

        @AttributeDefinition(description = "PEM private key, unencrypted PKCS#8 (LIBPROCESS_SSL_KEY_FILE)")
        String ssl__key__file() default "";

        @AttributeDefinition(description = "A PKCS#12 (or .jks) keystore instead of the PEM files")
        String ssl__keystore() default "";

        @AttributeDefinition(description = "The keystore's password")
        String ssl__keystore__password() default "";

        @AttributeDefinition(description = "PEM CA certificates: the master's certificate and clients' are checked"
                + " against them (LIBPROCESS_SSL_CA_FILE)")
        String ssl__ca__file() default "";

        @AttributeDefinition(description = "Clients must show a certificate the CA signed"
                + " (LIBPROCESS_SSL_REQUIRE_CERT)")
        boolean ssl__require__cert() default false;

        @AttributeDefinition(description = "Serve plain HTTP as well on the same port (LIBPROCESS_SSL_SUPPORT_DOWNGRADE)")
        boolean ssl__support__downgrade() default false;

        @AttributeDefinition(description = "The file holding the key executor tokens are signed with (at least 16"
                + " bytes); needed by authenticate_http_executors")
        String executor__secret__key() default "";

        @AttributeDefinition(description = "How long after its container ended a sandbox is removed (less as the"
                + " disk fills)")
        String gc__delay() default "1weeks";

        @AttributeDefinition(description = "The share of the disk kept free: the fuller the disk beyond it, the sooner"
                + " sandboxes go (0.0 to 1.0)")
        double gc__disk__headroom() default 0.1;

        @AttributeDefinition(description = "How often the disk holding work_dir is measured")
        String disk__watch__interval() default "1mins";

        @AttributeDefinition(description = "At start: 'reconnect' takes checkpointed tasks up again; 'cleanup' kills"
                + " them all, forgets them and stops the agent")
        String recover() default "reconnect";

        @AttributeDefinition(description = "Whether a recovery error stops the agent's start (else it is logged)")
        boolean strict() default true;

        @AttributeDefinition(description = "How long executors wait for a restarting agent"
                + " (their MESOS_RECOVERY_TIMEOUT)")
        String recovery__timeout() default "15mins";

        @AttributeDefinition(description = "'equal': resources and attributes must be what they were when the agent"
                + " last ran; 'additive': they may grow but not shrink or change")
        String reconfiguration__policy() default "equal";
    }

    private static final Logger LOG = LoggerFactory.getLogger(AgentComponent.class);

    private final Map<String, Containerizer> containerizers = new ConcurrentHashMap<>();
    private final Map<String, Isolator> isolators = new ConcurrentHashMap<>();
    private volatile List<String> enabledContainerizers;
    /** The configuration the agent started with, and what changed since that needs a restart. */
    private final Map<String, String> started;
    private volatile Map<String, String> pending = Map.of();
    private final Agent agent;
    private final AgentHttpServer http;
    /** For GET/SET_LOGGING_LEVEL (Pax Logging's configuration); injected after the constructor, read at each use. */
    @Reference
    private volatile ConfigurationAdmin configAdmin;

    @Activate
    public AgentComponent(Config c, @Reference FeaturesService featuresService) throws Exception {
        Path base = Path.of(System.getProperty("karaf.data", "data"));
        Path workDir = base.resolve(c.work__dir()).toAbsolutePath();
        // the settings name the plugins: each must be provided by a feature, installed at start if it is not
        plugins = new PluginFeatures(featuresService);
        neededFeatures = plugins.required(containerizers(c.containerizers()), split(c.isolation()));
        namedFeatures = neededFeatures;
        AgentConfig config = new AgentConfig(c.master(), c.ip(), c.port(), c.hostname(), workDir,
                ResourceDetector.resources(c.resources(), workDir), ResourceDetector.attributes(c.attributes()),
                split(c.isolation()), containerizers(c.containerizers()),
                Durations.parse("executor_shutdown_grace_period", c.executor__shutdown__grace__period()),
                Durations.parse("executor_registration_timeout", c.executor__registration__timeout()),
                workDir.resolve(c.fetcher__cache__dir()), Bytes.parse("fetcher_cache_size", c.fetcher__cache__size()),
                Durations.parse("executor_reregistration_timeout", c.executor__reregistration__timeout()),
                recovery(c), gc(c));
        started = AgentSettings.values(c);
        enabledContainerizers = config.containerizers();
        io.pangaea.http.Tls tls = new io.pangaea.http.Tls(c.ssl__enabled(), c.ssl__cert__file(), c.ssl__key__file(),
                c.ssl__keystore(), c.ssl__keystore__password(), c.ssl__ca__file(), c.ssl__require__cert(),
                c.ssl__support__downgrade());
        String badTls = tls.invalid();
        if (badTls != null) {
            throw new IllegalArgumentException(badTls);
        }
        agent = new Agent(config, containerizers::get, tls);
        if (c.credential() != null && !c.credential().isBlank()) {
            String[] pc = credential(c.credential());
            agent.credential(pc[0], pc[1]);
        }
        if (c.authenticate__http__executors()) {
            agent.executorTokens(io.pangaea.http.ExecutorTokens.fromFile(c.executor__secret__key()));
        }
        try {
            agent.acls(io.pangaea.http.Acls.parse(c.acls()));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        agent.onStop(this::stopContainer);
        agent.setLoggingLevel(new KarafLoggingLevel(() -> configAdmin));
        advertise();
        http = new AgentHttpServer(agent, c.ip(), c.port(), authentication(c));
        LOG.info("Pangaea agent on {}://{}:{} with {}, master {}", agent.tls().scheme(), c.ip(), http.port(),
                config.resources(),
                c.master());
    }

    /**
     * Called by DS after the constructor and after the containerizers and isolators present now are bound, so the
     * agent registers with the attributes that name them.
     */
    @Activate
    void start(org.osgi.framework.BundleContext context) {
        this.context = context;
        installPlugins(neededFeatures);
        advertise();
        agent.start();
        ShutdownSignal.install(() -> {
            LOG.info("SIGUSR1: shutting the agent down");
            shutdown();
        });
    }

    private volatile org.osgi.framework.BundleContext context;

    /** Waits (up to 10 minutes) for Karaf's BootFinished service; false if the agent stops meanwhile. */
    private boolean awaitBootFinished() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline && !shuttingDown.get()) {
            org.osgi.framework.BundleContext c = context;
            try {
                if (c != null && c.getServiceReference("org.apache.karaf.features.BootFinished") != null) {
                    return true;
                }
            } catch (IllegalStateException stopped) {
                return false; // the bundle stopped
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200));
        }
        return !shuttingDown.get();
    }

    private final PluginFeatures plugins;
    private final Map<String, String> neededFeatures;
    /** The features the settings named when last applied (Configuration Admin's thread). */
    private Map<String, String> namedFeatures;

    /**
     * Installs the features the settings need, on a thread of its own, once Karaf has finished installing its boot
     * features: a second installation running beside the boot one can deadlock Karaf's deployer.
     */
    private void installPlugins(Map<String, String> needed) {
        Thread t = new Thread(() -> {
            if (awaitBootFinished()) {
                plugins.install(needed);
            }
        }, "pangaea-agent-plugins");
        t.setDaemon(true);
        t.start();
    }
    private final java.util.concurrent.atomic.AtomicBoolean shuttingDown = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void shutdown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        agent.shutdown();
        stopContainer();
    }

    /** Stops the Karaf container (the agent's process ends), on a thread of its own. */
    private void stopContainer() {
        org.osgi.framework.BundleContext c = context;
        Thread stopper = new Thread(() -> {
            try {
                if (c != null) {
                    c.getBundle(0).stop(); // Karaf's container ends, as a Mesos agent exits after SIGUSR1
                }
            } catch (Exception e) {
                LOG.warn("Cannot stop the Karaf container", e);
            }
        }, "pangaea-agent-shutdown");
        stopper.setDaemon(false);
        stopper.start();
    }

    /**
     * The configuration changed: attributes, isolation, containerizers and the executor timeouts apply at once
     * (new tasks and executors get them, the master gets the new attributes); the others wait for a restart of the
     * agent, and the log says which.
     */
    @Modified
    void modified(Config c, Map<String, Object> properties) {
        if (io.pangaea.http.SettingsFile.skip(properties, "agent")) {
            return;
        }
        Map<String, String> next = AgentSettings.values(c);
        Map<String, String> waiting = new java.util.TreeMap<>();
        next.forEach((k, v) -> {
            if (RESTART.contains(k) && !v.equals(started.get(k))) {
                waiting.put(k, v);
            }
        });
        if (!waiting.isEmpty() && !waiting.equals(pending)) {
            LOG.warn("{} changed in etc/io.pangaea.agent.cfg: {} take(s) effect when the agent restarts"
                    + " (bundle:restart pangaea-agent, which kills its tasks); until then the agent runs with {}",
                    waiting.keySet(), waiting, waiting.keySet().stream().map(k -> k + "=" + started.get(k)).toList());
        }
        pending = Map.copyOf(waiting);
        Map<String, String> needed;
        try {
            needed = plugins.required(containerizers(c.containerizers()), split(c.isolation()));
        } catch (IllegalArgumentException e) {
            LOG.error("Settings not applied: {}", e.getMessage());
            return;
        }
        Map<String, String> anew = PluginFeatures.namedAnew(namedFeatures, needed);
        namedFeatures = needed;
        if (!anew.isEmpty()) {
            installPlugins(anew);
        }
        AgentConfig now = agent.config();
        AgentConfig live = new AgentConfig(now.master(), now.ip(), now.port(), now.hostname(), now.workDir(),
                now.resources(), ResourceDetector.attributes(c.attributes()), split(c.isolation()),
                containerizers(c.containerizers()),
                Durations.parse("executor_shutdown_grace_period", c.executor__shutdown__grace__period()),
                Durations.parse("executor_registration_timeout", c.executor__registration__timeout()),
                now.fetcherCacheDir(), now.fetcherCacheSize(),
                Durations.parse("executor_reregistration_timeout", c.executor__reregistration__timeout()),
                now.recovery(), gc(c));
        if (!live.equals(now)) {
            // not waited for: this is Configuration Admin's one event thread, and the agent's state thread (which
            // applies it, and then advertises in the same order) may be busy for a while
            agent.reconfigure(live).whenComplete((done, e) -> {
                if (e != null) {
                    LOG.error("Agent settings not applied: {}", e.toString());
                } else {
                    LOG.info("Agent settings applied live: {}", live);
                }
            });
            enabledContainerizers = live.containerizers();
            advertise();
        }
    }

    @Override
    public Map<String, String> effective() {
        Map<String, String> out = new java.util.LinkedHashMap<>(started);
        AgentConfig c = agent.config();
        out.put("attributes", String.join(";", c.attributes().stream().map(a -> a.name() + ":" + a.plainValue())
                .toList()));
        out.put("isolation", String.join(",", c.isolation()));
        out.put("containerizers", String.join(",", c.containerizers()));
        out.put("executor_shutdown_grace_period", Durations.format(c.killGracePeriod()));
        out.put("executor_registration_timeout", Durations.format(c.executorRegistrationTimeout()));
        out.put("executor_reregistration_timeout", Durations.format(c.executorReregistrationTimeout()));
        out.put("gc_delay", Durations.format(c.gc().delay()));
        out.put("gc_disk_headroom", Double.toString(c.gc().diskHeadroom()));
        out.put("disk_watch_interval", Durations.format(c.gc().diskWatchInterval()));
        return out;
    }

    @Override
    public Map<String, String> pendingRestart() {
        return pending;
    }

    private static AgentConfig.Gc gc(Config c) {
        return new AgentConfig.Gc(Durations.parse("gc_delay", c.gc__delay()), c.gc__disk__headroom(),
                Durations.parse("disk_watch_interval", c.disk__watch__interval()));
    }

    private static AgentConfig.Recovery recovery(Config c) {
        return new AgentConfig.Recovery(c.recover().trim(), c.strict(),
                Durations.parse("recovery_timeout", c.recovery__timeout()), c.reconfiguration__policy().trim());
    }

    /** The containerizers setting, with Mesos's name 'mesos' for the native containerizer taken as 'native'. */
    static List<String> containerizers(String s) {
        return split(s).stream().map(x -> x.equals("mesos") ? "native" : x).distinct().toList();
    }

    static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    @Deactivate
    void deactivate() throws Exception {
        shuttingDown.set(true); // a SIGUSR1 from now on finds no agent here to shut down
        agent.close();
        http.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindContainerizer(Containerizer c, Map<String, Object> props) {
        Object name = props.get(Containerizer.NAME_PROPERTY);
        if (name != null) {
            containerizers.put(name.toString(), c);
            LOG.info("Containerizer '{}' available", name);
            advertise();
        }
    }

    void unbindContainerizer(Containerizer c, Map<String, Object> props) {
        Object name = props.get(Containerizer.NAME_PROPERTY);
        if (name != null && containerizers.remove(name.toString(), c)) {
            List<String> enabled = enabledContainerizers;
            if (enabled != null && enabled.contains(name.toString()) && !shuttingDown.get()) {
                LOG.warn("Containerizer '{}' is named in containerizers but its bundle went (feature:uninstall?):"
                        + " its tasks fail until it is installed again, the setting changes or the agent restarts",
                        name);
            } else {
                LOG.info("Containerizer '{}' gone", name);
            }
            advertise();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindIsolator(Isolator i, Map<String, Object> props) {
        Object name = props.get(Isolator.NAME_PROPERTY);
        if (name != null) {
            isolators.put(name.toString(), i);
            advertise();
        }
    }

    void unbindIsolator(Isolator i, Map<String, Object> props) {
        Object name = props.get(Isolator.NAME_PROPERTY);
        if (name != null && isolators.remove(name.toString(), i)) {
            if (agent != null && agent.config().isolation().contains(name.toString()) && !shuttingDown.get()) {
                LOG.warn("Isolator '{}' is named in isolation but its bundle went (feature:uninstall?): native tasks"
                        + " fail until it is installed again, the setting changes or the agent restarts", name);
            }
            advertise();
        }
    }

    /** Tells the agent which enabled containerizers and which isolators are installed now. */
    private synchronized void advertise() {
        Agent a = agent;
        List<String> enabled = enabledContainerizers;
        if (a == null || enabled == null) {
            return; // the constructor advertises once the agent exists
        }
        a.advertise(enabled.stream().filter(containerizers::containsKey).toList(),
                isolators.keySet().stream().sorted().toList());
    }

    /** Mesos's {@code credential}: a file or inline JSON {@code {"principal", "secret"}}, or "principal secret". */
    static String[] credential(String fileOrJson) throws java.io.IOException {
        String text = fileOrJson.trim();
        if (!text.startsWith("{")) {
            java.nio.file.Path p = java.nio.file.Path.of(text.startsWith("file://") ? text.substring(7) : text);
            if (!java.nio.file.Files.isRegularFile(p)) {
                throw new IllegalArgumentException("credential: no such file '" + p + "'");
            }
            text = java.nio.file.Files.readString(p).trim();
        }
        if (text.startsWith("{")) {
            com.fasterxml.jackson.databind.JsonNode n = io.pangaea.model.json.MesosJson.mapper().readTree(text);
            if (!n.path("principal").isTextual()) {
                throw new IllegalArgumentException("credential: expecting {\"principal\": ..., \"secret\": ...}");
            }
            return new String[] {n.path("principal").asText(), n.path("secret").asText("")};
        }
        String[] f = text.split("\\s+", 2);
        return new String[] {f[0], f.length > 1 ? f[1] : ""};
    }

    /** Who may call the agent's endpoints, from its authenticate_http_* settings and http_credentials. */
    static io.pangaea.http.HttpAuthentication authentication(Config c) throws java.io.IOException {
        java.util.Set<String> realms = new java.util.HashSet<>();
        if (c.authenticate__http__readonly()) {
            realms.add(AgentHttpServer.READONLY);
        }
        if (c.authenticate__http__readwrite()) {
            realms.add(AgentHttpServer.READWRITE);
        }
        if (realms.isEmpty()) {
            return io.pangaea.http.HttpAuthentication.none();
        }
        boolean jaas = c.http__authentication__realm() != null && !c.http__authentication__realm().isBlank();
        if ((c.http__credentials() == null || c.http__credentials().isBlank()) && !jaas) {
            throw new IllegalArgumentException("authenticate_http_* is on but 'http_credentials' and"
                    + " 'http_authentication_realm' are empty: name the credentials file or a JAAS realm");
        }
        return new io.pangaea.http.HttpAuthentication(realms, c.http__credentials() == null
                || c.http__credentials().isBlank() ? java.util.Map.of()
                : io.pangaea.http.HttpAuthentication.credentials(c.http__credentials()),
                jaas ? new io.pangaea.http.JaasVerifier(c.http__authentication__realm().trim()) : null);
    }
}
