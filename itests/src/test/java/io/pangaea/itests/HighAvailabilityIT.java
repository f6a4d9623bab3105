package io.pangaea.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pangaea.model.CommandInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Offer;
import io.pangaea.model.Resource;
import io.pangaea.model.TaskId;
import io.pangaea.model.TaskInfo;
import io.pangaea.model.TaskState;
import io.pangaea.model.TaskStatus;
import io.pangaea.scheduler.Scheduler;
import io.pangaea.scheduler.SchedulerDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.TestingServer;
import org.junit.Test;

/**
 * Two master distributions and an agent distribution as separate processes, with a real ZooKeeper server: the
 * masters elect a leader, the other redirects to it (307), and when the leader's process is stopped the other
 * takes over; the agent (which reads the leader from ZooKeeper), the framework (scheduler library, given only the
 * follower's address) and its running task carry on with the new leader.
 */
public class HighAvailabilityIT {

    private static final HttpClient NO_REDIRECTS = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> call(int port, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        b = body == null ? b.GET() : b.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return NO_REDIRECTS.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void followerRedirectsAndTakesOverWhenTheLeaderGoes() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             // the agent finds the leader in ZooKeeper, as Mesos agents given --master=zk://... do
             LocalCluster c = new LocalCluster("cpus:2;mem:1024",
                     Map.of("master", "zk://" + zk.getConnectString() + "/pangaea"), 2,
                     "zk://" + zk.getConnectString() + "/pangaea")) {
            int leading = await("a leader").atMost(Duration.ofSeconds(60)).until(c::leader, i -> i >= 0);
            int leaderPort = c.masterPorts.get(leading);
            int followerPort = c.masterPorts.get(1 - leading);
            HttpResponse<String> redirected = call(followerPort, "/api/v1/scheduler",
                    "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}");
            assertEquals(307, redirected.statusCode());
            assertEquals("//127.0.0.1:" + leaderPort + "/api/v1/scheduler",
                    redirected.headers().firstValue("Location").orElse(""));

            List<TaskStatus> updates = new CopyOnWriteArrayList<>();
            List<Offer> offers = new CopyOnWriteArrayList<>();
            FrameworkInfo info = new FrameworkInfo("root", "ha-it", null, 600.0, false, "*", null, null, null, null,
                    null, null);
            try (SchedulerDriver driver = SchedulerDriver.builder(URI.create("http://127.0.0.1:" + followerPort), info)
                    .maxBackoff(Duration.ofSeconds(1)).scheduler(new Scheduler() {
                        @Override
                        public void offers(SchedulerDriver d, List<Offer> o) {
                            offers.addAll(o);
                        }

                        @Override
                        public void update(SchedulerDriver d, TaskStatus s) {
                            updates.add(s);
                        }
                    }).build()) {
                driver.start();
                Offer offer = await("an offer").atMost(Duration.ofSeconds(60))
                        .until(() -> offers.isEmpty() ? null : offers.get(0), o -> o != null);
                driver.launch(List.of(offer.id()), List.of(new TaskInfo("ha", TaskId.of("ha-task"), offer.agentId(),
                        List.of(Resource.scalar("cpus", 0.1), Resource.scalar("mem", 32)), null,
                        CommandInfo.shell("sleep 600"), null, null, null, null)), 0).get();
                await("running").atMost(Duration.ofSeconds(60)).until(() -> updates.stream()
                        .anyMatch(u -> u.state() == TaskState.TASK_RUNNING));

                int before = offers.size();
                c.stopMaster(leading);
                await("the follower leads").atMost(Duration.ofSeconds(60)).until(() -> c.leader() == 1 - leading);
                await("the task is known to the new leader").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> {
                            JsonNode t = JSON.readTree(call(followerPort, "/api/v1", "{\"type\":\"GET_TASKS\"}").body());
                            return t.at("/get_tasks/tasks/0/task_id/value").asText().equals("ha-task")
                                    && t.at("/get_tasks/tasks/0/state").asText().equals("TASK_RUNNING");
                        });
                await("the framework is back").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                    JsonNode f = JSON.readTree(call(followerPort, "/api/v1", "{\"type\":\"GET_FRAMEWORKS\"}").body());
                    return f.at("/get_frameworks/frameworks/0/framework_info/id/value").asText()
                            .equals(driver.frameworkId().value())
                            && f.at("/get_frameworks/frameworks/0/connected").asBoolean();
                });
                // and it can still run tasks: the agent's offers come from the new leader
                await("an offer from the new leader").atMost(Duration.ofSeconds(60)).until(() -> offers.size() > before);
                assertTrue(offers.get(offers.size() - 1).agentId().equals(offer.agentId()));
            }
        }
    }
}
