package io.pangaea.isolator.cgroups;

import io.pangaea.agent.spi.ContainerException;
import io.pangaea.agent.spi.ContainerSpec;
import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.model.ContainerId;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

/** {@code cgroups/pids}: at most {@code cgroups_pids_max} processes and threads per container; a fork bomb stalls. */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=cgroups/pids",
        configurationPid = CgroupsConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class CgroupsPidsIsolator implements Isolator {

    private final Cgroups cgroups;
    private final int max;

    @Activate
    public CgroupsPidsIsolator(CgroupsConfig config) {
        this(CgroupFs.detect(), config.cgroups__root(), config.cgroups__pids__max());
    }

    CgroupsPidsIsolator(CgroupFs fs, String root, int max) {
        this.cgroups = new Cgroups(fs, root, List.of("pids"), true);
        this.max = max;
    }

    @Override
    public List<String> prepare(ContainerSpec spec) throws ContainerException {
        List<Cgroups.Dir> dirs = cgroups.create(spec.containerId());
        cgroups.dir(spec.containerId(), "pids").write("pids.max", Integer.toString(max));
        return Cgroups.entryPrefix(dirs);
    }

    @Override
    public ResourceStatistics usage(ContainerId id, long pid, ResourceStatistics s) {
        Cgroups.Dir d = cgroups.dir(id, "pids");
        String current = d == null ? null : d.read("pids.current");
        return current == null ? s : new ResourceStatistics(s.timestamp(), Integer.parseInt(current), s.threads(),
                s.cpusUserTimeSecs(), s.cpusSystemTimeSecs(), s.cpusLimit(), s.memRssBytes(), s.memLimitBytes());
    }

    @Override
    public void cleanup(ContainerId id) {
        cgroups.destroy(id);
    }
}
