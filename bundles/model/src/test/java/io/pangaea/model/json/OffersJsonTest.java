package io.pangaea.model.json;

import static org.junit.Assert.assertEquals;

import io.pangaea.model.Address;
import io.pangaea.model.AgentId;
import io.pangaea.model.AllocationInfo;
import io.pangaea.model.Attribute;
import io.pangaea.model.ContainerInfo;
import io.pangaea.model.DiskInfo;
import io.pangaea.model.DurationInfo;
import io.pangaea.model.ExecutorId;
import io.pangaea.model.FrameworkId;
import io.pangaea.model.Label;
import io.pangaea.model.Labels;
import io.pangaea.model.Offer;
import io.pangaea.model.OfferId;
import io.pangaea.model.Range;
import io.pangaea.model.Ranges;
import io.pangaea.model.ReservationInfo;
import io.pangaea.model.Resource;
import io.pangaea.model.Resources;
import io.pangaea.model.Scalar;
import io.pangaea.model.Text;
import io.pangaea.model.Url;
import io.pangaea.model.ValueSet;
import io.pangaea.model.ValueType;
import io.pangaea.model.maintenance.Schedule;
import io.pangaea.model.scheduler.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/** The hand-written OFFERS event gives the generic serializer's bytes, whatever the offer holds. */
public class OffersJsonTest {

    private static void assertSameBytes(List<Offer> offers) {
        String generic = new String(MesosJson.write(Event.offers(offers)), StandardCharsets.UTF_8);
        String own = new String(OffersJson.event(offers), StandardCharsets.UTF_8);
        assertEquals(generic, own);
        // and with each agent's part encoded once beforehand
        List<OffersJson.AgentPart> parts = offers.stream().map(o -> o == null ? null
                : OffersJson.AgentPart.of(o.agentId(), o.hostname(), o.url(), o.attributes())).toList();
        assertEquals(generic, new String(OffersJson.event(offers, parts), StandardCharsets.UTF_8));
    }

    @Test
    public void aPartThatDoesNotFitTheOfferIsLeftAside() {
        Url url = new Url("http", new Address("host-1", "10.0.0.1", 5051), "/slave(1)");
        List<Attribute> attributes = List.of(Attribute.text("rack", "r1"));
        AgentId agent = AgentId.of("a-1");
        Offer o = new Offer(OfferId.of("m-O1"), FrameworkId.of("f-1"), agent, "host-1", url,
                Resources.parse("cpus:2").toList(), attributes, null, new AllocationInfo("*"));
        String generic = new String(MesosJson.write(Event.offers(List.of(o))), StandardCharsets.UTF_8);
        for (OffersJson.AgentPart other : List.of(
                OffersJson.AgentPart.of(AgentId.of("a-2"), "host-1", url, attributes),
                OffersJson.AgentPart.of(agent, "host-2", url, attributes),
                OffersJson.AgentPart.of(agent, "host-1", new Url("http", new Address("host-1", "10.0.0.9", 5051),
                        "/slave(1)"), attributes),
                OffersJson.AgentPart.of(agent, "host-1", url, List.of(Attribute.text("rack", "r2"))))) {
            assertEquals(generic, new String(OffersJson.event(List.of(o), java.util.Collections.singletonList(other)),
                    StandardCharsets.UTF_8));
        }
        Offer noId = new Offer(null, FrameworkId.of("f-1"), agent, "host-1", url, List.of(), attributes, null, null);
        assertEquals(new String(MesosJson.write(Event.offers(List.of(noId))), StandardCharsets.UTF_8),
                new String(OffersJson.event(List.of(noId), List.of(OffersJson.AgentPart.of(agent, "host-1", url,
                        attributes))), StandardCharsets.UTF_8));
    }

    @Test
    public void aPlainOfferAndNoOffers() {
        Offer o = new Offer(OfferId.of("m-O1"), FrameworkId.of("f-1"), AgentId.of("a-1"), "host-1",
                new Url("http", new Address("host-1", "10.0.0.1", 5051), "/slave(1)"),
                Resources.parse("cpus:24;mem:4096;disk:4096;ports:[31000-32000]").allocatedTo("roleA").toList(),
                List.of(), null, new AllocationInfo("roleA"));
        assertSameBytes(List.of(o));
        assertSameBytes(List.of(o, o));
        assertSameBytes(List.of());
    }

    @Test
    public void everyFieldAndTheRareParts() {
        Resource volume = Resource.scalar("disk", 64).reservedFor("db").withDisk(new DiskInfo(
                new DiskInfo.Persistence("vol-1", "ops"), new ContainerInfo.Volume("data", null,
                ContainerInfo.Volume.Mode.RW)));
        Resource dynamic = new Resource("mem", ValueType.SCALAR, new Scalar(0.125), null, null, "db",
                new AllocationInfo("db"), List.of(new ReservationInfo(ReservationInfo.Type.DYNAMIC, "db", "ops",
                new Labels(List.of(new Label("k", "v \"quoted\" é ✓"), new Label("empty", null))))));
        List<Resource> resources = new ArrayList<>(Resources.parse(
                "cpus:0.1;ports:[1-2,4-9,31000-32000];disks:{a,b,c};cpus(web):1795239324.793704").toList());
        resources.add(volume);
        resources.add(dynamic);
        resources.add(null);
        resources.add(new Resource(null, null, null, null, null, null, new AllocationInfo(null), null));
        List<Attribute> attributes = Arrays.asList(Attribute.text("rack", "r\n1\t\u0001"), Attribute.scalar("level", 2),
                new Attribute("zones", ValueType.SET, null, null, new ValueSet(List.of("x", "y")), null),
                new Attribute("slots", ValueType.RANGES, null, new Ranges(List.of(new Range(1, 3))), null, null),
                new Attribute("odd", ValueType.TEXT, null, null, null, new Text(null)),
                new Attribute(null, null, null, new Ranges(null), new ValueSet(null), null), null);
        Schedule.Unavailability unavailability = new Schedule.Unavailability(
                new Schedule.TimeInfo(1_795_239_324_793_704_000L), new DurationInfo(3_600_000_000_000L));
        Offer all = new Offer(OfferId.of("m-O\"2\""), FrameworkId.of("f/2"), AgentId.of("a\\2"), "hôst",
                new Url("http", new Address("hôst", "::1", 65535), "/slave(1)"), resources, attributes,
                Arrays.asList(ExecutorId.of("e-1"), null, ExecutorId.of(null)), new AllocationInfo("web"),
                unavailability);
        assertSameBytes(List.of(all));
        Offer sparse = new Offer(new OfferId(null), null, null, null, new Url(null, new Address(null, null, null),
                null), null, null, null, null, null);
        assertSameBytes(List.of(sparse, all));
        assertSameBytes(List.of(new Offer(null, null, null, null, null, List.of(), List.of(), List.of(),
                new AllocationInfo(null), new Schedule.Unavailability(new Schedule.TimeInfo(null), null))));
    }

    @Test
    public void randomOffersGiveTheSameBytes() {
        Random random = new Random(42);
        String[] names = {"cpus", "mem", "disk", "gpus", "ports", "disks", "custom-\u00e9"};
        String[] roles = {"*", "web", "eng/web", "a\"b"};
        for (int round = 0; round < 200; round++) {
            List<Offer> offers = new ArrayList<>();
            for (int n = random.nextInt(4); n >= 0; n--) {
                List<Resource> resources = new ArrayList<>();
                for (int k = random.nextInt(6); k > 0; k--) {
                    String name = names[random.nextInt(names.length)];
                    String role = roles[random.nextInt(roles.length)];
                    Resource r = switch (random.nextInt(3)) {
                        case 0 -> Resource.scalar(name, random.nextInt(5) == 0 ? random.nextDouble() * 1e12
                                : Math.round(random.nextDouble() * 100_000) / 1000.0);
                        case 1 -> {
                            long b = random.nextInt(60_000);
                            yield Resource.ranges(name, List.of(new Range(b, b + random.nextInt(1000))));
                        }
                        default -> Resource.set(name, List.of("s" + random.nextInt(9), "t" + random.nextInt(9)));
                    };
                    resources.add(r.reservedFor(role).withAllocation(random.nextBoolean() ? role : null));
                }
                List<Attribute> attributes = random.nextBoolean() ? List.of()
                        : List.of(Attribute.scalar("a" + round, random.nextDouble() * 1000),
                        Attribute.text("t", "v" + random.nextInt()));
                offers.add(new Offer(OfferId.of("O" + random.nextLong()), FrameworkId.of("F" + random.nextInt()),
                        AgentId.of("A" + random.nextInt()), "h" + random.nextInt(),
                        new Url("http", new Address("h", "127.0.0." + random.nextInt(255),
                                random.nextBoolean() ? null : random.nextInt(65536)), "/slave(1)"),
                        resources, attributes, null, new AllocationInfo(roles[random.nextInt(roles.length)])));
            }
            assertSameBytes(offers);
        }
    }
}
