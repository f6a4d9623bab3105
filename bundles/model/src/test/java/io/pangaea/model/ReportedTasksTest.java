package io.pangaea.model;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.agentproto.ReportedTasks;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.json.MesosJsonException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** A re-registration's completed tasks, read without being decoded and decoded one by one when asked. */
public class ReportedTasksTest {

    private static Task task(String id, String fw, double ended, int statuses) {
        TaskId tid = TaskId.of(id);
        List<TaskStatus> ss = new ArrayList<>();
        for (int s = 0; s < statuses; s++) {
            ss.add(new TaskStatus(tid, s == statuses - 1 ? TaskState.TASK_FINISHED : TaskState.TASK_RUNNING,
                    "m\u00e9ssage \"" + s + "\" {not: [json]}", TaskStatus.Source.SOURCE_EXECUTOR, null, null,
                    AgentId.of("a"), null, ended - (statuses - 1 - s), null, null,
                    new Labels(List.of(new Label("timestamp", "7"))), null));
        }
        return new Task("n-" + id, tid, FrameworkId.of(fw), null, AgentId.of("a"), TaskState.TASK_FINISHED,
                Resources.parse("cpus:0.5;mem:32").toList(), ss, TaskState.TASK_FINISHED, null,
                new Labels(List.of(new Label("k", "v"))), null, null);
    }

    private static AgentCall.Subscribe subscribe(List<Task> completed) {
        return new AgentCall.Subscribe(new AgentInfo("h", 5051, Resources.parse("cpus:4").toList(), List.of(), null),
                List.of(), List.of(), List.of(), "t", List.of(), null, completed);
    }

    @Test
    public void eachTaskIsDecodedWhenAskedForAndEqualsWhatWasSent() throws Exception {
        List<Task> sent = new ArrayList<>();
        sent.add(task("t1", "f1", 1795239324.793704, 1));
        sent.add(null);
        sent.add(task("t2", "f2", 1700000000.5, 3));
        sent.add(task("t3", "f1", 12, 0));
        byte[] body = MesosJson.write(AgentCall.subscribe(subscribe(sent)));
        AgentCall call = MesosJson.readReported(body, AgentCall.class);
        assertTrue(call.subscribe().completedTasks() instanceof ReportedTasks);
        ReportedTasks r = (ReportedTasks) call.subscribe().completedTasks();
        assertEquals(4, r.size());
        assertEquals("f1", r.frameworkId(0));
        assertEquals(1795239324.793704, r.endedAt(0), 0);
        assertNull(r.frameworkId(1));
        assertNull(r.get(1));
        assertEquals("f2", r.frameworkId(2));
        assertEquals("the latest status's time", 1700000000.5, r.endedAt(2), 0);
        assertEquals("no status: the oldest there can be", 0, r.endedAt(3), 0);
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i), r.get(i));
        }
        // read as any body, the same tasks in a plain list
        AgentCall plain = MesosJson.read(body, AgentCall.class);
        assertFalse(plain.subscribe().completedTasks() instanceof ReportedTasks);
        assertEquals(sent, plain.subscribe().completedTasks());
        assertEquals(plain.subscribe().agentInfo(), call.subscribe().agentInfo());
    }

    @Test
    public void thoseEndingAfterTheGivenTimeAreDecodedAsReadTheOthersWhenAsked() throws Exception {
        List<Task> sent = List.of(task("a", "f1", 100, 1), task("b", "f1", 300, 2), task("c", "f2", 150, 1),
                task("d", "f3", 1, 1));
        byte[] body = MesosJson.write(AgentCall.subscribe(subscribe(sent)));
        java.util.Map<String, Double> after = java.util.Map.of("f1", 200.0, "f2", 100.0);
        ReportedTasks r = (ReportedTasks) MesosJson.readReported(body, AgentCall.class,
                id -> after.getOrDefault(id, Double.NEGATIVE_INFINITY)).subscribe().completedTasks();
        assertFalse(r.decodedAsRead(0));
        assertTrue(r.decodedAsRead(1));
        assertTrue(r.decodedAsRead(2));
        assertTrue("no time given: decoded", r.decodedAsRead(3));
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i), r.get(i));
        }
        ReportedTasks none = (ReportedTasks) MesosJson.readReported(body, AgentCall.class).subscribe()
                .completedTasks();
        for (int i = 0; i < sent.size(); i++) {
            assertFalse(none.decodedAsRead(i));
        }
    }

    @Test
    public void aTimestampGivenAsAStringIsReadAndATaskThatIsNotValidFailsOnlyWhenDecoded() throws Exception {
        String body = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"agent_info\":{\"hostname\":\"h\"},"
                + "\"completed_tasks\":[{\"framework_id\":{\"value\":\"f\"},\"statuses\":[{\"timestamp\":\"42.5\"}],"
                + "\"task_id\":{\"value\":\"x\"},\"state\":\"TASK_NO_SUCH_STATE\",\"name\":\"x\"},"
                + "{\"task_id\":{\"value\":\"y\"},\"framework_id\":{\"value\":\"g\"},\"state\":\"TASK_FAILED\","
                + "\"name\":\"y\",\"statuses\":[{\"state\":\"TASK_FAILED\",\"timestamp\":7,"
                + "\"task_id\":{\"value\":\"y\"}}]}]}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ReportedTasks r = (ReportedTasks) MesosJson.readReported(bytes, AgentCall.class).subscribe()
                .completedTasks();
        assertEquals(42.5, r.endedAt(0), 0);
        assertEquals(7, r.endedAt(1), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.get(0));
        assertTrue(e.getMessage(), e.getMessage().contains("TASK_NO_SUCH_STATE"));
        assertEquals(TaskState.TASK_FAILED, r.get(1).state());
        // decoded whole, the body is refused with what is wrong
        MesosJsonException whole = assertThrows(MesosJsonException.class, () -> MesosJson.read(bytes,
                AgentCall.class));
        assertTrue(whole.getMessage(), whole.getMessage().contains("TASK_NO_SUCH_STATE"));
    }

    @Test
    public void aBodyThatIsNotJsonIsRefusedAsBefore() {
        byte[] broken = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"completed_tasks\":[{\"a\":".getBytes(
                StandardCharsets.UTF_8);
        MesosJsonException e = assertThrows(MesosJsonException.class, () -> MesosJson.readReported(broken,
                AgentCall.class));
        assertTrue(e.getMessage(), e.getMessage().startsWith("Failed to parse body into JSON"));
        byte[] notObjects = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"completed_tasks\":[1]}}".getBytes(
                StandardCharsets.UTF_8);
        assertThrows(MesosJsonException.class, () -> MesosJson.readReported(notObjects, AgentCall.class));
    }
}
