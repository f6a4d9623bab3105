package io.pangaea.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files as Mesos's file APIs show them: a {@code FileInfo} of the v1 LIST_FILES call and an entry of the legacy
 * {@code /files/browse}, and a chunk of a file for READ_FILE and {@code /files/read}. Shared by the master (its
 * log) and the agent (sandboxes).
 */
public final class FileInfos {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private FileInfos() {
    }

    /** The size of a file and up to the asked length of it from an offset. */
    public record Chunk(long size, byte[] data) {}

    /** {@code file}'s attributes, not following a final link. */
    public static PosixFileAttributes attributes(Path file) throws IOException {
        return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** A v1 {@code FileInfo} of {@code file}, shown as {@code path}. */
    public static ObjectNode v1(String path, Path file, PosixFileAttributes a) {
        ObjectNode n = F.objectNode();
        n.put("path", path);
        n.put("nlink", nlink(file));
        n.put("size", a.size());
        n.putObject("mtime").put("nanoseconds", a.lastModifiedTime().toMillis() * 1_000_000L);
        n.put("mode", a.isDirectory() ? 040000 | perms(a) : 0100000 | perms(a));
        n.put("uid", a.owner().getName());
        n.put("gid", a.group().getName());
        return n;
    }

    /** An entry of the legacy {@code /files/browse} for {@code file}, shown as {@code path}. */
    public static ObjectNode legacy(String path, Path file, PosixFileAttributes a) {
        ObjectNode n = F.objectNode();
        n.put("path", path);
        n.put("nlink", nlink(file));
        n.put("size", a.size());
        n.put("mtime", a.lastModifiedTime().toMillis() / 1000);
        n.put("mode", (a.isDirectory() ? "d" : "-") + PosixFilePermissions.toString(a.permissions()));
        n.put("uid", a.owner().getName());
        n.put("gid", a.group().getName());
        return n;
    }

    /** Up to {@code length} bytes (at most {@code max}) of {@code file} from {@code offset}, with its size. */
    public static Chunk read(Path file, long offset, long length, long max) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long size = f.length();
            if (offset >= size) {
                return new Chunk(size, new byte[0]);
            }
            int n = (int) Math.min(Math.min(length, max), size - offset);
            byte[] b = new byte[n];
            f.seek(offset);
            f.readFully(b);
            return new Chunk(size, b);
        }
    }

    private static int nlink(Path p) {
        try {
            Object n = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            return n instanceof Integer i ? i : 1;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 1;
        }
    }

    private static int perms(PosixFileAttributes a) {
        int m = 0;
        for (var p : a.permissions()) {
            m |= 1 << (8 - p.ordinal());
        }
        return m;
    }
}
