package io.pangaea.model;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class ResourcesTest {

    @Test
    public void scalarsAddAndSubtractInFixedPoint() {
        Resources r = Resources.parse("cpus:0.1").plus(Resources.parse("cpus:0.2"));
        assertEquals(0.3, r.scalar("cpus"), 0);
        assertEquals(0.0, r.minus(Resources.parse("cpus:0.3")).scalar("cpus"), 0);
        assertTrue(r.minus(Resources.parse("cpus:0.3")).isEmpty());
    }

    @Test
    public void parsesMesosTextWithRangesSetsAndRoles() {
        Resources r = Resources.parse("cpus:4;mem:2048;ports:[31000-32000,33000-33010];disks:{a,b};cpus(web):2");
        assertEquals(6.0, r.scalar("cpus"), 0);
        assertEquals(2.0, r.reservedTo("web").scalar("cpus"), 0);
        assertEquals(List.of(new Range(31000, 32000), new Range(33000, 33010)), r.ranges("ports"));
        assertEquals("cpus:4;mem:2048;ports:[31000-32000, 33000-33010];disks:{a,b};cpus(web):2", r.toString());
    }

    @Test
    public void rangesSplitAndMerge() {
        Resources all = Resources.parse("ports:[31000-32000]");
        Resources left = all.minus(Resources.parse("ports:[31005-31010]"));
        assertEquals(List.of(new Range(31000, 31004), new Range(31011, 32000)), left.ranges("ports"));
        assertEquals(all, left.plus(Resources.parse("ports:[31005-31010]")));
        assertFalse(left.contains(Resources.parse("ports:[31004-31005]")));
        assertTrue(left.contains(Resources.parse("ports:[31011-31020]")));
    }

    @Test
    public void containsRespectsAmountsAndReservations() {
        Resources agent = Resources.parse("cpus:2;mem:1024;cpus(web):1");
        assertTrue(agent.contains(Resources.parse("cpus:2;mem:512")));
        assertFalse(agent.contains(Resources.parse("cpus:3")));
        assertTrue(agent.contains(Resources.parse("cpus(web):1")));
        assertFalse(agent.contains(Resources.parse("cpus(db):1")));
        assertEquals(3.0, agent.usableBy("web").scalar("cpus"), 0);
        assertEquals(2.0, agent.usableBy("db").scalar("cpus"), 0);
    }

    @Test
    public void allocationIsPartOfTheIdentity() {
        Resources offered = Resources.parse("cpus:1;mem:128").allocatedTo("*");
        assertFalse(offered.contains(Resources.parse("cpus:1")));
        assertTrue(offered.contains(Resources.parse("cpus:1").allocatedTo("*")));
        assertEquals(Resources.parse("cpus:1;mem:128"), offered.unallocated());
    }

    @Test
    public void flattenDropsReservations() {
        Resources r = Resources.parse("cpus(web):2;cpus:1").flatten();
        assertEquals(1, r.size());
        assertEquals(3.0, r.scalar("cpus"), 0);
    }

    @Test
    public void setsUnionAndDifference() {
        Resources r = Resources.parse("gpus_ids:{a,b}").plus(Resources.parse("gpus_ids:{c}"));
        assertTrue(r.contains(Resources.parse("gpus_ids:{a,c}")));
        assertFalse(r.minus(Resources.parse("gpus_ids:{a}")).contains(Resources.parse("gpus_ids:{a}")));
    }

    @Test(expected = IllegalArgumentException.class)
    public void rejectsNegativeScalars() {
        Resources.parse("cpus:-1");
    }

    @Test
    public void badTextNamesTheEntry() {
        try {
            Resources.parse("cpus:4;mem:lots");
            throw new AssertionError("expected a parse error");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("mem:lots"));
        }
    }

    @Test
    public void legacyMapAlwaysHasTheFourScalars() {
        assertEquals("{disk=0.0, mem=32.0, gpus=0.0, cpus=0.1, ports=[31000-31001]}",
                Resources.parse("cpus:0.1;mem:32;ports:[31000-31001]").toLegacyMap().toString());
    }

    @Test
    public void aSumIsWhatAddingOneByOneGives() {
        List<Resources> parts = List.of(Resources.parse("cpus:1;mem:64;ports:[31000-31001]"),
                Resources.parse("cpus:0.5;disk:10;ports:[31005-31006]"),
                Resources.parse("cpus(web):2;mem(web):32"),
                Resources.parse("cpus:1.5;ports:[31002-31004]"));
        Resources folded = Resources.EMPTY;
        ResourceSum sum = new ResourceSum();
        for (Resources r : parts) {
            folded = folded.plus(r);
            sum.add(r);
        }
        assertEquals(folded, sum.total());
        assertEquals(3.0, sum.total().scalar("cpus") - Resources.parse("cpus(web):2").scalar("cpus"), 1e-9);
        assertEquals(Resources.EMPTY, new ResourceSum().total());
    }

    @Test
    public void allocatedInOnePassEqualsUnallocatedThenAllocated() {
        // a task's resources as frameworks send them: some with an allocation (to another role), pieces to merge
        List<Resource> task = new java.util.ArrayList<>(Resources.parse(
                "cpus:0.1;mem:16;ports:[31000-31001];cpus:0.2;ports:[31002-31005];disks:{a};cpus(web):1").toList());
        task.add(task.get(0).withAllocation("other"));
        task.add(task.get(1).withAllocation("web"));
        Resources expected = Resources.of(task).unallocated().allocatedTo("web");
        Resources one = Resources.allocated(task, "web");
        assertEquals(expected, one);
        assertEquals("0.3 twice", 0.6, one.scalar("cpus") - one.reservedTo("web").scalar("cpus"), 1e-9);
        assertEquals(32, one.scalar("mem"), 0);
        assertEquals(List.of(new Range(31000, 31005)), one.ranges("ports"));
        one.forEach(r -> assertEquals(r.toString(), "web", r.allocationRole()));
        assertEquals(Resources.EMPTY, Resources.allocated(List.of(), "web"));
        assertEquals(Resources.EMPTY, Resources.allocated(null, "web"));
    }

    @Test
    public void aResourceAlreadySoIsNotCopied() {
        Resource cpus = Resources.parse("cpus:0.5").toList().get(0);
        Resource web = cpus.withAllocation("web");
        assertTrue("same allocation: the same object", web.withAllocation("web") == web);
        assertTrue(cpus.withAllocation(null) == cpus);
        assertEquals("web", web.allocationRole());
        assertEquals(null, web.withAllocation(null).allocationRole());
        assertEquals("db", web.withAllocation("db").allocationRole());
        // a value off the fixed point is still rounded to it, one on it kept as it is
        assertEquals(0.001, Resources.of(cpus.withScalar(0.0012)).scalar("cpus"), 0);
        Resource kept = Resources.of(cpus).toList().get(0);
        assertTrue(kept == cpus);
    }

    @Test
    public void reallocatingKeepsWhatIsAlreadySoAndMergesWhatOnlyAllocationTellsApart() {
        Resources free = Resources.parse("cpus:2;mem:1024;ports:[31000-31009];disks:{a,b};cpus(web):1");
        assertTrue("already without allocation: the same object", free.unallocated() == free);
        Resources offered = free.allocatedTo("web");
        assertTrue(offered.allocatedTo("web") == offered);
        assertEquals(free.size(), offered.size());
        offered.forEach(r -> assertEquals(r.toString(), "web", r.allocationRole()));
        assertEquals(free, offered.unallocated());
        assertEquals(free, offered.allocatedTo("db").unallocated());
        // the same cpus allocated to two roles are two entries, and one once the allocation is gone
        Resources mixed = Resources.parse("cpus:1").allocatedTo("a").plus(Resources.parse("cpus:2").allocatedTo("b"));
        assertEquals(2, mixed.size());
        assertEquals(1, mixed.unallocated().size());
        assertEquals(3.0, mixed.unallocated().scalar("cpus"), 0);
        assertEquals(1, mixed.allocatedTo("a").size());
        assertEquals(Resources.parse("cpus:3").allocatedTo("a"), mixed.allocatedTo("a"));
    }

    @Test
    public void takingAllLeavesNothingAndAllContainsItself() {
        Resources all = Resources.parse("cpus:24;mem:4096;ports:[31000-32000];disks:{a}");
        assertTrue(all.minus(all).isEmpty());
        assertTrue("an equal copy", all.minus(Resources.parse("cpus:24;mem:4096;ports:[31000-32000];disks:{a}"))
                .isEmpty());
        assertTrue(all.contains(all));
        assertEquals(Resources.parse("cpus:24;mem:4096;ports:[31000-32000]"),
                all.minus(Resources.parse("disks:{a}")));
        assertFalse("allocation tells them apart", all.allocatedTo("web").minus(all).isEmpty());
    }

    @Test
    public void rangesAreContainedOnlyWhenEveryNumberIs() {
        Resources agent = Resources.parse("ports:[1-5,10-20,30-30]");
        assertTrue(agent.contains(Resources.parse("ports:[1-5,10-20,30-30]")));
        assertTrue(agent.contains(Resources.parse("ports:[2-3,4-4,11-19,30-30]")));
        assertTrue(agent.contains(Resources.parse("ports:[20-20]")));
        assertFalse("spans a gap", agent.contains(Resources.parse("ports:[4-10]")));
        assertFalse("in a gap", agent.contains(Resources.parse("ports:[6-6]")));
        assertFalse("past the end", agent.contains(Resources.parse("ports:[30-31]")));
        assertFalse("before the start", agent.contains(Resources.parse("ports:[0-1]")));
        assertFalse("one of several missing", agent.contains(Resources.parse("ports:[1-1,25-25]")));
        assertTrue(RangeArithmetic.rangesContain(List.of(new Range(1, 5)), List.of()));
        assertFalse(RangeArithmetic.rangesContain(List.of(), List.of(new Range(1, 1))));
    }

    @Test
    public void whatIsAddedUnsortedIsStillNormalized() {
        Resource ports = Resource.ranges("ports", List.of(new Range(40, 50), new Range(10, 20), new Range(21, 30)));
        Resource disks = Resource.set("disks", List.of("b", "a", "b"));
        Resources r = Resources.of(ports, disks);
        assertEquals(List.of(new Range(10, 30), new Range(40, 50)), r.toList().get(0).ranges().range());
        assertEquals(List.of("a", "b"), r.toList().get(1).set().item());
        Resource sorted = Resource.ranges("ports", List.of(new Range(10, 20), new Range(22, 30)));
        assertTrue("normalized already: kept as it is", Resources.of(sorted).toList().get(0) == sorted);
    }

    @Test
    public void filterKeepsTheOrderOfWhatItKeeps() {
        Resources r = Resources.parse("cpus(web):1;cpus:2;mem(web):8;mem:16;disk:5");
        Resources unreserved = r.unreserved();
        assertTrue("nothing left out: the same object", unreserved.unreserved() == unreserved);
        assertEquals("cpus:2;mem:16;disk:5", r.unreserved().toString());
        assertEquals("cpus(web):1;mem(web):8", r.reservedTo("web").toString());
        assertTrue(r.filter(x -> false).isEmpty());
        assertTrue(r.usableBy("web") == r);
    }

    @Test
    public void aSumOfThousandsGathersRangesAndSetsAndMergesThemOnce() {
        java.util.Random random = new java.util.Random(7);
        Resources folded = Resources.EMPTY;
        ResourceSum sum = new ResourceSum();
        for (int i = 0; i < 6000; i++) {
            long begin = random.nextInt(100_000);
            Resources r = Resources.parse("cpus:0.001;mem:" + random.nextInt(100) + ";ports:[" + begin + "-"
                    + (begin + random.nextInt(20)) + "];disks:{d" + random.nextInt(50) + "}");
            if (i % 3 == 0) {
                r = r.allocatedTo("web");
            }
            folded = folded.plus(r);
            sum.add(r);
        }
        Resources total = sum.total();
        assertEquals(folded, total);
        assertEquals(folded.toString(), total.toString());
        assertEquals(6.0, total.scalar("cpus"), 1e-9);
        assertEquals(folded.ranges("ports"), total.ranges("ports"));
        assertTrue("called again: the same total", total.equals(sum.total()));
    }
}
