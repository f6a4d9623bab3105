package io.pangaea.executor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;
import org.junit.Test;

public class ExecutorDriverTest {

    @Test
    public void theEnvironmentNamesTheAgentAndTheIds() {
        ExecutorDriver d = ExecutorDriver.fromEnvironment(new Executor() { }, Map.of(
                "MESOS_AGENT_ENDPOINT", "127.0.0.1:5051", "MESOS_FRAMEWORK_ID", "fw-1", "MESOS_EXECUTOR_ID", "ex-1",
                "MESOS_RECOVERY_TIMEOUT", "15mins")::get);
        assertEquals("fw-1", d.frameworkId().value());
        assertEquals("ex-1", d.executorId().value());
        assertTrue(d.unacknowledgedTasks().isEmpty());
    }

    @Test
    public void aMissingVariableIsNamed() {
        try {
            ExecutorDriver.fromEnvironment(new Executor() { }, Map.of("MESOS_AGENT_ENDPOINT", "127.0.0.1:5051",
                    "MESOS_FRAMEWORK_ID", "fw-1")::get);
            fail("no executor id");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MESOS_EXECUTOR_ID"));
        }
    }

    @Test
    public void anUnreachableAgentEndsTheRunAfterTheRecoveryTimeout() {
        ExecutorDriver d = new ExecutorDriver(java.net.URI.create("http://127.0.0.1:1"),
                io.pangaea.model.FrameworkId.of("f"), io.pangaea.model.ExecutorId.of("e"), new Executor() { },
                java.time.Duration.ofMillis(300), java.time.Duration.ofMillis(50));
        assertEquals(1, d.run());
    }
}
