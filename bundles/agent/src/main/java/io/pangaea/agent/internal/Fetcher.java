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
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
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

    private void extract(Path file, Path sandbox, String what) throws IOException, InterruptedException,
            FetchException {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip")) {
            unzip(file, sandbox, what);
        } else if (n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz") || n.endsWith(".tar.bz2")
                || n.endsWith(".tbz2") || n.endsWith(".tar.xz") || n.endsWith(".txz")) {
            // GNU tar refuses members with absolute names or '..' unless told otherwise
            Process p = new ProcessBuilder("tar", "-xf", file.toString(), "-C", sandbox.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new FetchException("Extracting '" + what + "' took longer than " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new FetchException("Failed to extract '" + what + "': " + out.trim());
            }
        } else if (n.endsWith(".gz")) {
            Path out = inside(sandbox, file.getFileName().toString().substring(0, n.length() - 3), what);
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void unzip(Path file, Path sandbox, String what) throws IOException, FetchException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path out = inside(sandbox, e.getName(), what);
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(zip, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
