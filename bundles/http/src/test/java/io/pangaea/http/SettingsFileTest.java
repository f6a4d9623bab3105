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
