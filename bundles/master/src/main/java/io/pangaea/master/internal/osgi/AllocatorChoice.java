package io.pangaea.master.internal.osgi;

import io.pangaea.allocator.Allocator;
import io.pangaea.master.internal.AllocatorControl;
import io.pangaea.master.internal.Master;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which allocation policy the running master uses. The policies are the {@link Allocator} services installed (bound by
 * {@link MasterComponent} as bundles come and go, each named by {@link Allocator#NAME_PROPERTY}); the master uses the
 * configured one ({@code allocator}), or while that one is not installed the default ({@code default_allocator}) or
 * any installed one, so that a running master has a policy whenever one exists. The shell and {@code /allocator}
 * switch through {@link AllocatorControl}.
 * <p>
 * Its lock is taken after {@link MasterComponent}'s, never before: the component calls in while it starts a master,
 * and this class only reads the master through a volatile supplier.
 */
final class AllocatorChoice implements AllocatorControl {

    private static final Logger LOG = LoggerFactory.getLogger(AllocatorChoice.class);

    /** How long the master may wait at boot for an allocator before it warns that none is installed. */
    static final long BOOT_GRACE_SECONDS = 20;

    private final Supplier<Master> master;
    private final Supplier<ConfigurationAdmin> configAdmin;
    private final Map<String, Allocator> allocators = new ConcurrentHashMap<>();
    private final Map<String, String> bundles = new ConcurrentHashMap<>();
    private volatile String configured;
    private volatile String fallback;
    private volatile String active;
    private boolean anySeen;
    private boolean checkPending;

    AllocatorChoice(Supplier<Master> master, Supplier<ConfigurationAdmin> configAdmin, String configured,
            String fallback) {
        this.master = master;
        this.configAdmin = configAdmin;
        this.configured = configured;
        this.fallback = fallback;
    }

    /** A policy's service came: it is used if it is the one configured, or while there is none. */
    synchronized void add(String name, Allocator allocator, String bundle) {
        allocators.put(name, allocator);
        bundles.put(name, bundle);
        anySeen = true;
        LOG.info("Allocator '{}' available", name);
        select();
    }

    /** A policy's service went: the master moves to another, if it was using it. */
    synchronized void remove(String name, Allocator allocator) {
        if (allocators.remove(name, allocator)) {
            bundles.remove(name);
            LOG.info("Allocator '{}' gone", name);
            select();
        }
    }

    /** The settings name the policy ({@code allocator}) and the fallback ({@code default_allocator}). */
    synchronized void configure(String name, String defaultName) {
        if (configured != null && !configured.equals(name)) {
            LOG.info("Allocator set to '{}'", name);
        }
        configured = name;
        fallback = defaultName;
        select();
    }

    /** Gives the master (a new one, or one whose policy may have changed) the policy it should use. */
    synchronized void select() {
        Master m = master.get();
        if (m == null || configured == null) {
            return;
        }
        String name = configured;
        Allocator wanted = allocators.get(name);
        if (wanted == null) {
            String instead = allocators.containsKey(fallback) ? fallback
                    : allocators.keySet().stream().sorted().findFirst().orElse(null);
            if (instead == null) {
                noneInstalled(name);
            } else if (!instead.equals(active)) {
                LOG.warn("Allocator '{}' is not installed; using '{}' until it is", name, instead);
            }
            name = instead;
            wanted = instead == null ? null : allocators.get(instead);
        }
        if (m.allocator() != wanted) {
            LOG.info("Allocation policy is now {}", name == null ? "none" : "'" + name + "'");
            m.setAllocator(wanted);
        }
        active = name;
    }

    /**
     * No allocator is installed. At boot that is the normal state until the policies' bundles start, so the
     * warning waits {@value #BOOT_GRACE_SECONDS} s and is given only if there is still none; once one has been
     * seen, its going away is warned of at once.
     */
    private void noneInstalled(String name) {
        if (anySeen) {
            LOG.warn("Allocator '{}' is not installed and no other is; no offers are made until one is", name);
        } else if (!checkPending) {
            checkPending = true;
            LOG.info("Waiting for allocator '{}' to start", name);
            CompletableFuture.delayedExecutor(BOOT_GRACE_SECONDS, TimeUnit.SECONDS).execute(() -> {
                synchronized (this) {
                    checkPending = false;
                    if (master.get() != null && allocators.isEmpty()) {
                        LOG.warn("Allocator '{}' is not installed and no other is, {} s after the master started;"
                                + " no offers are made until one is (feature:install pangaea-allocator-<name>)",
                                configured, BOOT_GRACE_SECONDS);
                    }
                }
            });
        }
    }

    @Override
    public Map<String, String> installed() {
        return new TreeMap<>(bundles);
    }

    @Override
    public String configured() {
        return configured;
    }

    @Override
    public String active() {
        return active;
    }

    @Override
    public void use(String name) throws Exception {
        if (name == null || !allocators.containsKey(name)) {
            throw new IllegalArgumentException("Allocator '" + name + "' is not installed (installed: "
                    + String.join(", ", installed().keySet()) + "); install one with"
                    + " feature:install pangaea-allocator-<name>");
        }
        Configuration cfg = configAdmin.get().getConfiguration("io.pangaea.master", null);
        Dictionary<String, Object> props = cfg.getProperties();
        if (props == null) {
            props = new Hashtable<>();
        }
        props.put("allocator", name);
        Path file = io.pangaea.http.SettingsFile.of(props.get(io.pangaea.http.SettingsFile.FILENAME));
        if (file != null && java.nio.file.Files.isRegularFile(file)) {
            // kept for the next start: the file first (whole, at once), as config:property-set does; fileinstall
            // then reads what Configuration Admin already has (it does not write the file back in these
            // distributions)
            io.pangaea.http.SettingsFile.set(file, "allocator", name);
        }
        cfg.update(props);
        // in effect now, not when Configuration Admin calls the component back (asynchronously): the shell's next
        // command sees it
        configure(name, fallback);
    }
}
