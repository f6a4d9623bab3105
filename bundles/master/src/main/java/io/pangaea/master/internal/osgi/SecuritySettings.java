package io.pangaea.master.internal.osgi;

/**
 * The master's security settings read from its configuration: who must authenticate and with what credentials, the
 * ACLs, the rate limits and TLS. Each fails with {@link IllegalArgumentException} naming the setting that is wrong,
 * and the component keeps what it had.
 */
final class SecuritySettings {

    private SecuritySettings() {
    }

    static io.pangaea.http.HttpAuthentication authentication(MasterComponent.Config c) {
        java.util.Set<String> realms = new java.util.HashSet<>();
        if (c.authenticate__http__frameworks() || c.authenticate__frameworks()) {
            realms.add(io.pangaea.http.HttpAuthentication.MASTER_SCHEDULER);
        }
        if (c.authenticate__http__readonly()) {
            realms.add(io.pangaea.http.HttpAuthentication.MASTER_READONLY);
        }
        if (c.authenticate__http__readwrite()) {
            realms.add(io.pangaea.http.HttpAuthentication.MASTER_READWRITE);
        }
        if (c.authenticate__agents()) {
            realms.add(io.pangaea.http.HttpAuthentication.MASTER_AGENT);
        }
        if (realms.isEmpty()) {
            return io.pangaea.http.HttpAuthentication.none();
        }
        boolean jaas = c.http__authentication__realm() != null && !c.http__authentication__realm().isBlank();
        if ((c.credentials() == null || c.credentials().isBlank()) && !jaas) {
            throw new IllegalArgumentException("authenticate_* is on but 'credentials' and"
                    + " 'http_authentication_realm' are empty: name the credentials file or a JAAS realm");
        }
        try {
            return new io.pangaea.http.HttpAuthentication(realms, c.credentials() == null || c.credentials().isBlank()
                    ? java.util.Map.of() : io.pangaea.http.HttpAuthentication.credentials(c.credentials()),
                    jaas ? new io.pangaea.http.JaasVerifier(c.http__authentication__realm().trim()) : null);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static io.pangaea.http.Acls acls(MasterComponent.Config c) {
        try {
            return io.pangaea.http.Acls.parse(c.acls());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static io.pangaea.http.RateLimits rateLimits(MasterComponent.Config c) {
        try {
            return io.pangaea.http.RateLimits.parse(c.rate__limits());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static io.pangaea.http.Tls tls(MasterComponent.Config c) {
        io.pangaea.http.Tls t = new io.pangaea.http.Tls(c.ssl__enabled(), c.ssl__cert__file(), c.ssl__key__file(),
                c.ssl__keystore(), c.ssl__keystore__password(), c.ssl__ca__file(), c.ssl__require__cert(),
                c.ssl__support__downgrade());
        String invalid = t.invalid();
        if (invalid != null) {
            throw new IllegalArgumentException(invalid);
        }
        return t;
    }
}
