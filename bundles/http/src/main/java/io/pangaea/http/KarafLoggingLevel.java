package io.pangaea.http;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * GET/SET_LOGGING_LEVEL in Karaf: the level of the {@code io.pangaea} loggers in Pax Logging's configuration
 * ({@code org.ops4j.pax.logging}, as {@code log:set} changes it), restored when the duration ends.
 */
public final class KarafLoggingLevel implements LoggingLevel {

    private static final String PID = "org.ops4j.pax.logging";
    private static final String NAME = "log4j2.logger.pangaea.name";
    private static final String LEVEL = "log4j2.logger.pangaea.level";
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pangaea-logging-level");
        t.setDaemon(true);
        return t;
    });

    /** ConfigAdmin is injected after the component is constructed, so it is looked up at each use. */
    private final java.util.function.Supplier<ConfigurationAdmin> configAdmin;
    private ScheduledFuture<?> revert;
    private String before;

    public KarafLoggingLevel(java.util.function.Supplier<ConfigurationAdmin> configAdmin) {
        this.configAdmin = configAdmin;
    }

    static String toLog4j(int level) {
        return level <= 0 ? "INFO" : level == 1 ? "DEBUG" : "TRACE";
    }

    static int fromLog4j(String level) {
        if (level == null) {
            return 0;
        }
        return switch (level.toUpperCase(java.util.Locale.ROOT)) {
            case "DEBUG" -> 1;
            case "TRACE", "ALL" -> 2;
            default -> 0;
        };
    }

    @Override
    public synchronized int get() {
        try {
            Dictionary<String, Object> p = configAdmin.get().getConfiguration(PID, null).getProperties();
            return fromLog4j(p == null || p.get(LEVEL) == null ? null : p.get(LEVEL).toString());
        } catch (Exception e) {
            return 0;
        }
    }

    @Override
    public synchronized void set(int level, Duration duration) throws Exception {
        if (revert == null) {
            Dictionary<String, Object> p = configAdmin.get().getConfiguration(PID, null).getProperties();
            before = p == null || p.get(LEVEL) == null ? null : p.get(LEVEL).toString();
        } else {
            revert.cancel(false);
        }
        write(toLog4j(level));
        revert = TIMER.schedule(this::restore, duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void restore() {
        try {
            write(before);
        } catch (Exception ignored) {
            // the level stays as it is
        }
        revert = null;
    }

    private void write(String level) throws Exception {
        Configuration cfg = configAdmin.get().getConfiguration(PID, null);
        Dictionary<String, Object> p = cfg.getProperties();
        if (p == null) {
            p = new Hashtable<>();
        }
        if (level == null) {
            p.remove(NAME);
            p.remove(LEVEL);
        } else {
            p.put(NAME, "io.pangaea");
            p.put(LEVEL, level);
        }
        cfg.update(p);
    }
}
