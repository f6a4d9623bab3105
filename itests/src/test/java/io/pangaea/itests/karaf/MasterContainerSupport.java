package io.pangaea.itests.karaf;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import javax.inject.Inject;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** The built master distribution in a Pax Exam Karaf container, offline, on free ports. */
public abstract class MasterContainerSupport {

    static final String PORT_PROPERTY = "pangaea.test.master.port";

    @Inject
    protected BundleContext context;

    @Configuration
    public Option[] config() {
        String karafVersion = System.getProperty("karaf.version");
        String localRepository = new File(System.getProperty("pangaea.localRepository")).toURI().toString();
        File archive = new File(System.getProperty("pangaea.masterArchive"));
        int port = freePort();
        String endorsed = "lib/endorsed/org.apache.karaf.specs.";
        return new Option[] {
            karafDistributionConfiguration()
                    .frameworkUrl(archive.toURI().toString())
                    .karafVersion(karafVersion)
                    .name("Pangaea master")
                    .unpackDirectory(new File("target/exam"))
                    .useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.WARN),
            editConfigurationFilePut("etc/io.pangaea.master.cfg", "port", Integer.toString(port)),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            // The distribution has no remote repository; Pax Exam's own feature comes from the build's local one.
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                    "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots,"
                            + localRepository + "@id=local@snapshots"),
            systemProperty(PORT_PROPERTY).value(Integer.toString(port)),
            // What bin/karaf passes on JDK 9+ and Pax Exam 4.14 does not.
            vmOptions("--add-reads=java.xml=java.logging",
                    "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                    "--patch-module", "java.base=" + endorsed + "locator-" + karafVersion + ".jar",
                    "--patch-module", "java.xml=" + endorsed + "java.xml-" + karafVersion + ".jar",
                    "--add-opens", "java.base/java.security=ALL-UNNAMED",
                    "--add-opens", "java.base/java.net=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens", "java.base/java.util=ALL-UNNAMED",
                    "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                    "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                    "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"),
        };
    }


    protected int masterPort() {
        return Integer.parseInt(System.getProperty(PORT_PROPERTY));
    }

    protected void awaitMasterService() throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                context.createFilter("(objectClass=io.pangaea.master.internal.Master)"), null);
        tracker.open(true);
        try {
            if (tracker.waitForService(60_000) == null) {
                throw new AssertionError("the master did not register itself");
            }
        } finally {
            tracker.close();
        }
    }

    /**
     * Waits until {@code condition} holds, polling every 20 ms (Awaitility is not in the container), or fails
     * naming {@code what}.
     */
    protected static void eventually(String what, java.time.Duration timeout,
                                     java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object lock = new Object();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            synchronized (lock) {
                lock.wait(20);
            }
        }
    }

    /** A free port below the ephemeral range (see {@link io.pangaea.itests.LocalCluster#freePort}). */
    static int freePort() {
        return io.pangaea.itests.LocalCluster.freePort();
    }
}
