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
 * Karaf's {@code config:property-set} rewrites such a file in place: it truncates it, then writes it line by line,
 * then updates Configuration Admin itself. A poll that falls within the write reads an empty file or the first lines
 * of it, and Configuration Admin hands the component that part as its whole configuration: settings missing, or the
 * last one cut short. The next poll reads the whole file again. {@link #readWhileWritten} tells such a configuration
 * apart so the component keeps its settings meanwhile, and {@link #set} writes a setting without such a window.
 */
public final class SettingsFile {

    /** The property fileinstall adds to a configuration it read from a file: the file's URL. */
    public static final String FILENAME = "felix.fileinstall.filename";

    private SettingsFile() {
    }

    /** How long {@link #readWhileWritten} waits between two reads of a file to see it hold still. */
    private static final long STILL_MS = 10;

    /** How many times {@link #readWhileWritten} reads a file at most before it takes it for one being rewritten. */
    private static final int READS = 30;

    /**
     * Whether the configuration is a read of its file caught while the file was being rewritten, so that the
     * component should keep the settings it has. The file it came from ({@link #FILENAME}) is read again, and the
     * configuration
     * <ul>
     * <li>holds none of the component's settings, only the keys that fileinstall, Configuration Admin and
     * Declarative Services add (a read between the truncation and the first line; a file a user empties on purpose
     * looks the same, and the log line says how to go back to the defaults instead: write them out);</li>
     * <li>or lacks a setting the file now has, or gives one a value other than the file's: the first lines of the
     * file, or the content it had before a write that has happened since;</li>
     * <li>or the file does not hold still: read every {@value #STILL_MS} ms, it changed each time.</li>
     * </ul>
     * In each case the file differs from what was read, so a configuration with its present content follows:
     * fileinstall reads the file again at its next poll, and Karaf updates Configuration Admin once its write is
     * done. The file is read until two reads in a row agree, since a read made while a write is under way can stop
     * at the very line the configuration's read stopped at. A configuration that only has more settings than the
     * file is taken as it is: settings the file lost since are a deletion, which reaches the component next.
     * Values with {@code ${...}} are not compared, since fileinstall substitutes them.
     */
    public static boolean readWhileWritten(Map<String, ?> configuration) {
        return whyReadWhileWritten(configuration) != null;
    }

    /** What {@link #readWhileWritten} found wrong with the configuration, or null for nothing. */
    static String whyReadWhileWritten(Map<String, ?> configuration) {
        return whyReadWhileWritten(configuration, () -> { });
    }

    /** {@link #whyReadWhileWritten(Map)}, running {@code betweenReads} after each read but the last. */
    static String whyReadWhileWritten(Map<String, ?> configuration, Runnable betweenReads) {
        Path file = of(configuration.get(FILENAME));
        if (file == null) {
            return null;
        }
        if (configuration.keySet().stream().allMatch(SettingsFile::meta)) {
            return NONE;
        }
        byte[] read = read(file);
        for (int i = 0; read != null && i < READS; i++) {
            String why = unlike(configuration, read);
            if (why != null) {
                return why;
            }
            try {
                Thread.sleep(STILL_MS);
                betweenReads.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            byte[] again = read(file);
            if (again == null || java.util.Arrays.equals(read, again)) {
                return null; // the file holds still, and the configuration is what it says
            }
            read = again;
        }
        return read == null ? null : "read while the file kept changing";
    }

    private static final String NONE = "read with none of the settings";

    /** The file's bytes, or null when it cannot be read: what was read from it is all there is to go by. */
    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** Which of the file's settings the configuration lacks or gives another value, or null for none. */
    private static String unlike(Map<String, ?> configuration, byte[] content) {
        java.util.Properties now = new java.util.Properties();
        try {
            now.load(new java.io.StringReader(new String(content, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            return "read while the file was not whole properties";
        }
        for (String key : new java.util.TreeSet<>(now.stringPropertyNames())) {
            if (meta(key)) {
                continue;
            }
            Object read = configuration.get(key);
            if (read == null) {
                return "read without '" + key + "', which the file has";
            }
            String value = now.getProperty(key);
            if (!value.contains("${") && !value.strip().equals(String.valueOf(read).strip())) {
                return "read with '" + key + "' other than in the file";
            }
        }
        return null;
    }

    private static boolean meta(String key) {
        return key.startsWith("felix.fileinstall.") || key.startsWith("service.") || key.startsWith("component.");
    }

    /**
     * {@link #readWhileWritten}, saying so in the log for {@code component} (which keeps its settings): the check
     * a component makes first when its configuration changes.
     */
    public static boolean skip(Map<String, ?> configuration, String component) {
        String why = whyReadWhileWritten(configuration);
        if (why == null) {
            return false;
        }
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SettingsFile.class);
        if (why.equals(NONE)) {
            log.warn("{} {}: taken for the file caught while it was being rewritten; the {} keeps its settings"
                    + " until the file is read whole (to go back to the defaults, write them out)",
                    of(configuration.get(FILENAME)), why, component);
        } else {
            log.info("{} {}: taken for a read made while the file was being rewritten, or before; the {} keeps its"
                    + " settings until the file is read as it is", of(configuration.get(FILENAME)), why, component);
        }
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
