package io.pangaea.isolator.posix;

import io.pangaea.agent.spi.Isolator;
import io.pangaea.agent.spi.ResourceStatistics;
import io.pangaea.model.ContainerId;
import org.osgi.service.component.annotations.Component;

/** {@code posix/mem}: no enforcement yet; reports the resident memory of the container's processes. */
@Component(service = Isolator.class, property = Isolator.NAME_PROPERTY + "=posix/mem")
public final class PosixMemIsolator implements Isolator {

    @Override
    public ResourceStatistics usage(ContainerId id, long pid, ResourceStatistics s) {
        ProcStat.Usage u = ProcStat.ofGroup(pid);
        return new ResourceStatistics(s.timestamp(), u.processes(), u.threads(), s.cpusUserTimeSecs(),
                s.cpusSystemTimeSecs(), s.cpusLimit(), u.rssBytes(), s.memLimitBytes());
    }
}
