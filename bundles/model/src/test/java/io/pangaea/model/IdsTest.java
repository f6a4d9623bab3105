package io.pangaea.model;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.Test;

/** The ids' written-out equality: by value, within one kind of id, null values included. */
public class IdsTest {

    @Test
    public void idsAreEqualByValueWithinTheirKind() {
        assertEquals(AgentId.of("x"), AgentId.of(new String("x")));
        assertEquals(AgentId.of("x").hashCode(), AgentId.of(new String("x")).hashCode());
        assertNotEquals(AgentId.of("x"), AgentId.of("y"));
        assertNotEquals(AgentId.of("x"), FrameworkId.of("x"));
        assertNotEquals(TaskId.of("x"), ExecutorId.of("x"));
        assertEquals(OfferId.of(null), OfferId.of(null));
        assertEquals(0, OfferId.of(null).hashCode());
        assertNotEquals(OfferId.of(null), OfferId.of("x"));
        assertNotEquals(OfferId.of("x"), OfferId.of(null));
        assertEquals(ContainerId.of("c"), ContainerId.of("c"));
        assertEquals(OperationId.of("o"), OperationId.of("o"));
        Map<TaskId, Integer> m = new HashMap<>();
        m.put(TaskId.of("t1"), 1);
        assertEquals(Integer.valueOf(1), m.get(TaskId.of(new String("t1"))));
    }
}
