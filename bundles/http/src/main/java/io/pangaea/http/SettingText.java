package io.pangaea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A setting given as its JSON or as a file holding it, as Mesos takes {@code credentials}, {@code acls} and
 * {@code rate_limits}: text that starts with {@code {} is the JSON, anything else a path (optionally
 * {@code file://}). Errors start with the setting's name.
 */
final class SettingText {

    private SettingText() {
    }

    /** The setting's text: itself, or its file's content. */
    static String read(String setting, String value) throws IOException {
        String text = value.trim();
        if (text.startsWith("{")) {
            return text;
        }
        Path p = Path.of(text.startsWith("file://") ? text.substring("file://".length()) : text);
        if (!Files.isRegularFile(p)) {
            throw new IOException(setting + ": no such file '" + p + "'");
        }
        return Files.readString(p).trim();
    }

    /** The setting as a JSON object. */
    static JsonNode object(String setting, String value) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(read(setting, value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(setting + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IOException(setting + ": expecting a JSON object");
        }
        return root;
    }
}
