package io.pangaea.agent.internal;

import io.pangaea.model.CommandUri;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Fetches a command's {@code CommandInfo.uris} into its sandbox before it starts, as Mesos's fetcher does: http(s)
 * URLs, {@code file://} URLs and absolute paths; saved under {@code output_file} or the URI's last path segment;
 * made executable when {@code executable} is set, otherwise archives are extracted into the sandbox when
 * {@code extract} is (the default): .tar, .tar.gz, .tgz, .tar.bz2, .tbz2, .tar.xz, .txz, .zip, and a lone .gz is
 * decompressed. URIs with {@code cache} set are kept in the {@link FetcherCache} and copied from there when asked
 * for again. Anything that would land outside the sandbox is refused.
 */
final class Fetcher {

    /** Why a URI could not be fetched; the task fails with this message. */
    static final class FetchException extends Exception {
        FetchException(String message) {
            super(message);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Duration timeout;
    private final FetcherCache cache;

    Fetcher(Duration timeout) {
        this(timeout, null);
    }

    /** With {@code cache} for the URIs that ask to be cached (none: every URI is fetched each time). */
    Fetcher(Duration timeout, FetcherCache cache) {
        this.timeout = timeout;
        this.cache = cache;
    }

    FetcherCache cache() {
        return cache;
    }

    void fetch(List<CommandUri> uris, Path sandbox) throws FetchException {
        for (CommandUri uri : uris == null ? List.<CommandUri>of() : uris) {
            if (uri == null || uri.value() == null || uri.value().isBlank()) {
                throw new FetchException("A URI has no 'value'");
            }
            fetchOne(uri, sandbox);
        }
    }

    private void fetchOne(CommandUri uri, Path sandbox) throws FetchException {
        String value = uri.value().trim();
        URI parsed;
        try {
            parsed = value.startsWith("/") ? Path.of(value).toUri() : URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new FetchException("'" + value + "' is not a URI: " + e.getMessage());
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        String name = uri.outputFile() != null && !uri.outputFile().isBlank() ? uri.outputFile()
                : lastSegment(parsed.getPath());
        if (name == null || name.isEmpty()) {
            throw new FetchException("Cannot tell a file name for '" + value + "'; set 'output_file'");
        }
        Path target = inside(sandbox, name, value);
        try {
            Files.createDirectories(target.getParent());
            if (Boolean.TRUE.equals(uri.cache()) && cache != null) {
                try (FetcherCache.Lease cached = cache.get(value, file -> retrieve(scheme, parsed, value, file))) {
                    Files.copy(cached.file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                retrieve(scheme, parsed, value, target);
            }
            if (Boolean.TRUE.equals(uri.executable())) {
                Set<PosixFilePermission> p = EnumSet.copyOf(Files.getPosixFilePermissions(target));
                p.addAll(List.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE));
                Files.setPosixFilePermissions(target, p);
            } else if (uri.extract() == null || uri.extract()) {
                extract(target, sandbox, value);
            }
        } catch (IOException e) {
            throw new FetchException("Failed to fetch '" + value + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("Interrupted while fetching '" + value + "'");
        }
    }

    /** The URI's content into {@code target}. */
    private void retrieve(String scheme, URI parsed, String value, Path target)
            throws IOException, InterruptedException, FetchException {
        switch (scheme) {
            case "http", "https" -> download(parsed, target);
            case "file" -> {
                Path source = Path.of(parsed);
                if (!Files.isRegularFile(source)) {
                    throw new FetchException("'" + value + "' is not a file on this agent");
                }
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            }
            default -> throw new FetchException("Unsupported URI scheme in '" + value
                    + "': use http, https, file or an absolute path");
        }
    }

    private void download(URI uri, Path target) throws IOException, InterruptedException, FetchException {
        HttpResponse<Path> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofFile(target));
        if (r.statusCode() != 200) {
            Files.deleteIfExists(target);
            throw new FetchException("Failed to fetch '" + uri + "': HTTP " + r.statusCode());
        }
    }

    private static String lastSegment(String path) {
        if (path == null) {
            return null;
        }
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** {@code name} under the sandbox, refused if it leaves it. */
    private static Path inside(Path sandbox, String name, String what) throws FetchException {
        Path target = sandbox.resolve(name).normalize();
        if (!target.startsWith(sandbox.normalize()) || target.equals(sandbox.normalize())) {
            throw new FetchException("'" + name + "' (for '" + what + "') is outside the sandbox");
        }
        return target;
    }

    /**
     * Extracts an archive into the sandbox, in process, within the fetcher's timeout. Every entry must land inside
     * the sandbox: absolute names, {@code ..}, links whose target leaves it, and writes through a link all fail
     * the fetch.
     */
    private void extract(Path file, Path sandbox, String what) throws IOException, FetchException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        long deadline = System.nanoTime() + timeout.toNanos();
        if (n.endsWith(".zip")) {
            unzip(file, sandbox, what, deadline);
        } else if (n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".tar.bz2")
                || n.endsWith(".tbz2") || n.endsWith(".tar.xz") || n.endsWith(".txz")) {
            try (InputStream in = decompressed(file, n)) {
                new Extraction(sandbox, what, deadline).untar(in);
            }
        } else if (n.endsWith(".gz")) {
            Path out = inside(sandbox, file.getFileName().toString().substring(0, n.length() - 3), what);
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                new Extraction(sandbox, what, deadline).write(in, out);
            }
        }
    }

    /** The archive's bytes, decompressed as its name says. */
    private static InputStream decompressed(Path file, String name) throws IOException {
        InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file));
        if (name.endsWith(".gz") || name.endsWith(".tgz")) {
            return new GzipCompressorInputStream(raw, true);
        }
        if (name.endsWith(".bz2") || name.endsWith(".tbz2")) {
            return new BZip2CompressorInputStream(raw, true);
        }
        if (name.endsWith(".xz") || name.endsWith(".txz")) {
            return new XZCompressorInputStream(raw, true);
        }
        return raw;
    }

    private static void unzip(Path file, Path sandbox, String what, long deadline) throws IOException,
            FetchException {
        Extraction x = new Extraction(sandbox, what, deadline);
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                x.checkTime();
                Path out = inside(sandbox, e.getName(), what);
                if (e.isDirectory()) {
                    x.directory(out);
                } else {
                    x.write(zip, out);
                }
            }
        }
    }

    /** One archive being extracted into a sandbox: where entries may go, and until when. */
    private static final class Extraction {
        private final Path sandbox;
        private final Path realSandbox;
        private final String what;
        private final long deadline;

        Extraction(Path sandbox, String what, long deadline) throws IOException {
            this.sandbox = sandbox.normalize();
            this.realSandbox = sandbox.toRealPath();
            this.what = what;
            this.deadline = deadline;
        }

        void checkTime() throws FetchException {
            if (System.nanoTime() - deadline > 0) {
                throw new FetchException("Extracting '" + what + "' took longer than the fetcher's timeout");
            }
        }

        void untar(InputStream in) throws IOException, FetchException {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                checkTime();
                Path out = inside(sandbox, e.getName(), what);
                if (e.isDirectory()) {
                    directory(out);
                } else if (e.isSymbolicLink()) {
                    symlink(out, e.getLinkName());
                } else if (e.isLink()) {
                    Path source = inside(sandbox, e.getLinkName(), what);
                    directory(out.getParent());
                    checkReal(source);
                    Files.deleteIfExists(out);
                    Files.createLink(out, source);
                } else if (e.isFile()) {
                    write(tar, out);
                    if ((e.getMode() & 0111) != 0) {
                        out.toFile().setExecutable(true, false);
                    }
                }
                // devices, fifos and the like are not extracted
            }
        }

        /** A directory, made only where its real path stays inside the sandbox (no write through a link). */
        void directory(Path dir) throws IOException, FetchException {
            Files.createDirectories(dir);
            checkReal(dir);
        }

        private void checkReal(Path p) throws IOException, FetchException {
            if (!p.toRealPath().startsWith(realSandbox)) {
                throw new FetchException("'" + sandbox.relativize(p) + "' (in '" + what + "') is outside the"
                        + " sandbox through a link");
            }
        }

        /** A symbolic link whose target, read from where the link is, stays inside the sandbox. */
        private void symlink(Path out, String target) throws IOException, FetchException {
            Path t = Path.of(target);
            if (t.isAbsolute() || !out.getParent().resolve(t).normalize().startsWith(sandbox)) {
                throw new FetchException("The link '" + sandbox.relativize(out) + "' -> '" + target + "' (in '"
                        + what + "') is outside the sandbox");
            }
            directory(out.getParent());
            Files.deleteIfExists(out);
            Files.createSymbolicLink(out, t);
        }

        /** A file's bytes, never through a link: its directory is checked and the file made anew. */
        void write(InputStream in, Path out) throws IOException, FetchException {
            directory(out.getParent());
            Files.deleteIfExists(out);
            byte[] buffer = new byte[64 * 1024];
            try (var os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    os.write(buffer, 0, n);
                    checkTime();
                }
            }
        }
    }
}
