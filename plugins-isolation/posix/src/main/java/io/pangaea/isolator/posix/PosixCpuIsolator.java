package io.pangaea.isolator.posix;

import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.model.ContainerId;
import org.osgi.service.component.annotations.Component;

/** {@code posix/cpu}: no enforcement; reports user and system CPU time of the container's processes. */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=posix/cpu")
public final class PosixCpuIsolator implements Isolator {

    @Override
    public ResourceStatistics usage(ContainerId id, long pid, ResourceStatistics s) {
        ProcStat.Usage u = ProcStat.ofGroup(pid);
        return new ResourceStatistics(s.timestamp(), u.processes(), u.threads(), u.userSecs(), u.systemSecs(),
                s.cpusLimit(), s.memRssBytes(), s.memLimitBytes());
    }
}
