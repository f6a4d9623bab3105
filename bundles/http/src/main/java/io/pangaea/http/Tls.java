package io.pangaea.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import io.pangaea.model.tls.TlsFiles;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * TLS for a daemon's HTTP port and for its clients, with the settings Mesos takes from its {@code LIBPROCESS_SSL_*}
 * variables: a certificate and its key (PEM files: the certificate chain, and an unencrypted PKCS#8 key), or a
 * PKCS#12 or JKS keystore; the CA certificates that client certificates, and the servers this daemon calls, are
 * checked against; whether a client certificate is required; and whether plain HTTP is still accepted on the same
 * port (a downgrade, to move a running cluster to TLS one daemon at a time). Immutable.
 *
 * @param enabled           {@code ssl_enabled}
 * @param certFile          {@code ssl_cert_file}: PEM certificate chain, the server's first
 * @param keyFile           {@code ssl_key_file}: PEM private key, PKCS#8 ({@code BEGIN PRIVATE KEY})
 * @param keystore          {@code ssl_keystore}: a PKCS#12 or JKS keystore instead of the PEM files
 * @param keystorePassword  {@code ssl_keystore_password}
 * @param caFile            {@code ssl_ca_file}: PEM CA certificates trusted for peers; empty: the JVM's
 * @param requireCert       {@code ssl_require_cert}: clients must present a certificate the CA signed
 * @param supportDowngrade  {@code ssl_support_downgrade}: plain HTTP is served as well on the same port
 */
public record Tls(boolean enabled, String certFile, String keyFile, String keystore, String keystorePassword,
                  String caFile, boolean requireCert, boolean supportDowngrade) {

    private static final Tls OFF = new Tls(false, "", "", "", "", "", false, false);

    public static Tls off() {
        return OFF;
    }

    /** The URL scheme of a daemon with these settings. */
    public String scheme() {
        return enabled ? "https" : "http";
    }

    /** Checks the settings and the files they name: a message naming the setting that is wrong, or null. */
    public String invalid() {
        if (!enabled) {
            return null;
        }
        boolean pem = !blank(certFile) || !blank(keyFile);
        if (pem && !blank(keystore)) {
            return "ssl_keystore and ssl_cert_file/ssl_key_file: give one or the other";
        }
        if (!pem && blank(keystore)) {
            return "ssl_enabled is on: set ssl_cert_file and ssl_key_file (PEM), or ssl_keystore";
        }
        if (pem && (blank(certFile) || blank(keyFile))) {
            return blank(certFile) ? "ssl_cert_file: expecting the PEM certificate file"
                    : "ssl_key_file: expecting the PEM private key file";
        }
        for (String[] f : new String[][] {{"ssl_cert_file", certFile}, {"ssl_key_file", keyFile},
            {"ssl_keystore", keystore}, {"ssl_ca_file", caFile}}) {
            if (!blank(f[1]) && !Files.isReadable(Path.of(f[1]))) {
                return f[0] + ": no such file '" + f[1] + "'";
            }
        }
        if (requireCert && blank(caFile)) {
            return "ssl_require_cert needs ssl_ca_file, the CA that signs the clients' certificates";
        }
        try {
            keyStore();
            if (!blank(caFile)) {
                trustStore();
            }
        } catch (IOException | GeneralSecurityException e) {
            return e.getMessage();
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The key and certificate chain this daemon shows, as a keystore (password {@link #keyPassword}). */
    KeyStore keyStore() throws IOException, GeneralSecurityException {
        return TlsFiles.keyStore(certFile, keyFile, keystore, keyPassword());
    }

    private char[] keyPassword() {
        return (blank(keystorePassword) ? "" : keystorePassword).toCharArray();
    }

    KeyStore trustStore() throws IOException, GeneralSecurityException {
        return TlsFiles.trustStore(caFile);
    }

    /**
     * How many streams one HTTP/2 connection may carry at once: each agent keeps its subscription open as a stream,
     * so an emulator or a proxy in front of many agents multiplexes them over few connections.
     */
    static final int H2_MAX_STREAMS = 1024;

    /**
     * A connector on {@code server} serving HTTPS with these settings, and plain HTTP on the same port too when
     * {@code ssl_support_downgrade} is on; plain HTTP only when TLS is off.
     */
    public ServerConnector connector(Server server, HttpConfiguration http) {
        return connector(server, http, false);
    }

    /**
     * The same; with {@code http2}, plain HTTP also takes HTTP/2 with prior knowledge (the master's port, where
     * thousands of agents may share a few connections).
     */
    public ServerConnector connector(Server server, HttpConfiguration http, boolean http2) {
        if (!enabled) {
            // HTTP/1.1, and HTTP/2 in clear text with prior knowledge on the same port, so that many agents'
            // streams can share a few connections (one process has a limited number of sockets)
            if (!http2 || !Http2Support.available()) {
                return new ServerConnector(server, new HttpConnectionFactory(http));
            }
            return new ServerConnector(server, new HttpConnectionFactory(http), Http2Support.priorKnowledge(http,
                    H2_MAX_STREAMS));
        }
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        try {
            ssl.setKeyStore(keyStore());
            ssl.setKeyStorePassword(new String(keyPassword()));
            if (!blank(caFile)) {
                ssl.setTrustStore(trustStore());
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (requireCert) {
            ssl.setNeedClientAuth(true);
        } else if (!blank(caFile)) {
            ssl.setWantClientAuth(true);
        }
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // daemons are reached by IP as often as by name
        https.addCustomizer(secure);
        HttpConnectionFactory httpFactory = new HttpConnectionFactory(https);
        SslConnectionFactory tls = new SslConnectionFactory(ssl, httpFactory.getProtocol());
        ConnectionFactory[] factories = supportDowngrade
                ? new ConnectionFactory[] {new DetectorConnectionFactory(tls), httpFactory}
                : new ConnectionFactory[] {tls, httpFactory};
        return new ServerConnector(server, factories);
    }

    /**
     * The TLS context a client of these settings uses: it trusts {@code ssl_ca_file} (else the JVM's CAs) and
     * shows its own certificate when it has one (for a server that requires client certificates).
     */
    public SSLContext clientContext() {
        return TlsFiles.clientContext(certFile, keyFile, keystore, keyPassword(), caFile);
    }

    /** A client context trusting the CA certificates of one PEM file (for clients configured by a CA alone). */
    public static SSLContext trusting(Path caFile) {
        return TlsFiles.trusting(caFile);
    }
}
