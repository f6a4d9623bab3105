package io.pangaea.master.internal.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.pangaea.http.FileInfos;
import io.pangaea.master.internal.Master;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The master's own files, as Mesos's master serves them through LIST_FILES, READ_FILE and {@code /files/*}: its
 * log, at the virtual path {@value #LOG}, when it has one (the Karaf distribution's {@code data/log/karaf.log}).
 */
final class MasterFiles {

    static final String LOG = "/master/log";
    /** The most READ_FILE gives at once, as the agent's sandboxes. */
    static final long MAX_READ = 16L * 1024 * 1024;

    /** What cannot be listed or read, with its HTTP status. */
    static final class FileException extends Exception {
        final int status;

        FileException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final Master master;

    MasterFiles(Master master) {
        this.master = master;
    }

    private Path resolve(String path) throws FileException {
        if (path == null || path.isEmpty()) {
            throw new FileException(400, "Expecting 'path' to be present");
        }
        Path log = master.logFile();
        if (!LOG.equals(path.replaceAll("/+$", "")) || log == null || !Files.isRegularFile(log)) {
            throw new FileException(404, "No such file or directory: '" + path + "' (this master serves "
                    + LOG + (log == null ? ", which it does not have outside its Karaf distribution)" : ")"));
        }
        return log;
    }

    /** LIST_FILES' {@code file_infos} of {@code path}: the log itself. */
    ArrayNode list(String path) throws FileException {
        Path log = resolve(path);
        try {
            return JsonNodeFactory.instance.arrayNode().add(FileInfos.v1(LOG, log, FileInfos.attributes(log)));
        } catch (IOException e) {
            throw new FileException(404, "No such file or directory: '" + path + "'");
        }
    }

    /** READ_FILE: up to {@code length} bytes of the log from {@code offset}. */
    FileInfos.Chunk read(String path, long offset, Long length) throws FileException {
        Path log = resolve(path);
        if (offset < 0 || (length != null && length < 0)) {
            throw new FileException(400, "Expecting a non-negative 'read_file.offset' and 'read_file.length'");
        }
        try {
            return FileInfos.read(log, offset, length == null ? MAX_READ : length, MAX_READ);
        } catch (IOException e) {
            throw new FileException(404, "No such file or directory: '" + path + "'");
        }
    }
}
