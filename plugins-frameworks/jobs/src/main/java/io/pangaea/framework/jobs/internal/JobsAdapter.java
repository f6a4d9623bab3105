package io.pangaea.framework.jobs.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.framework.AdapterStatus;
import io.pangaea.framework.FrameworkAdapter;
import io.pangaea.framework.support.AdapterRunner;
import io.pangaea.framework.support.AdapterState;
import io.pangaea.framework.support.Election;
import io.pangaea.framework.support.StateStore;
import io.pangaea.http.Acls;
import io.pangaea.http.HttpAuthentication;
import io.pangaea.http.JaasVerifier;
import io.pangaea.http.Tls;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Label;
import io.pangaea.model.Labels;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs adapter (Chronos's API) as a component: it serves its API on its own port, contends with its other
 * instances (with {@code zk}), and, while it acts, runs the framework against the leading master. Stopping it (a
 * bundle update, {@code feature:uninstall}) leaves the running jobs' tasks alone: the next start subscribes with the
 * same framework id, reconciles them and goes on with the schedules where they were.
 */
@Component(name = JobsAdapter.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        property = FrameworkAdapter.NAME_PROPERTY + "=jobs")
@Designate(ocd = JobsAdapter.Config.class)
public final class JobsAdapter implements FrameworkAdapter {

    static final String PID = "io.pangaea.framework.jobs";
    private static final Logger LOG = LoggerFactory.getLogger(JobsAdapter.class);

    @ObjectClassDefinition(name = "Pangaea jobs adapter (Chronos API)",
            description = "Scheduled and dependent jobs through Chronos's REST API")
    public @interface Config {
        @AttributeDefinition(description = "Port of the Chronos API")
        int port() default 4400;

        @AttributeDefinition(description = "Address the API listens on")
        String ip() default "0.0.0.0";

        @AttributeDefinition(description = "Host name other instances and clients reach this one by")
        String hostname() default "127.0.0.1";

        @AttributeDefinition(description = "The masters: host:port[,host:port], http(s):// URLs, or zk://host:port/path")
        String master() default "127.0.0.1:5050";

        @AttributeDefinition(description = "zk://host:port[,host:port]/path: this adapter's znode, where its instances"
                + " elect the acting one and keep their state; empty: a single instance, state in files")
        String zk() default "";

        @AttributeDefinition(description = "ZooKeeper session timeout, in milliseconds")
        int zk__session__timeout__ms() default 10_000;

        @AttributeDefinition(description = "Folder of the state without zk; empty: <karaf.data>/pangaea-jobs")
        String state__dir() default "";

        @AttributeDefinition(description = "Framework name")
        String framework__name() default "chronos";

        @AttributeDefinition(description = "User the tasks run as, unless an app sets one")
        String user() default "root";

        @AttributeDefinition(description = "Role the framework subscribes with")
        String role() default "*";

        @AttributeDefinition(description = "Framework failover timeout, in seconds (a week by default)")
        double failover__timeout() default 604_800;

        @AttributeDefinition(description = "Principal for the master (authenticate_http_frameworks)")
        String principal() default "";

        @AttributeDefinition(description = "Secret of the principal", type = org.osgi.service.metatype.annotations
                .AttributeType.PASSWORD)
        String secret() default "";

        @AttributeDefinition(description = "PEM CA certificates trusted for https masters; empty: the JVM's")
        String master__ca__file() default "";

        @AttributeDefinition(description = "Ask for credentials (HTTP Basic) on the API")
        boolean authenticate__http() default false;

        @AttributeDefinition(description = "Credentials, as Mesos's credentials file or its JSON")
        String credentials() default "";

        @AttributeDefinition(description = "A Karaf JAAS realm checked for principals the credentials do not list")
        String http__authentication__realm() default "";

        @AttributeDefinition(description = "ACLs (Mesos's JSON; actions view_jobs, update_jobs)")
        String acls() default "";

        boolean ssl__enabled() default false;

        String ssl__cert__file() default "";

        String ssl__key__file() default "";

        String ssl__keystore() default "";

        @AttributeDefinition(type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
        String ssl__keystore__password() default "";

        String ssl__ca__file() default "";

        boolean ssl__require__cert() default false;

        boolean ssl__support__downgrade() default false;
    }

    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Server server;
    private final AdapterRunner runner;
    private final JobScheduler scheduler;
    private final AdapterState state;
    private final String api;

    @Activate
    public JobsAdapter(Config config) throws Exception {
        Tls tls = new Tls(config.ssl__enabled(), config.ssl__cert__file(), config.ssl__key__file(), config.ssl__keystore(),
                config.ssl__keystore__password(), config.ssl__ca__file(), config.ssl__require__cert(),
                config.ssl__support__downgrade());
        String bad = tls.invalid();
        if (bad != null) {
            throw new IllegalArgumentException(PID + ": " + bad);
        }
        HttpAuthentication auth = config.authenticate__http()
                ? new HttpAuthentication(Set.of(JobsApi.REALM), HttpAuthentication.credentials(
                config.credentials()), config.http__authentication__realm().isBlank() ? null
                : new JaasVerifier(config.http__authentication__realm()))
                : HttpAuthentication.none();
        Acls acls = Acls.parse(config.acls());
        List<URI> masters = AdapterState.masters(config.master());
        this.api = tls.scheme() + "://" + config.hostname() + ":" + config.port();
        state = AdapterState.open(config.zk(), config.zk__session__timeout__ms(), config.state__dir().isBlank()
                ? Path.of(System.getProperty("karaf.data", "data"), "pangaea-jobs") : Path.of(config.state__dir()), api);
        StateStore store = state.store();
        Election election = state.election();
        scheduler = new JobScheduler(json, store);
        Jobs jobs = new Jobs(json, scheduler);
        FrameworkInfo info = new FrameworkInfo(config.user(), config.framework__name(), null,
                config.failover__timeout(), true, config.role(), null, config.hostname(),
                config.principal().isBlank() ? null : config.principal(), api,
                List.of(new FrameworkInfo.Capability(FrameworkInfo.Capability.Type.PARTITION_AWARE),
                        new FrameworkInfo.Capability(FrameworkInfo.Capability.Type.TASK_KILLING_STATE)),
                new Labels(List.of(new Label("pangaea.adapter", "jobs"))));
        javax.net.ssl.SSLContext masterTls = config.master__ca__file().isBlank() ? null
                : Tls.trusting(Path.of(config.master__ca__file()));
        runner = new AdapterRunner("jobs", masters, info, store, election, api, scheduler, scheduler::acting,
                b -> {
                    if (!config.principal().isBlank()) {
                        b.credential(config.principal(), config.secret());
                    }
                    if (masterTls != null) {
                        b.sslContext(masterTls);
                    }
                });
        JobsApi handler = new JobsApi(json, scheduler, jobs, new JobsApi.Host() {
            @Override
            public boolean acting() {
                return runner.election().isActing() && scheduler.acting();
            }

            @Override
            public String actingUrl() {
                return runner.election().acting();
            }
        }, auth, acls, tls.enabled() ? tls.clientContext() : null);
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("jobs-http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = tls.connector(server, http);
        connector.setHost(config.ip());
        connector.setPort(config.port());
        connector.setIdleTimeout(60_000);
        server.addConnector(connector);
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            scheduler.close();
            state.close();
            throw new IllegalStateException(PID + ": cannot listen on port " + config.port() + ": " + e.getMessage(),
                    e);
        }
        runner.start();
        LOG.info("Jobs adapter (Chronos API) on {}, masters {}{}", api, masters,
                config.zk().isBlank() ? "" : ", electing in " + config.zk());
    }

    @Override
    public String name() {
        return "jobs";
    }

    @Override
    public AdapterStatus status() {
        return runner.status();
    }

    @Deactivate
    void deactivate() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the jobs API: {}", e.toString());
        }
        runner.close();
        scheduler.close();
        state.close();
        LOG.info("Jobs adapter stopped; its framework and tasks keep running");
    }

}
