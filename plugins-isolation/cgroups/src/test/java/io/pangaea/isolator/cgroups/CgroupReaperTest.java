package io.pangaea.isolator.cgroups;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.pangaea.model.ContainerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Test;

/**
 * A cgroup that cannot be removed when its container is destroyed (here: it still has a child cgroup, so the
 * kernel answers EBUSY) is reported and removed in the background once it can be. Real cgroups.
 */
public class CgroupReaperTest {

    private static final String ROOT = "pangaea-reaper-" + ProcessHandle.current().pid();
    private static final CgroupFs FS = CgroupFs.detect();
    private final CgroupReaper reaper = new CgroupReaper(Duration.ofMillis(50), Duration.ofMillis(200));

    private static Path base() {
        return FS.v1("cpu") != null ? FS.v1("cpu") : FS.v2("cpu");
    }

    @After
    public void removeRoot() throws Exception {
        Path root = base().resolve(ROOT);
        try (var walk = Files.walk(root)) {
            walk.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile()
                    .delete());
        } catch (java.nio.file.NoSuchFileException gone) {
            // removed by the test
        }
        assertFalse(Files.exists(root));
    }

    @Test
    public void aBusyCgroupIsReportedThenRemovedInTheBackground() throws Exception {
        Cgroups cgroups = new Cgroups(FS, ROOT, List.of("cpu"), false, reaper);
        ContainerId id = ContainerId.of("busy");
        Path dir = cgroups.create(id).get(0).path();
        Path child = Files.createDirectory(dir.resolve("held"));
        try {
            cgroups.destroy(id);
            fail("a cgroup with a child was removed");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(dir.toString()) && e.getMessage().contains("could not be removed"));
        }
        assertTrue(Files.isDirectory(dir));
        assertEquals(Set.of(dir), reaper.pending());
        Files.delete(child);
        await("the reaper removes it").atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(dir));
        await().atMost(Duration.ofSeconds(5)).until(() -> reaper.pending().isEmpty());
    }
}
