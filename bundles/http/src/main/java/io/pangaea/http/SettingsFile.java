package io.pangaea.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A component's settings file in Karaf's {@code etc/} ({@code <pid>.cfg}), which Felix fileinstall polls (once a
 * second) and feeds to Configuration Admin.
 * <p>
 * Karaf's {@code config:property-set} rewrites such a file in place: it truncates it, then writes it. A poll that
 * falls between the two reads an empty file, and Configuration Admin hands the component a configuration with none
 * of its settings; the next poll reads the whole file again. {@link #readWhileWritten} tells that configuration apart
 * so the component keeps its settings meanwhile, and {@link #set} writes a setting without such a window.
 */
public final class SettingsFile {

    /** The property fileinstall adds to a configuration it read from a file: the file's URL. */
    public static final String FILENAME = "felix.fileinstall.filename";

    private SettingsFile() {
    }

    /**
     * Whether the configuration came from a file and holds none of the component's settings, only the keys that
     * fileinstall, Configuration Admin and Declarative Services add: the file as read between its truncation and
     * its write. A file a user empties on purpose looks the same; the log line the caller writes says how to go
     * back to the defaults instead (write them out).
     */
    public static boolean readWhileWritten(Map<String, ?> configuration) {
        if (!configuration.containsKey(FILENAME)) {
            return false;
        }
        for (String key : configuration.keySet()) {
            if (!key.startsWith("felix.fileinstall.") && !key.startsWith("service.")
                    && !key.startsWith("component.")) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #readWhileWritten}, saying so in the log for {@code component} (which keeps its settings): the check
     * a component makes first when its configuration changes.
     */
    public static boolean skip(Map<String, ?> configuration, String component) {
        if (!readWhileWritten(configuration)) {
            return false;
        }
        org.slf4j.LoggerFactory.getLogger(SettingsFile.class).warn("{} read with none of the {}'s settings: taken"
                + " for the file caught while it was being rewritten; the settings stay as they are until it is read"
                + " whole (to go back to the defaults, write them out)", of(configuration.get(FILENAME)), component);
        return true;
    }

    /** The file a configuration was read from, given its {@link #FILENAME} property; null for none. */
    public static Path of(Object url) {
        if (url == null) {
            return null;
        }
        String s = url.toString();
        return s.startsWith("file:") ? Path.of(java.net.URI.create(s)) : Path.of(s);
    }

    /**
     * Sets {@code key = value} in the file, keeping its other lines and comments: the key's line is replaced (with
     * its continuation lines), or the line is added at the end. The file is written beside and renamed over the old
     * one, so a reader sees the old file or the new one, never a part.
     */
    public static void set(Path file, String key, String value) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>(lines.size() + 1);
        String line = escape(key, true) + " = " + escape(value, false);
        boolean placed = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!placed && key.equals(keyOf(l))) {
                out.add(line);
                placed = true;
                while (continues(l) && i + 1 < lines.size()) {
                    l = lines.get(++i); // the old value's continuation lines go with it
                }
            } else {
                out.add(l);
            }
        }
        if (!placed) {
            out.add(line);
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp"); // not a name fileinstall picks up
        Files.write(tmp, out, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The key a properties line sets, unescaped, or null for a comment or blank line. */
    static String keyOf(String line) {
        int i = 0;
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        if (i == line.length() || line.charAt(i) == '#' || line.charAt(i) == '!') {
            return null;
        }
        StringBuilder key = new StringBuilder();
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                key.append(line.charAt(++i));
            } else if (c == '=' || c == ':' || Character.isWhitespace(c)) {
                break;
            } else {
                key.append(c);
            }
        }
        return key.toString();
    }

    /** Whether a line ends in an odd number of backslashes: its value goes on on the next line. */
    private static boolean continues(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    private static String escape(String s, boolean key) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '=', ':', '#', '!' -> b.append(key ? "\\" + c : String.valueOf(c));
                case ' ' -> b.append(key || i == 0 ? "\\ " : " ");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
