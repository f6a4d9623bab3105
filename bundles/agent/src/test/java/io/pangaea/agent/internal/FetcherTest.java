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
    private Path sandbox;
    private final Fetcher fetcher = new Fetcher(Duration.ofSeconds(30));

    @Before
    public void setUp() throws Exception {
        files = tmp.newFolder("served").toPath();
        sandbox = tmp.newFolder("sandbox").toPath();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
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
}
