package io.pangaea.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * Fault injection under load, small enough for CI (see {@link FaultInjection}): the leading master, an agent and
 * ZooKeeper are killed, and an agent is stopped past its ping budget, one after another, while a framework keeps
 * launching short tasks. No task that started is lost, every task ends exactly once, none runs twice, and the
 * stopped agent's task goes TASK_UNREACHABLE within the ping budget and comes back TASK_RUNNING. The larger run and
 * its figures are {@link FaultInjectionBenchmark}'s.
 */
public class FaultInjectionIT {

    @Test
    public void aClusterUnderLoadLosesNoTaskThroughASeriesOfFaults() throws Exception {
        try (FaultInjection f = new FaultInjection(1.0, 2)) {
            f.warmUp();
            f.killLeadingMaster();
            f.killAndRestartAgent(0);
            f.stopAndContinueAgent(1);
            f.restartZooKeeper();
            FaultInjection.Report r = f.finish();
            assertEquals(r.toString(), 0, r.lost());
            assertEquals(r.toString(), 0, r.neverEnded());
            assertEquals(r.toString(), 0, r.conflictingEnds());
            assertEquals(r.toString(), 0, r.duplicateLaunches());
            assertEquals(r.toString(), 0, r.failed());
            assertTrue(r.toString(), r.finished() > 10);
            assertEquals(r.toString(), 2, r.killed());
            // the ping budget is 3 s; generous slack for a loaded machine (the exact figure is the benchmark's)
            double budget = FaultInjection.MAX_PINGS * FaultInjection.PING.toSeconds();
            assertTrue(f.figures.toString(), f.last("unreachable_after_agent_stop_s") < budget + 15);
        }
    }
}
