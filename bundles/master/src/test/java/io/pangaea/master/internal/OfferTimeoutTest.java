package io.pangaea.master.internal;

import io.pangaea.http.EventSink;
import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;

import io.pangaea.model.AgentInfo;
import io.pangaea.model.FrameworkInfo;
import io.pangaea.model.Resources;
import io.pangaea.model.agentproto.AgentCall;
import io.pangaea.model.json.MesosJson;
import io.pangaea.model.scheduler.Call;
import io.pangaea.model.scheduler.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;

/** {@code offer_timeout}: an offer nobody answers is rescinded, and its resources are offered again. */
public class OfferTimeoutTest {

    static final class Sink implements EventSink {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final boolean parse;

        Sink(boolean parse) {
            this.parse = parse;
        }

        @Override
        public boolean send(byte[] record) {
            if (parse) {
                try {
                    events.add(MesosJson.read(record, Event.class));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return true;
        }

        @Override
        public void close() {
        }

        @Override
        public void onClose(Runnable listener) {
        }

        long count(Event.Type type) {
            return events.stream().filter(e -> e.type() == type).count();
        }
    }

    @Test
    public void anUnansweredOfferIsRescindedAtTheTimeoutAndOfferedAgain() {
        Master master = new Master(MasterConfig.defaults().withAllocationInterval(Duration.ofHours(1))
                .withOfferTimeout(Duration.ofMillis(300)));
        master.setAllocator(new io.pangaea.allocator.Allocator() {
            @Override
            public List<io.pangaea.allocator.Grant> allocate(io.pangaea.allocator.ClusterView view) {
                return List.of(new io.pangaea.allocator.Grant(view.frameworks().get(0).id(), "*",
                        view.agents().get(0).id(), view.agents().get(0).available()));
            }
        });
        master.start();
        try {
            Sink fw = new Sink(true);
            master.subscribe(new Call(null, Call.Type.SUBSCRIBE, new Call.Subscribe(new FrameworkInfo("root", "t",
                    null, null, null, null, null, null, null, null, null, null), null), null, null, null, null,
                    null, null, null, null, null, null), "s1", fw);
            master.subscribeAgent(new AgentCall.Subscribe(new AgentInfo("h", 5051,
                    Resources.parse("cpus:1;mem:512").toList(), List.of(), null), List.of(), List.of(), List.of(),
                    "t", List.of()), new Sink(false));
            await().atMost(Duration.ofSeconds(10)).until(() -> fw.count(Event.Type.OFFERS) >= 1);
            // nobody answers: rescinded after 300 ms, then offered again by the cycle the rescind asks for
            await().atMost(Duration.ofSeconds(10)).until(() -> fw.count(Event.Type.RESCIND) >= 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> fw.count(Event.Type.OFFERS) >= 2);
            Event rescind = fw.events.stream().filter(e -> e.type() == Event.Type.RESCIND).findFirst().orElseThrow();
            Event firstOffer = fw.events.stream().filter(e -> e.type() == Event.Type.OFFERS).findFirst()
                    .orElseThrow();
            assertEquals(firstOffer.offers().offers().get(0).id(), rescind.rescind().offerId());
        } finally {
            master.close();
        }
    }
}
