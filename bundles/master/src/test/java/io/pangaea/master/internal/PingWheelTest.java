package io.pangaea.master.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The health check's wheel: each member once per turn, members spread over the ticks, leaving and coming back. */
public class PingWheelTest {

    @Test
    public void aTurnTakesTheIntervalInTicksOfAtMostATenthOfASecond() {
        assertEquals(100, new PingWheel<String>(15_000).tickMs());
        assertEquals(150, new PingWheel<String>(15_000).slotCount());
        assertEquals(10, new PingWheel<String>(1_000).slotCount());
        // an interval shorter than a tick: one slot, turned every interval
        PingWheel<String> fast = new PingWheel<>(40);
        assertEquals(40, fast.tickMs());
        assertEquals(1, fast.slotCount());
    }

    @Test
    public void everyMemberIsDueOncePerTurnAndTheTicksShareThemEvenly() {
        PingWheel<Integer> wheel = new PingWheel<>(1_000); // 10 ticks a turn
        for (int i = 0; i < 1_005; i++) {
            wheel.add(i);
        }
        // none is due before it has been on the wheel a full turn
        for (int tick = 0; tick < wheel.slotCount(); tick++) {
            assertTrue(wheel.turn().isEmpty());
        }
        for (int turn = 0; turn < 3; turn++) {
            Map<Integer, Integer> seen = new HashMap<>();
            for (int tick = 0; tick < wheel.slotCount(); tick++) {
                List<Integer> due = wheel.turn();
                // all joined at once (as after a failover), yet each tick has its tenth
                assertTrue("tick " + tick + " has " + due.size(), due.size() == 100 || due.size() == 101);
                due.forEach(m -> seen.merge(m, 1, Integer::sum));
            }
            assertEquals(1_005, seen.size());
            assertTrue(seen.values().stream().allMatch(n -> n == 1));
        }
    }

    @Test
    public void aMemberIsFirstDueOneToTwoTurnsAfterItJoined() {
        PingWheel<String> wheel = new PingWheel<>(1_000); // 10 ticks a turn
        for (int tick = 0; tick < 3; tick++) {
            wheel.turn();
        }
        wheel.add("late"); // dealt to slot 0, which comes up 7 ticks from now: too soon, it waits a turn more
        wheel.add("next"); // slot 1: 8 ticks from now, too soon as well
        int dueAt = -1;
        for (int tick = 1; tick <= 25 && dueAt < 0; tick++) {
            if (wheel.turn().contains("late")) {
                dueAt = tick;
            }
        }
        assertEquals(18, dueAt); // 17 ticks after joining, between one turn (10) and two (20)
        wheel.add("again"); // re-added: it waits its full turn again
        for (int tick = 0; tick < 10; tick++) {
            assertFalse(wheel.turn().contains("again"));
        }
    }

    @Test
    public void aMemberTakenOffIsNotDueAndOneAddedAgainIsDueOnce() {
        PingWheel<String> wheel = new PingWheel<>(300); // 3 ticks
        wheel.add("a");
        wheel.add("b");
        wheel.add("c");
        wheel.remove("b");
        wheel.remove("nobody");
        wheel.add("a"); // moved, not doubled
        assertEquals(2, wheel.size());
        assertFalse(wheel.contains("b"));
        for (int tick = 0; tick < 3; tick++) {
            assertTrue(wheel.turn().isEmpty()); // the first turn: nobody has been on the wheel that long yet
        }
        List<String> turn = new ArrayList<>();
        for (int tick = 0; tick < 3; tick++) {
            List<String> due = wheel.turn();
            // the members due are a copy: taking one off the wheel while going through them is safe
            due.forEach(wheel::remove);
            turn.addAll(due);
        }
        assertEquals(2, turn.size());
        assertTrue(turn.containsAll(List.of("a", "c")));
        assertEquals(0, wheel.size());
        for (int tick = 0; tick < 3; tick++) {
            assertTrue(wheel.turn().isEmpty());
        }
    }
}
