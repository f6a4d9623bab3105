package io.pangaea.agent.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.sun.net.httpserver.HttpServer;
import io.pangaea.model.CommandUri;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The fetcher against a real HTTP server and real files: what lands in the sandbox, and what is refused. */
public class FetcherTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private HttpServer server;
    private Path files;
    /** Requests per path the server answered. */
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> served =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Set by a test to keep the server from answering until it is counted down; {@code held} requests wait. */
    private volatile java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
    private Path sandbox;
    private final Fetcher fetcher = new Fetcher(Duration.ofSeconds(30));

    @Before
    public void setUp() throws Exception {
        files = tmp.newFolder("served").toPath();
        sandbox = tmp.newFolder("sandbox").toPath();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            held.incrementAndGet();
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            served.computeIfAbsent(ex.getRequestURI().getPath(), k -> new java.util.concurrent.atomic.AtomicInteger())
                    .incrementAndGet();
            Path f = files.resolve(ex.getRequestURI().getPath().substring(1));
            if (Files.isRegularFile(f)) {
                byte[] b = Files.readAllBytes(f);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @After
    public void tearDown() {
        server.stop(0);
    }

    private String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    private static CommandUri uri(String value) {
        return new CommandUri(value, null, null, null, null);
    }

    @Test
    public void plainFileExecutableAndOutputFile() throws Exception {
        Files.writeString(files.resolve("hello.txt"), "hello");
        Files.writeString(files.resolve("run.sh"), "#!/bin/sh\necho run\n");
        fetcher.fetch(List.of(uri(url("hello.txt")), new CommandUri(url("run.sh"), true, null, null, null),
                new CommandUri(url("hello.txt"), null, null, null, "conf/renamed.txt")), sandbox);
        assertEquals("hello", Files.readString(sandbox.resolve("hello.txt")));
        assertTrue(Files.isExecutable(sandbox.resolve("run.sh")));
        assertEquals("hello", Files.readString(sandbox.resolve("conf/renamed.txt")));
    }

    @Test
    public void archivesAreExtracted() throws Exception {
        Path src = tmp.newFolder("src").toPath();
        Files.writeString(src.resolve("inside.txt"), "from tar");
        Process tar = new ProcessBuilder("tar", "-czf", files.resolve("bundle.tar.gz").toString(), "-C",
                src.toString(), "inside.txt").start();
        assertEquals(0, tar.waitFor());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(files.resolve("app.zip")))) {
            zip.putNextEntry(new ZipEntry("lib/app.jar"));
            zip.write("jar".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(files.resolve("data.csv.gz")))) {
            gz.write("a,b".getBytes(StandardCharsets.UTF_8));
        }
        fetcher.fetch(List.of(uri(url("bundle.tar.gz")), uri(url("app.zip")), uri(url("data.csv.gz")),
                new CommandUri(url("app.zip"), null, false, null, "kept.zip")), sandbox);
        assertEquals("from tar", Files.readString(sandbox.resolve("inside.txt")));
        assertEquals("jar", Files.readString(sandbox.resolve("lib/app.jar")));
        assertEquals("a,b", Files.readString(sandbox.resolve("data.csv")));
        assertTrue(Files.exists(sandbox.resolve("kept.zip")));
    }

    @Test
    public void localFilesByPathAndFileUrl() throws Exception {
        Path local = files.resolve("local.txt");
        Files.writeString(local, "local");
        fetcher.fetch(List.of(uri(local.toString()), new CommandUri(local.toUri().toString(), null, null, null,
                "again.txt")), sandbox);
        assertEquals("local", Files.readString(sandbox.resolve("local.txt")));
        assertEquals("local", Files.readString(sandbox.resolve("again.txt")));
    }

    @Test
    public void failuresNameTheUriAndLeaveNothingOutside() throws Exception {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(files.resolve("evil.zip")))) {
            zip.putNextEntry(new ZipEntry("../escaped.txt"));
            zip.write("x".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        String[][] cases = {
            {url("missing.txt"), null, "HTTP 404"},
            {"relative/path.txt", null, "scheme"},
            {"ftp://example.invalid/x", null, "scheme"},
            {files.resolve("nope").toString(), null, "not a file"},
            {url("evil.zip"), null, "outside the sandbox"},
            {"file:///etc/hostname", "../../x", "outside the sandbox"},
        };
        for (String[] c : cases) {
            try {
                fetcher.fetch(List.of(new CommandUri(c[0], null, null, null, c[1])), sandbox);
                fail(c[0] + " was fetched");
            } catch (Fetcher.FetchException e) {
                assertTrue(c[0] + ": " + e.getMessage(), e.getMessage().contains(c[2]));
            }
        }
        assertFalse(Files.exists(sandbox.getParent().resolve("escaped.txt")));
        assertFalse(Files.exists(sandbox.resolve("missing.txt")));
    }

    /** A tar archive (compressed as {@code name} says) of the given entries, built with Commons Compress. */
    private Path tar(String name, java.util.function.Consumer<org.apache.commons.compress.archivers.tar
            .TarArchiveOutputStream> entries) throws Exception {
        Path file = files.resolve(name);
        java.io.OutputStream raw = Files.newOutputStream(file);
        java.io.OutputStream out = name.endsWith(".gz") ? new GZIPOutputStream(raw)
                : name.endsWith(".bz2") ? new org.apache.commons.compress.compressors.bzip2
                        .BZip2CompressorOutputStream(raw)
                : name.endsWith(".xz") ? new org.apache.commons.compress.compressors.xz.XZCompressorOutputStream(raw)
                : raw;
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            entries.accept(tar);
        }
        return file;
    }

    private static void file(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name,
                             String content, int mode) {
        try {
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name, true);
            byte[] b = content.getBytes(StandardCharsets.UTF_8);
            e.setSize(b.length);
            e.setMode(mode);
            tar.putArchiveEntry(e);
            tar.write(b);
            tar.closeArchiveEntry();
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }

    private static void link(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar, String name,
                             String target, byte type) {
        try {
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name, type, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }

    @Test
    public void everyTarFormatIsExtractedWithItsLinksAndModes() throws Exception {
        for (String name : List.of("app.tar", "app.tar.gz", "app.tar.bz2", "app.tar.xz")) {
            Path into = tmp.newFolder("into-" + name).toPath();
            tar(name, t -> {
                file(t, "bin/run", "#!/bin/sh\necho run", 0755);
                file(t, "conf/app.conf", "x=1", 0644);
                link(t, "current", "bin/run", org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
                link(t, "conf/copy.conf", "conf/app.conf",
                        org.apache.commons.compress.archivers.tar.TarConstants.LF_LINK);
            });
            fetcher.fetch(List.of(uri(url(name))), into);
            assertTrue(name, Files.isExecutable(into.resolve("bin/run")));
            assertFalse(name, Files.isExecutable(into.resolve("conf/app.conf")));
            assertTrue(name, Files.isSymbolicLink(into.resolve("current")));
            assertEquals(name, "#!/bin/sh\necho run", Files.readString(into.resolve("current")));
            assertEquals(name, "x=1", Files.readString(into.resolve("conf/copy.conf")));
        }
    }

    @Test
    public void noArchiveEntryLandsOutsideTheSandbox() throws Exception {
        byte sym = org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK;
        byte hard = org.apache.commons.compress.archivers.tar.TarConstants.LF_LINK;
        Path outside = sandbox.getParent();
        Map<String, java.util.function.Consumer<org.apache.commons.compress.archivers.tar.TarArchiveOutputStream>>
                evil = new java.util.LinkedHashMap<>();
        evil.put("dotdot.tar", t -> file(t, "../escaped.txt", "x", 0644));
        evil.put("absolute.tar", t -> file(t, outside.resolve("absolute.txt").toString(), "x", 0644));
        evil.put("symlink-out.tar", t -> {
            link(t, "etc", outside.toString(), sym);
            file(t, "etc/through-link.txt", "x", 0644);
        });
        evil.put("symlink-up.tar", t -> {
            link(t, "up", "../..", sym);
            file(t, "up/through-up.txt", "x", 0644);
        });
        evil.put("hardlink-out.tar", t -> link(t, "passwd", "/etc/hostname", hard));
        evil.put("hardlink-up.tar", t -> link(t, "h", "../escaped-hard.txt", hard));
        for (var e : evil.entrySet()) {
            tar(e.getKey(), e.getValue());
            try {
                fetcher.fetch(List.of(uri(url(e.getKey()))), sandbox);
                fail(e.getKey() + " was extracted");
            } catch (Fetcher.FetchException x) {
                assertTrue(e.getKey() + ": " + x.getMessage(), x.getMessage().contains("outside the sandbox"));
            }
        }
        try (var listed = Files.list(outside)) {
            assertEquals(List.of("sandbox", "served"), listed.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    public void extractionStopsAtTheFetchersTimeout() throws Exception {
        byte[] zeros = new byte[1 << 20];
        tar("big.tar.gz", t -> {
            try {
                var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("big.bin");
                e.setSize(200L * zeros.length);
                t.putArchiveEntry(e);
                for (int i = 0; i < 200; i++) {
                    t.write(zeros);
                }
                t.closeArchiveEntry();
            } catch (java.io.IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        });
        Fetcher hurried = new Fetcher(Duration.ofMillis(1));
        try {
            hurried.fetch(List.of(uri(files.resolve("big.tar.gz").toString())), sandbox);
            fail("200 MB were extracted within 1 ms");
        } catch (Fetcher.FetchException x) {
            assertTrue(x.getMessage(), x.getMessage().contains("took longer than"));
        }
    }

    private int served(String name) {
        var n = served.get("/" + name);
        return n == null ? 0 : n.get();
    }

    private static CommandUri cached(String value) {
        return new CommandUri(value, null, null, true, null);
    }

    @Test
    public void cachedUrisAreDownloadedOnceAndCopiedAfterwards() throws Exception {
        Path cacheDir = tmp.newFolder("cache").toPath();
        Fetcher caching = new Fetcher(Duration.ofSeconds(30), new FetcherCache(cacheDir, 1 << 20));
        Files.writeString(files.resolve("tool.sh"), "#!/bin/sh\necho tool\n");
        Path src = tmp.newFolder("src2").toPath();
        Files.writeString(src.resolve("conf.txt"), "conf");
        assertEquals(0, new ProcessBuilder("tar", "-czf", files.resolve("conf.tgz").toString(), "-C", src.toString(),
                "conf.txt").start().waitFor());
        Path second = tmp.newFolder("sandbox2").toPath();
        for (Path box : List.of(sandbox, second)) {
            caching.fetch(List.of(new CommandUri(url("tool.sh"), true, null, true, null), cached(url("conf.tgz")),
                    uri(url("conf.tgz"))), box);
            assertTrue(Files.isExecutable(box.resolve("tool.sh")));
            assertEquals("conf", Files.readString(box.resolve("conf.txt")));
        }
        assertEquals(1, served("tool.sh"));
        // the same URI without 'cache' is fetched each time
        assertEquals(3, served("conf.tgz"));
        long expected = Files.size(files.resolve("tool.sh")) + Files.size(files.resolve("conf.tgz"));
        assertEquals(expected, caching.cache().used());
        // a task that changes its copy does not change the cached one
        Files.writeString(sandbox.resolve("tool.sh"), "changed");
        Path third = tmp.newFolder("sandbox3").toPath();
        caching.fetch(List.of(cached(url("tool.sh"))), third);
        assertEquals("#!/bin/sh\necho tool\n", Files.readString(third.resolve("tool.sh")));
        // a new agent process starts with an empty cache
        Fetcher restarted = new Fetcher(Duration.ofSeconds(30), new FetcherCache(cacheDir, 1 << 20));
        try (var left = Files.list(cacheDir)) {
            assertEquals(0, left.count());
        }
        restarted.fetch(List.of(cached(url("tool.sh"))), tmp.newFolder("sandbox4").toPath());
        assertEquals(2, served("tool.sh"));
    }

    @Test
    public void theLeastRecentlyUsedGoFirstAndWhatCannotFitIsNotKept() throws Exception {
        FetcherCache cache = new FetcherCache(tmp.newFolder("cache").toPath(), 1000);
        Fetcher caching = new Fetcher(Duration.ofSeconds(30), cache);
        for (String n : List.of("a", "b", "c")) {
            Files.write(files.resolve(n), new byte[400]);
        }
        Files.write(files.resolve("huge"), new byte[1500]);
        caching.fetch(List.of(cached(url("a"))), sandbox);
        caching.fetch(List.of(cached(url("b"))), sandbox);
        caching.fetch(List.of(cached(url("a"))), sandbox); // a is now the most recently used
        caching.fetch(List.of(cached(url("c"))), sandbox); // 1200 > 1000: b goes
        assertTrue(cache.contains(url("a")));
        assertFalse(cache.contains(url("b")));
        assertTrue(cache.contains(url("c")));
        assertEquals(800, cache.used());
        caching.fetch(List.of(cached(url("huge"))), sandbox);
        assertEquals(1500, Files.size(sandbox.resolve("huge")));
        assertFalse(cache.contains(url("huge")));
        assertEquals(800, cache.used());
        caching.fetch(List.of(cached(url("a")), cached(url("b"))), sandbox);
        assertEquals(1, served("a"));
        assertEquals(2, served("b"));
    }

    @Test
    public void concurrentFetchesOfOneUriShareOneDownload() throws Exception {
        Fetcher caching = new Fetcher(Duration.ofSeconds(30), new FetcherCache(tmp.newFolder("cache").toPath(),
                1 << 20));
        Files.writeString(files.resolve("shared.bin"), "shared");
        answer = new java.util.concurrent.CountDownLatch(1);
        List<Path> boxes = List.of(tmp.newFolder("s1").toPath(), tmp.newFolder("s2").toPath(),
                tmp.newFolder("s3").toPath());
        List<Thread> fetchers = new java.util.concurrent.CopyOnWriteArrayList<>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(3, r -> {
            Thread t = new Thread(r);
            fetchers.add(t);
            return t;
        });
        try {
            List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
            for (Path box : boxes) {
                all.add(pool.submit(() -> {
                    caching.fetch(List.of(cached(url("shared.bin"))), box);
                    return null;
                }));
            }
            // all three are blocked (one on the download the server holds, two on that download) before it
            // is answered
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.get() >= 1
                    && fetchers.size() == 3 && fetchers.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                    || t.getState() == Thread.State.TIMED_WAITING));
            answer.countDown();
            for (var f : all) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            answer.countDown();
            pool.shutdownNow();
        }
        for (Path box : boxes) {
            assertEquals("shared", Files.readString(box.resolve("shared.bin")));
        }
        assertEquals(1, served("shared.bin"));
    }

    @Test
    public void aFailedDownloadIsNotCached() throws Exception {
        Fetcher caching = new Fetcher(Duration.ofSeconds(30), new FetcherCache(tmp.newFolder("cache").toPath(),
                1 << 20));
        try {
            caching.fetch(List.of(cached(url("later.txt"))), sandbox);
            fail("fetched a missing file");
        } catch (Fetcher.FetchException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("HTTP 404"));
        }
        assertEquals(0, caching.cache().used());
        Files.writeString(files.resolve("later.txt"), "here now");
        caching.fetch(List.of(cached(url("later.txt"))), sandbox);
        assertEquals("here now", Files.readString(sandbox.resolve("later.txt")));
    }
}
