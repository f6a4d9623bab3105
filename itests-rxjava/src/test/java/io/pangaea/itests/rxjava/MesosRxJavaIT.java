package io.pangaea.itests.rxjava;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.mesosphere.mesos.rx.java.AwaitableSubscription;
import com.mesosphere.mesos.rx.java.MesosClient;
import com.mesosphere.mesos.rx.java.SinkOperation;
import com.mesosphere.mesos.rx.java.SinkOperations;
import com.mesosphere.mesos.rx.java.protobuf.ProtobufMesosClientBuilder;
import com.mesosphere.mesos.rx.java.protobuf.SchedulerCalls;
import com.mesosphere.mesos.rx.java.util.UserAgentEntries;
import io.pangaea.itests.LocalCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mesos.v1.Protos;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.awaitility.Awaitility;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import rx.Observable;

/**
 * Mesosphere's mesos-rxjava 0.2.0, unmodified (protobuf codec, Mesos 1.0 messages on protobuf-java 2.6.1): it
 * probes {@code /redirect}, subscribes with a framework id it made up itself, launches N command tasks from the
 * offers it gets, acknowledges every update, and sees all N reach TASK_FINISHED.
 */
public class MesosRxJavaIT {

    private static final int TASKS = 10;
    private static LocalCluster cluster;

    @BeforeClass
    public static void startCluster() throws Exception {
        cluster = new LocalCluster("cpus:2;mem:1024;disk:1024;ports:[31000-31100]");
    }

    @AfterClass
    public static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Protos.Resource scalar(String name, double value) {
        return Protos.Resource.newBuilder().setName(name).setRole("*").setType(Protos.Value.Type.SCALAR)
                .setScalar(Protos.Value.Scalar.newBuilder().setValue(value)).build();
    }

    @Test
    public void theRxJavaClientRunsTasksToFinished() throws Throwable {
        Protos.FrameworkID fwId = Protos.FrameworkID.newBuilder().setValue("rx-" + UUID.randomUUID()).build();
        Call subscribe = SchedulerCalls.subscribe(fwId, Protos.FrameworkInfo.newBuilder().setId(fwId).setUser("root")
                .setName("mesos-rxjava").setFailoverTimeout(0).build());
        AtomicInteger launched = new AtomicInteger();
        Map<String, Protos.TaskState> states = new ConcurrentHashMap<>();
        MesosClient<Call, Event> client = ProtobufMesosClientBuilder.schedulerUsingProtos()
                .mesosUri(URI.create(cluster.masterUrl() + "/api/v1/scheduler"))
                .applicationUserAgentEntry(UserAgentEntries.literal("pangaea-itests", "0.1.0"))
                .subscribe(subscribe)
                .processStream(unicast -> {
                    Observable<Event> events = unicast.share();
                    Observable<Optional<SinkOperation<Call>>> offers = events
                            .filter(e -> e.getType() == Event.Type.OFFERS)
                            .flatMap(e -> Observable.from(e.getOffers().getOffersList()))
                            .map(offer -> Optional.of(SinkOperations.create(answer(fwId, offer, launched))));
                    Observable<Optional<SinkOperation<Call>>> acks = events
                            .filter(e -> e.getType() == Event.Type.UPDATE && e.getUpdate().getStatus().hasUuid())
                            .map(e -> {
                                Protos.TaskStatus s = e.getUpdate().getStatus();
                                states.merge(s.getTaskId().getValue(), s.getState(),
                                        (old, now) -> old == Protos.TaskState.TASK_FINISHED ? old : now);
                                return Optional.of(SinkOperations.create(SchedulerCalls.ackUpdate(fwId,
                                        s.getUuid(), s.getAgentId(), s.getTaskId())));
                            });
                    return offers.mergeWith(acks);
                })
                .build();
        AwaitableSubscription stream = client.openStream();
        try {
            Awaitility.await("all " + TASKS + " tasks finished").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> states.values().stream().filter(s -> s == Protos.TaskState.TASK_FINISHED).count()
                            == TASKS);
        } finally {
            stream.unsubscribe();
        }
        assertEquals(TASKS, launched.get());
        assertEquals(TASKS, states.size());
        // the framework is known to the master under the id the client chose
        assertTrue(cluster.get("/master/frameworks").contains(fwId.getValue()));
    }

    /** Launches as many of the remaining tasks as the offer holds, else declines it. */
    private static Call answer(Protos.FrameworkID fwId, Protos.Offer offer, AtomicInteger launched) {
        double cpus = 0;
        double mem = 0;
        for (Protos.Resource r : offer.getResourcesList()) {
            if (r.getName().equals("cpus")) {
                cpus += r.getScalar().getValue();
            } else if (r.getName().equals("mem")) {
                mem += r.getScalar().getValue();
            }
        }
        List<Protos.TaskInfo> tasks = new ArrayList<>();
        while (cpus >= 0.1 && mem >= 32 && launched.get() < TASKS) {
            cpus -= 0.1;
            mem -= 32;
            String id = "rx-task-" + launched.incrementAndGet();
            tasks.add(Protos.TaskInfo.newBuilder().setName(id).setTaskId(Protos.TaskID.newBuilder().setValue(id))
                    .setAgentId(offer.getAgentId()).setCommand(Protos.CommandInfo.newBuilder()
                            .setValue("echo hello from $MESOS_TASK_ID"))
                    .addResources(scalar("cpus", 0.1)).addResources(scalar("mem", 32)).build());
        }
        if (tasks.isEmpty()) {
            return SchedulerCalls.decline(fwId, List.of(offer.getId()));
        }
        return Call.newBuilder().setFrameworkId(fwId).setType(Call.Type.ACCEPT).setAccept(Call.Accept.newBuilder()
                .addOfferIds(offer.getId()).addOperations(Protos.Offer.Operation.newBuilder()
                        .setType(Protos.Offer.Operation.Type.LAUNCH).setLaunch(Protos.Offer.Operation.Launch
                                .newBuilder().addAllTaskInfos(tasks)))).build();
    }
}
