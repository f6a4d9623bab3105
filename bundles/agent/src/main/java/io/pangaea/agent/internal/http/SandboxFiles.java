package io.pangaea.agent.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pangaea.http.FileInfos;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The agent's files as Mesos serves them ({@code /files/browse}, {@code /files/read}, {@code /files/download},
 * LIST_FILES, READ_FILE): only what lies under the agent's work directory. A path is either a real one (as
 * {@code directory} in {@code /state}) or the virtual {@code /frameworks/F/executors/E/runs/latest[/...]}, which
 * names an executor's latest run. Anything else, or a path that leaves the work directory, is "not found".
 */
final class SandboxFiles {

    /** A request the agent cannot serve: the HTTP status and message. */
    static final class FileException extends Exception {
        final int status;

        FileException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Longest read a single request gets, as Mesos's default page. */
    static final long MAX_READ = 16L * 1024 * 1024;

    private final Path workDir;
    private final Path slaves;

    SandboxFiles(Path workDir) {
        this.workDir = workDir.toAbsolutePath().normalize();
        this.slaves = this.workDir.resolve("slaves");
    }

    /**
     * The framework and executor whose sandbox a request's path is in, once resolved (so {@code ..} cannot name
     * another's): {@code [framework id, executor id]}, or null when the path is not in a sandbox or names nothing.
     */
    String[] owner(String path) {
        Path real;
        try {
            real = resolve(path);
        } catch (FileException e) {
            return null;
        }
        Path rel;
        try {
            rel = workDir.toRealPath().relativize(real);
        } catch (IOException e) {
            return null;
        }
        // slaves/<agent>/frameworks/<framework>/executors/<executor>/runs/...
        if (rel.getNameCount() >= 6 && rel.getName(0).toString().equals("slaves")
                && rel.getName(2).toString().equals("frameworks") && rel.getName(4).toString().equals("executors")) {
            return new String[] {rel.getName(3).toString(), rel.getName(5).toString()};
        }
        return null;
    }

    /**
     * The framework and executor whose sandbox a path names in its words ({@code .../frameworks/F/executors/E/...},
     * once {@code ..} is folded), or null: what the master judged access to.
     */
    static String[] namedOwner(String path) {
        if (path == null) {
            return null;
        }
        String normalized;
        try {
            normalized = Path.of(path).normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        java.util.regex.Matcher m = NAMED.matcher(normalized);
        return m.find() ? new String[] {m.group(1), m.group(2)} : null;
    }

    private static final java.util.regex.Pattern NAMED = java.util.regex.Pattern.compile(
            "/frameworks/([^/]+)/executors/([^/]+)(/|$)");

    /** The real file a request's path names, inside the work directory. */
    Path resolve(String path) throws FileException {
        if (path == null || path.isBlank()) {
            throw new FileException(400, "Expecting 'path' to be present");
        }
        Path p;
        try {
            p = path.startsWith("/frameworks/") ? virtual(path) : Path.of(path).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new FileException(400, "Not a valid path: " + e.getReason());
        }
        if (!p.startsWith(workDir)) {
            throw new FileException(404, "File not found: '" + path + "'");
        }
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(workDir.toRealPath())) {
                throw new FileException(404, "File not found: '" + path + "'");
            }
            return real;
        } catch (IOException e) {
            throw new FileException(404, "File not found: '" + path + "'");
        }
    }

    /** {@code /frameworks/F/executors/E/runs/latest/rest} → the executor's newest run directory, then rest. */
    private Path virtual(String path) throws FileException {
        String[] parts = path.substring(1).split("/");
        if (parts.length < 6 || !parts[2].equals("executors") || !parts[4].equals("runs")) {
            throw new FileException(404, "File not found: '" + path + "'");
        }
        Path runs = null;
        try (DirectoryStream<Path> agents = Files.newDirectoryStream(slaves)) {
            for (Path a : agents) {
                Path r = a.resolve("frameworks").resolve(parts[1]).resolve("executors").resolve(parts[3])
                        .resolve("runs");
                if (Files.isDirectory(r)) {
                    runs = r;
                }
            }
        } catch (IOException e) {
            throw new FileException(404, "File not found: '" + path + "'");
        }
        if (runs == null) {
            throw new FileException(404, "File not found: '" + path + "'");
        }
        Path run;
        if (parts[5].equals("latest")) {
            try (var s = Files.list(runs)) {
                run = s.filter(Files::isDirectory).max(Comparator.comparing(SandboxFiles::mtime)).orElse(null);
            } catch (IOException e) {
                run = null;
            }
            if (run == null) {
                throw new FileException(404, "File not found: '" + path + "'");
            }
        } else {
            run = runs.resolve(parts[5]);
        }
        for (int i = 6; i < parts.length; i++) {
            run = run.resolve(parts[i]);
        }
        return run.normalize();
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The entries of a directory (or the file itself), as Mesos's FileInfo. */
    List<Map.Entry<Path, PosixFileAttributes>> list(String path) throws FileException {
        Path p = resolve(path);
        List<Map.Entry<Path, PosixFileAttributes>> out = new ArrayList<>();
        try {
            if (Files.isDirectory(p)) {
                try (var s = Files.list(p)) {
                    for (Path c : s.sorted().toList()) {
                        out.add(Map.entry(c, Files.readAttributes(c, PosixFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS)));
                    }
                }
            } else {
                out.add(Map.entry(p, Files.readAttributes(p, PosixFileAttributes.class)));
            }
        } catch (IOException e) {
            throw new FileException(404, "File not found: '" + path + "'");
        }
        return out;
    }

    /** Legacy {@code /files/browse}: a JSON array of file entries. */
    ArrayNode browse(String path) throws FileException {
        ArrayNode arr = F.arrayNode();
        for (var e : list(path)) {
            arr.add(FileInfos.legacy(e.getKey().toString(), e.getKey(), e.getValue()));
        }
        return arr;
    }

    /** v1 LIST_FILES body: {@code file_infos} as {@code FileInfo} messages. */
    ObjectNode listFiles(String path) throws FileException {
        ObjectNode body = F.objectNode();
        ArrayNode infos = body.putArray("file_infos");
        for (var e : list(path)) {
            infos.add(FileInfos.v1(e.getKey().toString(), e.getKey(), e.getValue()));
        }
        return body;
    }

    /** The size of a file and up to {@code length} bytes of it from {@code offset} (both non-negative). */
    record Chunk(long size, byte[] data) {}

    Chunk read(String path, long offset, long length) throws FileException {
        Path p = resolve(path);
        if (Files.isDirectory(p)) {
            throw new FileException(400, "Cannot read a directory: '" + path + "'");
        }
        if (offset < 0 || length < 0) {
            throw new FileException(400, "Expecting a non-negative 'offset' and 'length'");
        }
        try {
            FileInfos.Chunk c = FileInfos.read(p, offset, length, MAX_READ);
            return new Chunk(c.size(), c.data());
        } catch (IOException e) {
            throw new FileException(404, "File not found: '" + path + "'");
        }
    }
}
