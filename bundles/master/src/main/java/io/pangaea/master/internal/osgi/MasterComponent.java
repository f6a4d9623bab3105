package io.pangaea.master.internal.osgi;

import io.pangaea.allocator.Allocator;
import io.pangaea.http.KarafLoggingLevel;
import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.Settings;
import io.pangaea.model.Durations;
import io.pangaea.master.internal.MasterConfig;
import io.pangaea.master.internal.http.MasterHttpServer;
import java.util.List;
import java.util.Map;
import io.pangaea.master.internal.AllocatorControl;
import io.pangaea.master.internal.Registry;
import java.nio.file.Path;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 * Runs the master in Karaf: owns the {@link Master} and its HTTP server, configured from {@code etc/io.pangaea.master.cfg}
 * (Mesos flag names). Allocators are bound from the service registry as they come and go; the one named by
 * {@code allocator} is used. Changed settings apply live ({@link Master#reconfigure}), except those that need a new
 * master ({@code ip}, {@code port}, {@code hostname}, {@code work_dir}, {@code zk}, {@code zk_session_timeout}): the
 * master then restarts, says so in the log, and agents and frameworks re-subscribe (its state is soft).
 */
@Component(name = "io.pangaea.master", configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {})
@Designate(ocd = MasterComponent.Config.class)
public final class MasterComponent {

    @ObjectClassDefinition(name = "Pangaea master")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on and to advertise")
        String ip() default "127.0.0.1";

        @AttributeDefinition(description = "HTTP port of the master")
        int port() default 5050;

        @AttributeDefinition(description = "Hostname advertised to frameworks and agents")
        String hostname() default "localhost";

        @AttributeDefinition(description = "Time between allocation cycles, e.g. 1secs or 500ms")
        String allocation__interval() default "1secs";

        @AttributeDefinition(description = "Heartbeat interval on scheduler and agent streams")
        String http__framework__heartbeat__interval() default "15secs";

        @AttributeDefinition(description = "Name of the allocator to use (service property pangaea.allocator.name)")
        String allocator() default "drf";

        @AttributeDefinition(description = "Allocator used while the configured one is not installed")
        String default__allocator() default "drf";

        @AttributeDefinition(description = "Where the registry (weights, quotas) is kept; relative to karaf.data")
        String work__dir() default "pangaea-master";

        @AttributeDefinition(description = "Smallest grants worth offering, alternatives separated by |")
        String min__allocatable__resources() default "cpus:0.01|mem:32";

        @AttributeDefinition(description = "Offers not accepted or declined within this time are rescinded"
                + " (e.g. 30secs); empty for never")
        String offer__timeout() default "";

        @AttributeDefinition(description = "How often the master pings each agent; an agent that misses"
                + " max_agent_ping_timeouts pings in a row, or stays disconnected for their product, is unreachable")
        String agent__ping__timeout() default "15secs";

        @AttributeDefinition(description = "See agent_ping_timeout")
        int max__agent__ping__timeouts() default 5;

        @AttributeDefinition(description = "How long a newly elected master waits for the agents its registry"
                + " admitted to re-register before it marks them unreachable")
        String agent__reregister__timeout() default "10mins";

        @AttributeDefinition(description = "The largest share of those agents that may be marked unreachable that"
                + " way, as a percentage; above it the master marks none and says so in its log")
        String recovery__agent__removal__limit() default "100%";

        @AttributeDefinition(description = "Completed frameworks kept for the read endpoints")
        int max__completed__frameworks() default 50;

        @AttributeDefinition(description = "Completed tasks kept per framework")
        int max__completed__tasks__per__framework() default 1000;

        @AttributeDefinition(description = "ZooKeeper URL (zk://host:port[,host:port]/path) to elect a leader among"
                + " several masters; empty for a single master")
        String zk() default "";

        @AttributeDefinition(description = "ZooKeeper session timeout: how long a master cut off from ZooKeeper"
                + " keeps leading")
        String zk__session__timeout() default "10secs";

        @AttributeDefinition(description = "Made-up agents a standby master re-registers, once, with a private"
                + " master of its own (~20 CPU-s, once), so that the code a takeover runs is compiled before it is"
                + " needed; 0: none")
        int standby__rehearsal__agents() default 6000;

        @AttributeDefinition(description = "Require HTTP Basic credentials on the scheduler API (/api/v1/scheduler)")
        boolean authenticate__http__frameworks() default false;

        @AttributeDefinition(description = "Mesos's name for the same (its PID frameworks); either turns it on")
        boolean authenticate__frameworks() default false;

        @AttributeDefinition(description = "Require credentials on the read endpoints (GET)")
        boolean authenticate__http__readonly() default false;

        @AttributeDefinition(description = "Require credentials on the operator API and every write endpoint")
        boolean authenticate__http__readwrite() default false;

        @AttributeDefinition(description = "Require credentials of agents (their 'credential' setting)")
        boolean authenticate__agents() default false;

        @AttributeDefinition(description = "Mesos's credentials: a file ({\"credentials\":[{\"principal\",\"secret\"}]}"
                + " or a 'principal secret' pair a line), or that JSON inline")
        String credentials() default "";

        @AttributeDefinition(description = "A Karaf JAAS realm whose users may authenticate over HTTP too ('karaf' is"
                + " etc/users.properties; LDAP or JDBC realms are configured alike); with or without 'credentials'")
        String http__authentication__realm() default "";

        @AttributeDefinition(description = "Mesos's ACLs for the local authorizer: the JSON ({\"permissive\": true,"
                + " \"register_frameworks\": [...], ...}) or a file holding it; empty allows everything")
        String acls() default "";

        @AttributeDefinition(description = "Mesos's framework rate limits: {\"limits\": [{\"principal\", \"qps\","
                + " \"capacity\"}], \"aggregate_default_qps\", \"aggregate_default_capacity\"}, or a file holding"
                + " it; empty: no limits")
        String rate__limits() default "";

        @AttributeDefinition(description = "Serve HTTPS (Mesos's LIBPROCESS_SSL_ENABLED)")
        boolean ssl__enabled() default false;

        @AttributeDefinition(description = "PEM certificate chain, the master's first (LIBPROCESS_SSL_CERT_FILE)")
        String ssl__cert__file() default "";

        @AttributeDefinition(description = "PEM private key, unencrypted PKCS#8 (LIBPROCESS_SSL_KEY_FILE)")
        String ssl__key__file() default "";

        @AttributeDefinition(description = "A PKCS#12 (or .jks) keystore instead of the PEM files")
        String ssl__keystore() default "";

        @AttributeDefinition(description = "The keystore's password")
        String ssl__keystore__password() default "";

        @AttributeDefinition(description = "PEM CA certificates that clients' certificates, and the other masters',"
                + " are checked against (LIBPROCESS_SSL_CA_FILE)")
        String ssl__ca__file() default "";

        @AttributeDefinition(description = "Clients must show a certificate the CA signed"
                + " (LIBPROCESS_SSL_REQUIRE_CERT)")
        boolean ssl__require__cert() default false;

        @AttributeDefinition(description = "Serve plain HTTP as well on the same port, to move a running cluster to"
                + " TLS (LIBPROCESS_SSL_SUPPORT_DOWNGRADE)")
        boolean ssl__support__downgrade() default false;
    }

    private static final Logger LOG = LoggerFactory.getLogger(MasterComponent.class);

    private final BundleContext context;
    /** The allocation policy the master uses, of those installed. */
    private final AllocatorChoice allocators;
    private ServiceRegistration<AllocatorControl> controlRegistration;

    @Reference
    private ConfigurationAdmin configAdmin;
    /** What other bundles serve on the master's port (the Web UI, ...), bound from the service registry. */
    private final io.pangaea.http.HttpRoutes routes = new io.pangaea.http.HttpRoutes();
    private volatile Master master;
    private MasterHttpServer http;
    private ServiceRegistration<Master> registration;
    private MasterConfig current;

    private Path registryFile;
    private String zk = "";
    private java.time.Duration zkSessionTimeout = java.time.Duration.ofSeconds(10);
    private io.pangaea.master.internal.ha.LeaderElectedMaster elected;

    @Activate
    public MasterComponent(BundleContext context, Config config) throws Exception {
        this.context = context;
        this.registryFile = registryFile(config);
        this.allocators = new AllocatorChoice(() -> master, () -> configAdmin, config.allocator(),
                config.default__allocator());
        this.auth = SecuritySettings.authentication(config);
        this.acls = SecuritySettings.acls(config);
        this.rateLimits = SecuritySettings.rateLimits(config);
        this.rateLimitsSetting = config.rate__limits();
        this.tls = SecuritySettings.tls(config);
        readHa(config);
        start(toMasterConfig(config));
        controlRegistration = context.registerService(AllocatorControl.class, allocators, null);
        java.util.Hashtable<String, Object> props = new java.util.Hashtable<>();
        props.put(io.pangaea.http.HttpRoute.PATH_PROPERTY, "/allocator");
        props.put(io.pangaea.http.HttpRoute.SERVER_PROPERTY, "master");
        allocatorRoute = context.registerService(io.pangaea.http.HttpRoute.class, new AllocatorRoute(allocators,
                () -> master), props);
    }

    /** The allocator calls over HTTP ({@link AllocatorRoute}), served like any other bundle's route. */
    private ServiceRegistration<io.pangaea.http.HttpRoute> allocatorRoute;

    static MasterConfig toMasterConfig(Config c) {
        return new MasterConfig(c.ip(), c.port(), c.hostname(),
                Durations.parse("allocation_interval", c.allocation__interval()),
                Durations.parse("http_framework_heartbeat_interval", c.http__framework__heartbeat__interval()),
                c.allocator(), MasterConfig.parseMinAllocatable(c.min__allocatable__resources()),
                c.max__completed__frameworks(), c.max__completed__tasks__per__framework(),
                c.offer__timeout() == null || c.offer__timeout().isBlank() ? null
                        : Durations.parse("offer_timeout", c.offer__timeout()),
                Durations.parse("agent_ping_timeout", c.agent__ping__timeout()), c.max__agent__ping__timeouts(),
                Durations.parse("agent_reregister_timeout", c.agent__reregister__timeout()),
                MasterConfig.parseRemovalLimit(c.recovery__agent__removal__limit()));
    }

    /** Who may call what, from the authenticate_* settings and the credentials; applied live. */
    private volatile io.pangaea.http.HttpAuthentication auth = io.pangaea.http.HttpAuthentication.none();

    /** The ACLs in force ({@code acls} setting); applied live. */
    private volatile io.pangaea.http.Acls acls = io.pangaea.http.Acls.permissive();


    private String rateLimitsSetting = "";

    /** The rate limits in force ({@code rate_limits} setting); applied live. */
    private volatile io.pangaea.http.RateLimits rateLimits = io.pangaea.http.RateLimits.none();


    /** The master reads the authentication, ACLs and rate limits in force at each request. */
    private void secure(Master m) {
        m.setProtectedRealms(() -> auth.realms());
        m.setAcls(() -> acls);
        m.setRateLimits(() -> rateLimits);
    }

    /** The TLS settings of the master's port; a change starts a new master (the port is bound again). */
    private io.pangaea.http.Tls tls = io.pangaea.http.Tls.off();

    private void readHa(Config config) {
        zk = config.zk() == null ? "" : config.zk().trim();
        zkSessionTimeout = Durations.parse("zk_session_timeout", config.zk__session__timeout());
        if (config.standby__rehearsal__agents() < 0) {
            LOG.error("standby_rehearsal_agents must be 0 or more, not {}; it stays {}",
                    config.standby__rehearsal__agents(), rehearsalAgents);
        } else {
            rehearsalAgents = config.standby__rehearsal__agents(); // for the next start of an elected master
        }
    }

    /** See {@link Config#standby__rehearsal__agents}. */
    private int rehearsalAgents = 6000;

    private synchronized void start(MasterConfig config) throws Exception {
        current = config;
        if (!zk.isEmpty()) {
            // one of several masters: a Master runs here only while ZooKeeper elects this process
            elected = new io.pangaea.master.internal.ha.LeaderElectedMaster(config, zk, zkSessionTimeout,
                    this::leading, this::following, routes, () -> auth, tls);
            elected.rehearse(rehearsalAgents);
            elected.start();
            LOG.info("Pangaea master contending for leadership through {} on {}://{}:{}", zk, tls.scheme(),
                    config.ip(), elected.port());
            return;
        }
        Master m = new Master(config, new Registry(registryFile));
        secure(m);
        m.start();
        try {
            http = new MasterHttpServer(m, config.ip(), config.port(), routes, () -> auth, tls);
        } catch (Exception e) {
            m.close();
            throw new IllegalStateException("Cannot listen on " + config.ip() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        master = m;
        current = config;
        m.setLoggingLevel(new KarafLoggingLevel(() -> configAdmin));
        m.setLogFile(logFile());
        allocators.select();
        registration = context.registerService(Master.class, m, null);
        LOG.info("Pangaea master {} listening on {}://{}:{}", m.id(), tls.scheme(), config.ip(), http.port());
    }

    /** This process now leads: its master gets its allocator and is registered for the shell. */
    private synchronized void leading(Master m) {
        master = m;
        secure(m);
        m.setLoggingLevel(new KarafLoggingLevel(() -> configAdmin));
        m.setLogFile(logFile());
        allocators.select();
        registration = context.registerService(Master.class, m, null);
    }

    /** This process no longer leads: its master goes away. */
    private synchronized void following(Master m) {
        if (master == m) {
            master = null;
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the bundle
            }
            registration = null;
        }
    }

    private synchronized void stop() {
        if (elected != null) {
            try {
                elected.close();
            } catch (Exception e) {
                LOG.warn("Error leaving the leader election", e);
            }
            elected = null;
        }
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the bundle
            }
            registration = null;
        }
        if (http != null) {
            try {
                http.close();
            } catch (Exception e) {
                LOG.warn("Error stopping the master's HTTP server", e);
            }
            http = null;
        }
        if (master != null) {
            master.close();
            master = null;
        }
    }

    /** The distribution's log ({@code data/log/karaf.log}), which the master serves as /master/log. */
    private static Path logFile() {
        return Path.of(System.getProperty("karaf.data", "data")).resolve("log").resolve("karaf.log")
                .toAbsolutePath();
    }

    private static Path registryFile(Config c) {
        return Path.of(System.getProperty("karaf.data", "data")).resolve(c.work__dir()).resolve("registry.json")
                .toAbsolutePath();
    }

    @Modified
    synchronized void modified(Config config, Map<String, Object> properties) throws Exception {
        if (io.pangaea.http.SettingsFile.skip(properties, "master")) {
            return;
        }
        try {
            io.pangaea.http.HttpAuthentication next = SecuritySettings.authentication(config);
            if (!next.realms().equals(auth.realms())) {
                LOG.info("Authentication now required on: {}", next.realms().isEmpty() ? "nothing"
                        : String.join(", ", new java.util.TreeSet<>(next.realms())));
            }
            auth = next;
        } catch (IllegalArgumentException e) {
            LOG.error("The authentication settings were not applied (the earlier ones stay): {}", e.getMessage());
        }
        try {
            acls = SecuritySettings.acls(config);
        } catch (IllegalArgumentException e) {
            LOG.error("The 'acls' setting was not applied (the earlier ACLs stay): {}", e.getMessage());
        }
        try {
            io.pangaea.http.RateLimits next = SecuritySettings.rateLimits(config);
            if (!config.rate__limits().equals(rateLimitsSetting)) {
                rateLimits = next; // a new setting starts new limiters; the same one keeps the running ones
                rateLimitsSetting = config.rate__limits();
            }
        } catch (IllegalArgumentException e) {
            LOG.error("The 'rate_limits' setting was not applied (the earlier limits stay): {}", e.getMessage());
        }
        Path registryBefore = registryFile;
        registryFile = registryFile(config);
        String zkBefore = zk;
        java.time.Duration timeoutBefore = zkSessionTimeout;
        readHa(config);
        MasterConfig next = toMasterConfig(config);
        List<String> restart = new java.util.ArrayList<>(Settings.needingRestart(current, next));
        if (!zk.equals(zkBefore)) {
            restart.add("zk");
        }
        if (!zkSessionTimeout.equals(timeoutBefore)) {
            restart.add("zk_session_timeout");
        }
        if (!registryFile.equals(registryBefore)) {
            restart.add("work_dir");
        }
        try {
            io.pangaea.http.Tls nextTls = SecuritySettings.tls(config);
            if (!nextTls.equals(tls)) {
                restart.add("ssl_*");
                tls = nextTls;
            }
        } catch (IllegalArgumentException e) {
            LOG.error("The ssl_* settings were not applied (the earlier ones stay): {}", e.getMessage());
        }
        if (!restart.isEmpty()) {
            LOG.warn("{} changed: {} need(s) a new master, which starts now; agents and frameworks re-subscribe"
                    + " to it (other settings apply live)", String.join(", ", restart), restart.size() == 1
                    ? "it" : "they");
            stop();
            allocators.configure(next.allocator(), config.default__allocator());
            start(next);
            return;
        }
        current = next;
        if (elected != null) {
            elected.reconfigure(next);
        } else if (master != null) {
            master.reconfigure(next);
        }
        allocators.configure(next.allocator(), config.default__allocator());
    }

    @Deactivate
    void deactivate() {
        if (allocatorRoute != null) {
            try {
                allocatorRoute.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the bundle
            }
        }
        if (controlRegistration != null) {
            try {
                controlRegistration.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the bundle
            }
        }
        stop();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + io.pangaea.http.HttpRoute.SERVER_PROPERTY
            + "=master)")
    void bindRoute(io.pangaea.http.HttpRoute route, Map<String, Object> props) {
        Object path = props.get(io.pangaea.http.HttpRoute.PATH_PROPERTY);
        routes.add(path == null ? "/" : path.toString(), route);
    }

    void unbindRoute(io.pangaea.http.HttpRoute route) {
        routes.remove(route);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAllocator(Allocator allocator, ServiceReference<Allocator> ref) {
        Object name = ref.getProperty(Allocator.NAME_PROPERTY);
        if (name != null) {
            allocators.add(name.toString(), allocator, ref.getBundle() == null ? "?"
                    : ref.getBundle().getSymbolicName() + " " + ref.getBundle().getVersion());
        }
    }

    void unbindAllocator(Allocator allocator, ServiceReference<Allocator> ref) {
        Object name = ref.getProperty(Allocator.NAME_PROPERTY);
        if (name != null) {
            allocators.remove(name.toString(), allocator);
        }
    }
}
