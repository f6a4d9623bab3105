package io.pangaea.model.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads TLS material as Mesos's {@code LIBPROCESS_SSL_*} files give it: a PEM certificate chain and its unencrypted
 * PKCS#8 key, or a PKCS#12 (or {@code .jks}) keystore; and PEM CA certificates to trust. Errors name the setting.
 * Stateless.
 */
public final class TlsFiles {

    private TlsFiles() {
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * The key and chain a party shows: from {@code keystore} (with {@code password}) when given, else from the PEM
     * {@code certFile} and {@code keyFile}; null when neither is given.
     */
    public static KeyStore keyStore(String certFile, String keyFile, String keystore, char[] password)
            throws IOException, GeneralSecurityException {
        if (!blank(keystore)) {
            KeyStore ks = KeyStore.getInstance(keystore.endsWith(".jks") ? "JKS" : "PKCS12");
            try (InputStream in = Files.newInputStream(Path.of(keystore))) {
                ks.load(in, password);
            } catch (IOException e) {
                throw new IOException("ssl_keystore: cannot read '" + keystore + "': " + e.getMessage(), e);
            }
            return ks;
        }
        if (blank(certFile) || blank(keyFile)) {
            return null;
        }
        List<Certificate> chain = certificates(Path.of(certFile), "ssl_cert_file");
        PrivateKey key = privateKey(Path.of(keyFile));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("pangaea", key, password, chain.toArray(new Certificate[0]));
        return ks;
    }

    /** The CA certificates of a PEM file, as a trust store. */
    public static KeyStore trustStore(String caFile) throws IOException, GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (Certificate c : certificates(Path.of(caFile), "ssl_ca_file")) {
            ts.setCertificateEntry("ca-" + i++, c);
        }
        return ts;
    }

    /** The certificates of a PEM file; fails naming {@code setting} when it holds none. */
    public static List<Certificate> certificates(Path file, String setting) throws IOException,
            GeneralSecurityException {
        List<Certificate> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            out.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (java.security.cert.CertificateException e) {
            throw new GeneralSecurityException(setting + ": '" + file + "' holds no PEM certificate: "
                    + e.getMessage(), e);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(setting + ": no such file '" + file + "'", e);
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException(setting + ": '" + file + "' holds no PEM certificate");
        }
        return out;
    }

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /** An unencrypted PKCS#8 PEM key (RSA, EC or Ed25519). */
    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new GeneralSecurityException("ssl_key_file: '" + file + "' holds no unencrypted PKCS#8 key"
                    + " (-----BEGIN PRIVATE KEY-----); convert one with 'openssl pkcs8 -topk8 -nocrypt'");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                // the next algorithm
            }
        }
        throw new GeneralSecurityException("ssl_key_file: '" + file + "' is not an RSA, EC or Ed25519 key");
    }

    /**
     * A client context: it trusts {@code caFile} (blank: the JVM's CAs) and shows the certificate of
     * {@code certFile}/{@code keyFile} or {@code keystore} when one is given.
     */
    public static SSLContext clientContext(String certFile, String keyFile, String keystore, char[] password,
                                           String caFile) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(blank(caFile) ? null : trustStore(caFile));
            KeyStore own = keyStore(certFile, keyFile, keystore, password);
            KeyManagerFactory kmf = null;
            if (own != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(own, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A client context that trusts the CA certificates of one PEM file. */
    public static SSLContext trusting(Path caFile) {
        return clientContext("", "", "", new char[0], caFile.toString());
    }

    /** PEM text of a certificate. */
    public static String pem(Certificate c) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(c.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }

    /** PEM text of a private key, PKCS#8. */
    public static String pem(PrivateKey k) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(k.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }
}
