package io.pangaea.isolator.cgroups;

import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.model.ContainerId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * {@code cgroups/cpu}: CPU shares from the task's cpus (1024 per cpu, at least 2); with {@code cgroups_enable_cfs}
 * also a hard CFS quota of cpus x 100 ms per 100 ms period. User and system CPU time come from cpuacct (v1) or
 * cpu.stat (v2).
 */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=cgroups/cpu",
        configurationPid = CgroupsConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CgroupsConfig.class)
public final class CgroupsCpuIsolator implements Isolator {

    static final long PERIOD_US = 100_000;
    static final long MIN_QUOTA_US = 1_000;
    private static final double USER_HZ = 100.0;

    private final Cgroups cgroups;
    private final boolean cfs;
    private final Map<ContainerId, Double> cpus = new ConcurrentHashMap<>();

    @Activate
    public CgroupsCpuIsolator(CgroupsConfig config) {
        this(CgroupFs.detect(), config.cgroups__root(), config.cgroups__enable__cfs());
    }

    CgroupsCpuIsolator(CgroupFs fs, String root, boolean cfs) {
        this.cgroups = new Cgroups(fs, root, fs.v1("cpu") != null ? List.of("cpu", "cpuacct") : List.of("cpu"));
        this.cfs = cfs;
    }

    static long shares(double cpus) {
        return Math.max(2, (long) (cpus * 1024));
    }

    /** v2's cpu.weight for v1 shares (the mapping systemd and runc use). */
    static long weight(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    static long quotaUs(double cpus) {
        return Math.max(MIN_QUOTA_US, (long) (cpus * PERIOD_US));
    }

    @Override
    public List<String> prepare(ContainerSpec spec) throws ContainerException {
        List<Cgroups.Dir> dirs = cgroups.create(spec.containerId());
        apply(spec.containerId(), spec.resources().scalar("cpus"));
        return Cgroups.entryPrefix(dirs);
    }

    @Override
    public void update(ContainerId id, io.pangaea.model.Resources resources) throws ContainerException {
        if (cpus.containsKey(id)) {
            apply(id, resources.scalar("cpus"));
        }
    }

    /** Writes the shares (weight) and, with CFS, the quota for {@code c} cpus. */
    private void apply(ContainerId id, double c) throws ContainerException {
        Cgroups.Dir d = cgroups.dir(id, "cpu");
        if (d.v2()) {
            d.write("cpu.weight", Long.toString(weight(shares(c))));
            if (cfs && c > 0) {
                d.write("cpu.max", quotaUs(c) + " " + PERIOD_US);
            }
        } else {
            d.write("cpu.shares", Long.toString(shares(c)));
            if (cfs && c > 0) {
                d.write("cpu.cfs_period_us", Long.toString(PERIOD_US));
                d.write("cpu.cfs_quota_us", Long.toString(quotaUs(c)));
            }
        }
        cpus.put(id, c);
    }

    @Override
    public ResourceStatistics usage(ContainerId id, long pid, ResourceStatistics s) {
        Double user = null;
        Double system = null;
        Cgroups.Dir cpu = cgroups.dir(id, "cpu");
        Cgroups.Dir acct = cgroups.dir(id, "cpuacct");
        if (cpu != null && cpu.v2()) {
            Long u = cpu.keyed("cpu.stat", "user_usec");
            Long sy = cpu.keyed("cpu.stat", "system_usec");
            user = u == null ? null : u / 1e6;
            system = sy == null ? null : sy / 1e6;
        } else if (acct != null) {
            Long u = acct.keyed("cpuacct.stat", "user");
            Long sy = acct.keyed("cpuacct.stat", "system");
            user = u == null ? null : u / USER_HZ;
            system = sy == null ? null : sy / USER_HZ;
        }
        return new ResourceStatistics(s.timestamp(), s.processes(), s.threads(),
                user != null ? user : s.cpusUserTimeSecs(), system != null ? system : s.cpusSystemTimeSecs(),
                cpus.getOrDefault(id, s.cpusLimit()), s.memRssBytes(), s.memLimitBytes());
    }

    @Override
    public void cleanup(ContainerId id) {
        cpus.remove(id);
        cgroups.destroy(id);
    }
}
