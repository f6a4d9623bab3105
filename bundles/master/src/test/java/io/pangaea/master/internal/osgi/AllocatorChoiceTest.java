package io.pangaea.master.internal.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.pangaea.allocator.Allocator;
import io.pangaea.allocator.drf.DrfAllocator;
import io.pangaea.allocator.fifo.FifoAllocator;
import io.pangaea.master.internal.Master;
import io.pangaea.master.internal.MasterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class AllocatorChoiceTest {

    private Master master;
    private final AtomicReference<Master> running = new AtomicReference<>();
    private AllocatorChoice choice;

    @Before
    public void setUp() {
        master = new Master(MasterConfig.defaults().withAllocationInterval(Duration.ofHours(1)));
        master.setAllocationPaused(true);
        master.start();
        choice = new AllocatorChoice(running::get, () -> {
            throw new AssertionError("no settings are written here");
        }, "fifo", "drf");
    }

    @After
    public void tearDown() {
        master.close();
    }

    @Test
    public void theConfiguredPolicyIsUsedAndTheDefaultOrAnyOtherWhileItIsNotInstalled() {
        Allocator drf = new DrfAllocator();
        Allocator fifo = new FifoAllocator();
        Allocator other = new DrfAllocator();
        choice.add("other", other, "b.other 1.0");
        assertNull("no master yet: nothing chosen", choice.active());
        running.set(master);
        choice.select();
        assertSame("neither the configured one nor the default: any installed", other, master.allocator());
        assertEquals("other", choice.active());
        choice.add("drf", drf, "b.drf 1.0");
        assertSame("the default while the configured one is missing", drf, master.allocator());
        choice.add("fifo", fifo, "b.fifo 1.0");
        assertSame("the configured one, once installed", fifo, master.allocator());
        assertEquals("fifo", choice.active());
        assertEquals(Map.of("drf", "b.drf 1.0", "fifo", "b.fifo 1.0", "other", "b.other 1.0"), choice.installed());

        choice.remove("fifo", new FifoAllocator());
        assertSame("another service of the same name going leaves it", fifo, master.allocator());
        choice.remove("fifo", fifo);
        assertSame(drf, master.allocator());
        assertEquals("fifo", choice.configured());
        assertEquals("drf", choice.active());

        choice.configure("other", "drf");
        assertSame(other, master.allocator());
        choice.remove("other", other);
        choice.remove("drf", drf);
        assertNull("none installed: no policy, no offers", master.allocator());
        assertNull(choice.active());
    }

    @Test
    public void usingAPolicyThatIsNotInstalledIsRefusedNamingThoseThatAre() {
        running.set(master);
        Allocator drf = new DrfAllocator();
        choice.add("drf", drf, "b.drf 1.0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> choice.use("fifo"));
        assertTrue(e.getMessage(), e.getMessage().contains("'fifo' is not installed (installed: drf)"));
        assertEquals("nothing changed", "fifo", choice.configured());
        assertSame(drf, master.allocator());
    }
}
