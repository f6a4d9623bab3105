package io.pangaea.model;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import org.junit.Test;

/** Mesos's duration and byte-size flag values, read and written back; a bad one names its flag. */
public class FlagValuesTest {

    @Test
    public void sizesInMesosUnits() {
        assertEquals(2L << 30, Bytes.parse("fetcher_cache_size", "2GB"));
        assertEquals(512L << 20, Bytes.parse("f", "512MB"));
        assertEquals(1536, Bytes.parse("f", "1.5KB"));
        assertEquals(10, Bytes.parse("f", " 10B "));
        assertEquals(1L << 40, Bytes.parse("f", "1TB"));
        assertEquals("2GB", Bytes.format(2L << 30));
        assertEquals("1536MB", Bytes.format(1536L << 20));
        assertEquals("1000B", Bytes.format(1000));
        assertEquals("0B", Bytes.format(0));
        for (String bad : new String[] {"", "2", "GB", "-1MB", "2gb", "2 GiB", null}) {
            try {
                Bytes.parse("fetcher_cache_size", bad);
                fail("accepted " + bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("'fetcher_cache_size'"));
            }
        }
    }

    @Test
    public void durationsInMesosUnits() {
        assertEquals(Duration.ofMinutes(1), Durations.parse("d", "1mins"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("d", "1.5secs"));
        assertEquals("1mins", Durations.format(Duration.ofMinutes(1)));
        assertEquals("3secs", Durations.format(Duration.ofSeconds(3)));
        assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
        try {
            Durations.parse("executor_registration_timeout", "soon");
            fail("accepted 'soon'");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'executor_registration_timeout'"));
        }
    }
}
