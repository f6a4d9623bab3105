package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.AgentId;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/** The launch checks as pure functions: each rule named by the message Mesos gives. */
public class LaunchValidatorTest {

    private final FrameworkEntry fw = framework();
    private final AgentEntry agent = agent();

    private static FrameworkEntry framework() {
        FrameworkEntry f = new FrameworkEntry(FrameworkId.of("fw1"));
        f.info = new FrameworkInfo("root", "t", f.id, null, null, null, List.of("*"), null, null, null, List.of(),
                null);
        return f;
    }

    private static AgentEntry agent() {
        AgentEntry a = new AgentEntry(AgentId.of("a1"), new AgentViews(new java.util.HashMap<>()));
        a.setTotal(Resources.parse("cpus:4;mem:1024"));
        a.setAvailable(a.total());
        return a;
    }

    private static TaskInfo task(String id, String resources, CommandInfo command, ExecutorInfo executor) {
        return new TaskInfo("t", id == null ? null : TaskId.of(id), null,
                resources == null ? null : Resources.parse(resources).toList(), executor, command, null, null, null,
                null);
    }

    private String check(TaskInfo t) {
        return LaunchValidator.validateTask(fw, agent, t, Resources.parse("cpus:2;mem:512").allocatedTo("*"), "*",
                new HashSet<>());
    }

    @Test
    public void aWellFormedTaskThatFitsPasses() {
        assertNull(check(task("ok", "cpus:1;mem:128", CommandInfo.shell("true"), null)));
    }

    @Test
    public void eachRuleHasItsMessage() {
        assertEquals("Task ID must not be empty", check(task("", "cpus:1", CommandInfo.shell("true"), null)));
        assertTrue(check(task("a/b", "cpus:1", CommandInfo.shell("true"), null)).contains("invalid characters"));
        assertEquals("Task uses no resources", check(task("t1", null, CommandInfo.shell("true"), null)));
        assertTrue(check(task("t1", "cpus:1", null, null)).startsWith("Task should have at least one"));
        assertTrue(check(task("t1", "cpus:3", CommandInfo.shell("true"), null))
                .startsWith("Task uses more resources"));
        assertEquals("'CommandInfo.value' must be set for a shell command",
                check(task("t1", "cpus:1", CommandInfo.shell(""), null)));
    }

    @Test
    public void aTaskIdUsedTwiceInOneCallIsRefused() {
        Set<TaskId> inThisCall = new HashSet<>(Set.of(TaskId.of("dup")));
        assertEquals("Task has duplicate ID: dup", LaunchValidator.validateTaskAlone(fw, agent,
                task("dup", "cpus:1", CommandInfo.shell("true"), null), inThisCall));
    }

    @Test
    public void executorsAreCheckedForTheirType() {
        ExecutorInfo dflt = new ExecutorInfo(ExecutorInfo.Type.DEFAULT, ExecutorId.of("e"), null, null, null,
                null, null, null, null, null, null);
        assertTrue(LaunchValidator.validateExecutor(fw, agent, dflt, false).contains("task groups only"));
        ExecutorInfo custom = new ExecutorInfo(ExecutorInfo.Type.CUSTOM, ExecutorId.of("e"), null, null, null,
                null, null, null, null, null, null);
        assertEquals("'ExecutorInfo.command' must be set for a CUSTOM executor",
                LaunchValidator.validateExecutor(fw, agent, custom, false));
        ExecutorInfo ok = new ExecutorInfo(ExecutorInfo.Type.CUSTOM, ExecutorId.of("e"), null,
                CommandInfo.shell("./run"), null, null, null, null, null, null, null);
        assertNull(LaunchValidator.validateExecutor(fw, agent, ok, false));
    }

    @Test
    public void negativeScalarsAreRefused() {
        String error = LaunchValidator.invalidResources("Task", List.of(new io.pangaea.model.Resource("cpus",
                io.pangaea.model.ValueType.SCALAR, new io.pangaea.model.Scalar(-1.0), null, null, null, null,
                null)));
        assertTrue(error, error != null && error.startsWith("Task uses invalid resources"));
    }
}
