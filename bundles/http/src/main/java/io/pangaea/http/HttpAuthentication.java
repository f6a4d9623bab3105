package io.pangaea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * HTTP Basic authentication with Mesos's credentials, per realm: which realms a daemon protects (its
 * {@code authenticate_*} settings) and the principals and secrets it accepts (Mesos's {@code credentials} file,
 * {@code {"credentials": [{"principal": ..., "secret": ...}]}}, or its older form, a {@code principal secret} pair a
 * line). A refused request gets 401 with {@code WWW-Authenticate: Basic realm="<realm>"}, as Mesos answers. Immutable;
 * any thread.
 */
public final class HttpAuthentication {

    /** Mesos's realms. */
    public static final String MASTER_READONLY = "mesos-master-readonly";
    public static final String MASTER_READWRITE = "mesos-master-readwrite";
    public static final String MASTER_SCHEDULER = "mesos-master-scheduler";
    /** The agents' connection to the master (Mesos authenticates agents with SASL; here with Basic). */
    public static final String MASTER_AGENT = "mesos-master-agent";

    /** The request attribute holding the authenticated principal. */
    public static final String PRINCIPAL = "io.pangaea.http.principal";

    private static final HttpAuthentication NONE = new HttpAuthentication(Set.of(), Map.of());

    private final Set<String> realms;
    private final Map<String, String> secrets;
    /** Another source of principals (a Karaf JAAS realm), tried when the credentials file does not know one. */
    private final Verifier verifier;

    /** Checks a principal's secret somewhere else than in a credentials file. */
    @FunctionalInterface
    public interface Verifier {
        boolean verify(String principal, String secret);
    }

    public HttpAuthentication(Set<String> realms, Map<String, String> secrets) {
        this(realms, secrets, null);
    }

    /** With {@code verifier} (null: none) for the principals {@code secrets} does not list. */
    public HttpAuthentication(Set<String> realms, Map<String, String> secrets, Verifier verifier) {
        this.realms = Set.copyOf(realms);
        this.secrets = Collections.unmodifiableMap(new LinkedHashMap<>(secrets));
        this.verifier = verifier;
    }

    /** Nothing protected. */
    public static HttpAuthentication none() {
        return NONE;
    }

    public boolean protects(String realm) {
        return realms.contains(realm);
    }

    public Set<String> realms() {
        return realms;
    }

    /**
     * Reads Mesos's credentials: a file path (optionally {@code file://}), or the JSON itself. Fails with a message
     * naming what is wrong.
     */
    public static Map<String, String> credentials(String fileOrJson) throws IOException {
        String text = SettingText.read("credentials", fileOrJson);
        Map<String, String> out = new LinkedHashMap<>();
        if (text.startsWith("{")) {
            JsonNode n = new ObjectMapper().readTree(text);
            if (!n.path("credentials").isArray()) {
                throw new IOException("credentials: expecting {\"credentials\": [{\"principal\", \"secret\"}, ...]}");
            }
            for (JsonNode c : n.path("credentials")) {
                if (!c.path("principal").isTextual() || c.path("principal").asText().isEmpty()) {
                    throw new IOException("credentials: every entry needs a 'principal'");
                }
                out.put(c.path("principal").asText(), c.path("secret").asText(""));
            }
        } else {
            for (String line : text.split("\\R")) {
                String l = line.trim();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.split("\\s+", 2);
                out.put(f[0], f.length > 1 ? f[1] : "");
            }
        }
        return out;
    }

    /**
     * Whether a request to {@code realm} may go on: yes when the realm is null or not protected, or when its
     * credentials are right (the principal is then the request's {@value #PRINCIPAL} attribute); no when they are
     * missing or wrong, and the 401 has been answered.
     */
    public boolean admits(String realm, Request request, Response response, Callback callback) {
        if (realm == null || !realms.contains(realm)) {
            return true;
        }
        String principal = principal(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (principal == null) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"" + realm + "\"");
            if (request.getLength() != 0) {
                // the body is not read: the connection ends with this answer, so that no client sends its next
                // request on a connection the server is closing
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            HttpSupport.text(response, callback, 401, "Unauthorized: this endpoint needs credentials of the realm '"
                    + realm + "'");
            return false;
        }
        request.setAttribute(PRINCIPAL, principal);
        return true;
    }

    /** The principal whose secret matches an {@code Authorization: Basic} header, or null. */
    String principal(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String principal = decoded.substring(0, colon);
        String secret = secrets.get(principal);
        if (secret == null) {
            return verifier != null && !principal.isEmpty() && verifier.verify(principal, decoded.substring(colon + 1))
                    ? principal : null;
        }
        // constant time, so that the secret cannot be guessed by timing
        if (!MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return principal;
    }

    /** The {@code Authorization} header value for a client with these credentials. */
    public static String basic(String principal, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((principal + ":" + secret)
                .getBytes(StandardCharsets.UTF_8));
    }
}
