package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.pangaea.master.internal.MasterState.AgentEntry;
import io.pangaea.master.internal.MasterState.ExecutorEntry;
import io.pangaea.master.internal.MasterState.ExecutorKey;
import io.pangaea.master.internal.MasterState.FrameworkEntry;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.ExecutorInfo;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.OfferId;
import io.pangaea.model.Offer;
import io.pangaea.model.Resources;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.agentproto.AgentEvent;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Test;

/** The frameworks, executors and accepts parts on their own, with the state booked by hand. */
public class FrameworksAndExecutorsPartTest {

    private final PartsFixture f = new PartsFixture();

    @After
    public void close() {
        f.close();
    }

    private static ExecutorInfo executor(FrameworkId fw, String id, String resources) {
        return new ExecutorInfo(ExecutorInfo.Type.CUSTOM, ExecutorId.of(id), fw, CommandInfo.shell("./run"), null,
                Resources.parse(resources).toList(), null, null, null, null, null);
    }

    @Test
    public void anExecutorIsChargedOncePerAgentAndGivesBackWhatItUsedWhenRemoved() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "*");
        ExecutorInfo e = executor(fw.id, "e1", "cpus:0.5;mem:64");
        f.run(() -> {
            Resources first = f.ctx.executors.addExecutor(a, e, "*");
            Resources second = f.ctx.executors.addExecutor(a, e, "*");
            assertEquals(Resources.parse("cpus:0.5;mem:64"), first.unallocated());
            assertTrue("charged once", second.isEmpty());
            fw.allocate("*", first);
            a.setAvailable(a.available().minus(first.unallocated()));
            ExecutorEntry entry = a.executors.get(new ExecutorKey(fw.id, ExecutorId.of("e1")));
            f.ctx.executors.removeExecutor(a, entry);
            assertTrue(a.executors.isEmpty());
            assertEquals(a.total(), a.available());
            assertTrue(fw.allocated.isEmpty());
        });
    }

    @Test
    public void anAcceptOfAnOfferThatIsGoneLosesItsTasksAndGivesBackTheValidOffers() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "*");
        Offer good = f.on(() -> f.ctx.offers.make(fw, a, "*", Resources.parse("cpus:1;mem:128")));
        TaskInfo task = new TaskInfo("t", TaskId.of("t1"), a.id, Resources.parse("cpus:1").toList(), null,
                CommandInfo.shell("true"), null, null, null, null);
        Call.Operation launch = new Call.Operation(Call.Operation.Type.LAUNCH, null,
                new Call.Operation.Launch(List.of(task)), null, null, null, null, null);
        f.run(() -> f.ctx.accepts.accept(fw, new Call.Accept(List.of(good.id(), OfferId.of("gone")),
                List.of(launch), null)));
        f.run(() -> {
            assertTrue(fw.tasks.isEmpty());
            assertTrue(f.state.offers.isEmpty());
            assertEquals(a.total(), a.available());
        });
        Event lost = PartsFixture.sink(fw.stream).read(Event.class).get(0);
        assertEquals(TaskState.TASK_LOST, lost.update().status().state());
        assertTrue(lost.update().status().message(), lost.update().status().message().contains("no longer valid"));
        assertTrue("nothing was sent to the agent", PartsFixture.sink(a.stream).records.isEmpty());
    }

    @Test
    public void anAcceptLaunchesOnTheAgentAndFiltersWhatIsLeft() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "*");
        Offer offer = f.on(() -> f.ctx.offers.make(fw, a, "*", Resources.parse("cpus:4;mem:1024")));
        TaskInfo task = new TaskInfo("t", TaskId.of("t1"), a.id, Resources.parse("cpus:1;mem:128").toList(), null,
                CommandInfo.shell("true"), null, null, null, null);
        f.run(() -> f.ctx.accepts.accept(fw, new Call.Accept(List.of(offer.id()), List.of(new Call.Operation(
                Call.Operation.Type.LAUNCH, null, new Call.Operation.Launch(List.of(task)), null, null, null, null,
                null)), new io.pangaea.model.Filters(30.0))));
        f.run(() -> {
            assertTrue(fw.tasks.containsKey(TaskId.of("t1")));
            assertEquals(Resources.parse("cpus:3;mem:896"), a.available());
            assertEquals(Resources.parse("cpus:1;mem:128"), fw.allocatedTotal().unallocated());
            assertTrue("what was left is filtered", Offers.filtered(fw.filters.get(a.id),
                    Resources.parse("cpus:3;mem:896"), System.nanoTime()));
        });
        AgentEvent sent = PartsFixture.sink(a.stream).read(AgentEvent.class).get(0);
        assertEquals(AgentEvent.Type.LAUNCH, sent.type());
        assertEquals("t1", sent.launch().task().taskId().value());
    }

    @Test
    public void aDisconnectedFrameworkIsRemovedAtItsFailoverTimeoutAndItsTasksKilled() {
        AgentEntry a = f.agent("a1", "cpus:4;mem:1024");
        FrameworkEntry fw = f.framework("fw1", "*");
        f.run(() -> {
            fw.info = new FrameworkInfo("root", "t", fw.id, 0.2, null, "*", null, null, null, null, List.of(), null);
            Resources r = Resources.parse("cpus:1").allocatedTo("*");
            MasterState.TaskEntry t = new MasterState.TaskEntry(new TaskInfo("t", TaskId.of("t1"), a.id, r.toList(),
                    null, CommandInfo.shell("sleep 9"), null, null, null, null), fw.id, a.id, "*", r);
            t.setState(TaskState.TASK_RUNNING);
            fw.tasks.put(t.info.taskId(), t);
            a.tasks.put(t.key(), t);
            fw.allocate("*", r);
            a.setAvailable(a.available().minus(r.unallocated()));
            f.ctx.frameworks.disconnected(fw, fw.stream);
            assertFalse(fw.connected);
            assertTrue("still known while its failover timeout runs", f.state.frameworks.containsKey(fw.id));
        });
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> f.on(() -> f.state.completedFrameworks
                .stream().anyMatch(c -> c.id.equals(fw.id))));
        f.run(() -> {
            assertFalse(f.state.frameworks.containsKey(fw.id));
            assertEquals(a.total(), a.available());
        });
        AgentEvent shutdown = PartsFixture.sink(a.stream).read(AgentEvent.class).get(0);
        assertEquals(AgentEvent.Type.SHUTDOWN_FRAMEWORK, shutdown.type());
    }
}
