package io.pangaea.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * HTTP principals checked against a JAAS realm ({@code http_authentication_realm}): in Karaf, one of its realms
 * ({@code karaf} is {@code etc/users.properties}; LDAP and JDBC realms are configured the same way), so the users of
 * the shell are the users of the HTTP APIs. A login is costly (a realm may call a directory): a success is remembered
 * for a minute, by a digest of the principal and secret, never the secret itself.
 */
public final class JaasVerifier implements HttpAuthentication.Verifier {

    private static final long REMEMBER_NANOS = 60L * 1_000_000_000L;

    private final String realm;
    private final Map<String, Long> remembered = new ConcurrentHashMap<>();

    public JaasVerifier(String realm) {
        this.realm = realm;
    }

    public String realm() {
        return realm;
    }

    @Override
    public boolean verify(String principal, String secret) {
        String key = digest(principal, secret);
        Long until = remembered.get(key);
        long now = System.nanoTime();
        if (until != null && until - now > 0) {
            return true;
        }
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        try {
            // the JAAS configuration Karaf installs finds its realms through this bundle's loader
            t.setContextClassLoader(JaasVerifier.class.getClassLoader());
            LoginContext login = new LoginContext(realm, callbacks -> {
                for (Callback c : callbacks) {
                    if (c instanceof NameCallback n) {
                        n.setName(principal);
                    } else if (c instanceof PasswordCallback p) {
                        p.setPassword(secret.toCharArray());
                    } else {
                        throw new UnsupportedCallbackException(c);
                    }
                }
            });
            login.login();
            login.logout();
        } catch (LoginException | SecurityException e) {
            remembered.remove(key);
            return false;
        } finally {
            t.setContextClassLoader(before);
        }
        if (remembered.size() > 10_000) {
            remembered.clear();
        }
        remembered.put(key, now + REMEMBER_NANOS);
        return true;
    }

    private static String digest(String principal, String secret) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(principal.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(secret.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
