package io.pangaea.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.FileReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SettingsFileTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aConfigurationWithNoneOfTheSettingsFromAFileIsOneReadWhileWritten() {
        String file = "file:/opt/agent/etc/io.pangaea.agent.cfg";
        assertTrue(SettingsFile.readWhileWritten(Map.of(SettingsFile.FILENAME, file, "service.pid",
                "io.pangaea.agent", "component.name", "io.pangaea.agent", "component.id", 7L)));
        assertFalse("one setting is enough", SettingsFile.readWhileWritten(Map.of(SettingsFile.FILENAME, file,
                "service.pid", "io.pangaea.agent", "attributes", "")));
        assertFalse("not from a file: Configuration Admin's own", SettingsFile.readWhileWritten(Map.of(
                "service.pid", "io.pangaea.agent", "component.name", "io.pangaea.agent")));
        assertEquals(Path.of("/opt/agent/etc/io.pangaea.agent.cfg"), SettingsFile.of(file));
    }

    @Test
    public void aConfigurationWithPartOfTheFileOrAnotherValueIsOneReadWhileWritten() throws Exception {
        Path f = tmp.getRoot().toPath().resolve("io.pangaea.agent.cfg");
        Files.write(f, List.of("# the agent", "master = http://127.0.0.1:5050", "port = 5051",
                "containerizers = native,docker", "work_dir = ${karaf.data}/agent", "attributes = rack:r7"));
        String url = f.toUri().toString();
        Map<String, Object> whole = Map.of(SettingsFile.FILENAME, url, "service.pid", "io.pangaea.agent",
                "master", "http://127.0.0.1:5050", "port", "5051", "containerizers", "native,docker",
                "work_dir", "/opt/agent/data/agent", "attributes", "rack:r7");
        assertFalse("the file as it is: its ${...} substituted", SettingsFile.readWhileWritten(whole));

        Map<String, Object> firstLines = new java.util.HashMap<>(whole);
        firstLines.keySet().removeAll(List.of("port", "containerizers", "work_dir", "attributes"));
        assertTrue("the first lines of it", SettingsFile.readWhileWritten(firstLines));
        assertEquals("read without 'attributes', which the file has", SettingsFile.whyReadWhileWritten(
                firstLines));

        Map<String, Object> cut = new java.util.HashMap<>(whole);
        cut.put("containerizers", "native,do");
        assertTrue("its last line cut short", SettingsFile.readWhileWritten(cut));

        Map<String, Object> before = new java.util.HashMap<>(whole);
        before.put("attributes", "rack:r6");
        assertTrue("the content it had before a write since", SettingsFile.readWhileWritten(before));

        Map<String, Object> more = new java.util.HashMap<>(whole);
        more.put("executor_registration_timeout", "1mins");
        assertFalse("a setting the file lost since: a deletion, which comes next", SettingsFile.readWhileWritten(
                more));

        Files.delete(f);
        assertFalse("no file to compare with: taken as read", SettingsFile.readWhileWritten(firstLines));
    }

    /**
     * A read of the first lines of a file, made while a write of it is under way, agrees with a second read that
     * stops at the same line; the file is read until it holds still, and then it has the lines the first read lacked.
     */
    @Test
    public void aFileBeingWrittenIsReadUntilItHoldsStill() throws Exception {
        Path f = tmp.getRoot().toPath().resolve("io.pangaea.agent.cfg");
        List<String> lines = List.of("master = 127.0.0.1:5050", "attributes = rack:r7", "master = 127.0.0.1:23074");
        Files.write(f, lines.subList(0, 2));
        Map<String, Object> firstLines = Map.of(SettingsFile.FILENAME, f.toUri().toString(),
                "master", "127.0.0.1:5050", "attributes", "rack:r7");
        int[] reads = {0};
        // the write ends once the check has read the file a first time, which agrees with the configuration
        assertEquals("read with 'master' other than in the file", SettingsFile.whyReadWhileWritten(firstLines, () -> {
            if (reads[0]++ == 0) {
                try {
                    Files.write(f, lines.subList(2, 3), java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }));
        assertEquals("read twice", 1, reads[0]);
        assertFalse("the whole file, once it holds still", SettingsFile.readWhileWritten(Map.of(
                SettingsFile.FILENAME, f.toUri().toString(), "master", "127.0.0.1:23074", "attributes", "rack:r7")));
    }

    @Test
    public void setReplacesTheKeysLineAndKeepsTheRest() throws Exception {
        Path f = tmp.getRoot().toPath().resolve("io.pangaea.master.cfg");
        Files.write(f, List.of("# the allocator", "allocator = drf", "  # allocator = priority",
                "roles = a,\\", "  b", "allocators=x", "port: 5050"));
        SettingsFile.set(f, "allocator", "priority");
        SettingsFile.set(f, "roles", "c");
        assertEquals(List.of("# the allocator", "allocator = priority", "  # allocator = priority", "roles = c",
                "allocators=x", "port: 5050"), Files.readAllLines(f));
        SettingsFile.set(f, "weights", "a=2 b\\c");
        assertEquals("weights = a=2 b\\\\c", Files.readAllLines(f).get(6));
        Properties p = new Properties();
        try (FileReader r = new FileReader(f.toFile())) {
            p.load(r);
        }
        assertEquals("priority", p.getProperty("allocator"));
        assertEquals("a=2 b\\c", p.getProperty("weights"));
        assertEquals("5050", p.getProperty("port"));
        try (var listing = Files.list(tmp.getRoot().toPath())) {
            assertEquals("no file left beside it", List.of(f), listing.toList());
        }
    }

    @Test
    public void keysAreReadAsPropertiesReadsThem() {
        assertEquals("allocator", SettingsFile.keyOf("  allocator=drf"));
        assertEquals("a b", SettingsFile.keyOf("a\\ b = 1"));
        assertEquals("port", SettingsFile.keyOf("port:5050"));
        assertEquals(null, SettingsFile.keyOf("! comment"));
        assertEquals(null, SettingsFile.keyOf("   "));
    }
}
