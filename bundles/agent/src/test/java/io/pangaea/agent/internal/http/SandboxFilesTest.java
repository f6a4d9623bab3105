package io.pangaea.agent.internal.http;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** What the file endpoints may serve: the work directory only, real paths and the virtual 'latest' run. */
public class SandboxFilesTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path work;
    private Path oldRun;
    private Path newRun;
    private SandboxFiles files;

    @Before
    public void sandboxes() throws Exception {
        work = tmp.newFolder("work").toPath();
        Path runs = work.resolve("slaves/S0/frameworks/F1/executors/E1/runs");
        oldRun = Files.createDirectories(runs.resolve("c-old"));
        newRun = Files.createDirectories(runs.resolve("c-new"));
        Files.writeString(oldRun.resolve("stdout"), "old run\n");
        Files.writeString(newRun.resolve("stdout"), "hello from the sandbox\n");
        Files.setLastModifiedTime(oldRun, FileTime.fromMillis(1_000));
        Files.setLastModifiedTime(newRun, FileTime.fromMillis(2_000_000));
        files = new SandboxFiles(work);
    }

    @Test
    public void aRealSandboxPathIsRead() throws Exception {
        SandboxFiles.Chunk c = files.read(newRun.resolve("stdout").toString(), 6, 4);
        assertEquals(23, c.size());
        assertArrayEquals("from".getBytes(StandardCharsets.UTF_8), c.data());
        assertEquals(0, files.read(newRun.resolve("stdout").toString(), 100, 4).data().length);
    }

    @Test
    public void theVirtualLatestRunIsTheNewestOne() throws Exception {
        SandboxFiles.Chunk c = files.read("/frameworks/F1/executors/E1/runs/latest/stdout", 0, 100);
        assertEquals("hello from the sandbox\n", new String(c.data(), StandardCharsets.UTF_8));
        JsonNode listing = files.browse("/frameworks/F1/executors/E1/runs/latest");
        assertEquals(1, listing.size());
        assertEquals(newRun.toRealPath().resolve("stdout").toString(), listing.get(0).path("path").asText());
        assertEquals(23, listing.get(0).path("size").asLong());
        assertTrue(listing.get(0).path("mode").asText().startsWith("-rw"));
        JsonNode infos = files.listFiles(newRun.toString()).path("file_infos");
        assertEquals(0100000, infos.get(0).path("mode").asInt() & 0170000);
    }

    @Test
    public void nothingOutsideTheWorkDirectoryIsServed() throws Exception {
        Path secret = tmp.newFile("secret").toPath();
        Files.createSymbolicLink(newRun.resolve("escape"), secret);
        for (String p : new String[] {"/etc/passwd", secret.toString(), newRun + "/../../../../../../../../..",
                newRun.resolve("escape").toString(), "/frameworks/F1/executors/E1/runs/latest/../../../../../../../../../etc",
                "/frameworks/nope/executors/E1/runs/latest", "/frameworks/F1"}) {
            SandboxFiles.FileException e = assertThrows(p, SandboxFiles.FileException.class,
                    () -> files.read(p, 0, 10));
            assertEquals(p, 404, e.status);
        }
    }

    @Test
    public void badRequestsAreRefusedWithTheirReason() {
        assertEquals(400, assertThrows(SandboxFiles.FileException.class, () -> files.read(null, 0, 1)).status);
        assertEquals(400, assertThrows(SandboxFiles.FileException.class,
                () -> files.read(newRun.resolve("stdout").toString(), -5, 1)).status);
        assertEquals(400, assertThrows(SandboxFiles.FileException.class,
                () -> files.read(newRun.toString(), 0, 1)).status);
    }
}
