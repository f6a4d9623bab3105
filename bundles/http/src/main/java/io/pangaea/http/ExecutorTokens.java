package io.pangaea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Executor authentication tokens, as Mesos's {@code authenticate_http_executors} gives them: a JSON Web Token signed
 * with HMAC-SHA256 under the agent's {@code executor_secret_key}, whose claims name the executor's framework
 * ({@code fid}), executor ({@code eid}) and container ({@code cid}). The agent hands each executor its token in
 * {@code MESOS_EXECUTOR_AUTHENTICATION_TOKEN}; the executor sends it as {@code Authorization: Bearer <token>}, and the
 * agent accepts a call only from the executor the token names. Immutable; any thread.
 */
public final class ExecutorTokens {

    /** The environment variable that carries an executor's token, as in Mesos. */
    public static final String ENVIRONMENT = "MESOS_EXECUTOR_AUTHENTICATION_TOKEN";
    /** The realm of a refused executor call. */
    public static final String REALM = "mesos-agent-executor";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    private static final String HEADER = ENCODE.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
            .getBytes(StandardCharsets.UTF_8));

    private final byte[] key;

    public ExecutorTokens(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("executor_secret_key: the key must be at least 16 bytes");
        }
        this.key = key.clone();
    }

    /** The key in a file ({@code executor_secret_key}, as Mesos takes it), trailing newline dropped. */
    public static ExecutorTokens fromFile(String file) throws IOException {
        if (file == null || file.isBlank()) {
            throw new IOException("authenticate_http_executors is on but 'executor_secret_key' is empty: name the"
                    + " file holding the key");
        }
        Path p = Path.of(file.startsWith("file://") ? file.substring("file://".length()) : file.trim());
        if (!Files.isRegularFile(p)) {
            throw new IOException("executor_secret_key: no such file '" + p + "'");
        }
        String text = Files.readString(p).strip();
        try {
            return new ExecutorTokens(text.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** The executor a valid token names. */
    public record Claims(String frameworkId, String executorId, String containerId) {
    }

    /** A token for this executor of this framework in this container. */
    public String issue(String frameworkId, String executorId, String containerId) {
        ObjectNode claims = JSON.createObjectNode().put("fid", frameworkId).put("eid", executorId)
                .put("cid", containerId);
        String payload = ENCODE.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return HEADER + "." + payload + "." + ENCODE.encodeToString(sign(HEADER + "." + payload));
    }

    /** The claims of a token this agent signed, or null when it is malformed or its signature is not ours. */
    public Claims verify(String token) {
        if (token == null) {
            return null;
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        try {
            JsonNode header = JSON.readTree(DECODE.decode(parts[0]));
            if (header == null || !"HS256".equals(header.path("alg").asText())) {
                return null;
            }
            if (!MessageDigest.isEqual(sign(parts[0] + "." + parts[1]), DECODE.decode(parts[2]))) {
                return null;
            }
            JsonNode claims = JSON.readTree(DECODE.decode(parts[1]));
            if (claims == null || !claims.path("fid").isTextual() || !claims.path("eid").isTextual()) {
                return null;
            }
            return new Claims(claims.get("fid").asText(), claims.get("eid").asText(), claims.path("cid").asText(null));
        } catch (IllegalArgumentException | IOException e) {
            return null;
        }
    }

    /** The token of an {@code Authorization: Bearer <token>} header, or null. */
    public static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).trim();
    }

    private byte[] sign(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
